import Foundation

/// `/v1/cubes`: upload, list, get, delete, preview.
extension CubeSegService {
    func uploadCube(_ request: HTTPRequest, _ principal: Principal) throws -> Handled {
        let q = request.head.query
        let open = try RequestParsing.openRequest(q)
        // The file as the body (`curl -T`), or as a multipart part `cube`, with an optional
        // `header` part for two-file formats (ENVI `.hdr`, Lispix `.rpl`).
        let cubePart = request.body.isNone ? request.part(named: "cube") : nil
        let body = cubePart?.body ?? request.body
        if case .none = body { throw APIError.badRequest("missing_body", "send the cube file as the request body or as a multipart part named cube") }
        let upload = CubeUpload(body: body, filename: cubePart?.filename,
                                header: cubePart == nil ? nil : request.part(named: "header")?.body,
                                open: open, name: q["name"] ?? cubePart?.filename ?? "cube")
        return .later { [self] in
            let record = try await Self.offload { [self] in try cubes.ingest(upload, owner: principal.owner) }
            return Self.json(CubeView(record), status: 201, headers: [("Location", "/v1/cubes/\(record.id)")])
        }
    }

    func listCubes(_ head: HTTPRequestHead, _ principal: Principal) throws -> HTTPResponse {
        let page = try Self.page(head, noun: "cube", exists: { try store.cube(id: $0, owner: principal.scope) != nil },
                                 fetch: { try store.listCubes(owner: principal.scope, limit: $0, after: $1) }, id: \.id)
        return Self.json(ListView(items: page.items.map(CubeView.init), nextCursor: page.next))
    }

    /// One page of a newest-first list: `limit` from the query, and `cursor` (the id of the
    /// last item of the previous page) must name an item the caller can see (else 400).
    /// Fetches one item more than the page to know whether another page follows.
    static func page<T>(_ head: HTTPRequestHead, noun: String, exists: (String) throws -> Bool,
                        fetch: (_ limit: Int, _ after: String?) throws -> [T], id: (T) -> String) throws -> (items: [T], next: String?) {
        let limit = try RequestParsing.limit(head.query)
        let after = head.query["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        if let after, try !exists(after) {
            throw APIError.badRequest("invalid_cursor", "cursor \"\(after)\" is not a \(noun) of yours")
        }
        var items = try fetch(limit + 1, after)
        var next: String? = nil
        if items.count > limit { items.removeLast(); next = items.last.map(id) }
        return (items, next)
    }

    func getCube(_ id: String, _ principal: Principal) throws -> HTTPResponse {
        Self.json(CubeView(try cubes.cube(id, scope: principal.scope)))
    }

    func deleteCube(_ id: String, _ principal: Principal) throws -> HTTPResponse {
        try cubes.deleteCube(id, scope: principal.scope)
        return HTTPResponse(status: 204)
    }

    /// A grayscale PNG of each pixel's total counts, drawn once and kept next to the cube.
    func preview(_ id: String, _ principal: Principal) throws -> Handled {
        let c = try cubes.cube(id, scope: principal.scope)
        if let png = cubes.storedPreview(c) {
            return .now(HTTPResponse(status: 200, headers: [("Content-Type", "image/png")], body: .file(png, contentType: "image/png")))
        }
        return .later { [self] in
            let data = try await Self.offload { [self] in try cubes.drawPreview(c) }
            return HTTPResponse(status: 200, headers: [("Content-Type", "image/png")], body: .data(data))
        }
    }

    /// `GET /v1/cubes/{id}/spectrum?row=R&col=C`: one pixel's spectrum.
    func spectrum(_ id: String, _ head: HTTPRequestHead, _ principal: Principal) throws -> Handled {
        let c = try cubes.cube(id, scope: principal.scope)
        func index(_ key: String) throws -> Int {
            guard let s = head.query[key] else { throw APIError.badRequest("invalid_query", "give the pixel as row and col (0-based)") }
            guard let n = Int(s), n >= 0 else { throw APIError.badRequest("invalid_query", "\(key) must be an integer >= 0, not \"\(s)\"") }
            return n
        }
        let (row, col) = (try index("row"), try index("col"))
        return .later { [self] in
            let view = try await Self.offload { [self] in try cubes.spectrum(c, row: row, col: col) }
            return Self.json(view)
        }
    }

    /// Runs blocking work (file I/O, parsing) off the HTTP threads.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            // A serial queue of its own targets the overcommitting pool: it gets a thread even
            // while jobs keep every core busy (the global concurrent queue would wait for one).
            DispatchQueue(label: "cubeseg.offload", qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }
}

extension HTTPBody {
    /// Whether the request had no body (a multipart request's files are in its parts).
    var isNone: Bool { if case .none = self { true } else { false } }
}
