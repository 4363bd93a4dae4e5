import Crypto
import CubeFormats
import CubeML
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
        let filename = cubePart?.filename
        let header = cubePart == nil ? nil : request.part(named: "header")?.body
        if case .none = body { throw APIError.badRequest("missing_body", "send the cube file as the request body or as a multipart part named cube") }
        let name = q["name"] ?? filename ?? "cube"
        return .later { [self] in
            let record = try await Self.offload { [self] in
                try ingestCube(body: body, filename: filename, open: open, name: name, owner: principal.owner, header: header)
            }
            return Self.json(CubeView(record), status: 201, headers: [("Location", "/v1/cubes/\(record.id)")])
        }
    }

    /// Stores an uploaded file as a cube: moves it into the blob store, opens it to learn its
    /// shape, type and axis (415 unknown format, 422 unusable), records it. Blocking.
    func ingestCube(body: HTTPBody, filename: String?, open: CubeOpenRequest, name: String, owner: String,
                    header: HTTPBody? = nil) throws -> CubeRecord {
        let id = "cub_" + Identifiers.random()
        let pair = try header.map { try Self.twoFileNames($0, format: open.format) }
        let fileName = pair?.data ?? Self.storedFileName(filename, format: open.format)
        let relative = "cubes/\(id)/\(fileName)"
        let size: Int64, sha: String
        switch body {
        case .none:
            throw APIError.badRequest("missing_body", "no cube file in the request")
        case .data(let data):
            size = Int64(data.count)
            if size > configuration.maxCubeBytes { throw ProblemDetails.payloadTooLarge(limit: configuration.maxCubeBytes, declared: size) }
            sha = CryptoHelpers.sha256Hex(data)
            try blobs.write(data, to: relative)
        case .file(let f):
            size = f.size
            if size > configuration.maxCubeBytes { throw ProblemDetails.payloadTooLarge(limit: configuration.maxCubeBytes, declared: size) }
            sha = f.sha256Hex
            try blobs.adopt(file: f.url, as: relative)
        }
        if size == 0 {
            blobs.remove(relative: "cubes/\(id)")
            throw APIError.badRequest("missing_body", "the uploaded file is empty")
        }
        // A two-file cube is opened (now and by the workers) through its header, which finds
        // its data file by name (cube.hdr -> cube.img, cube.rpl -> cube.raw).
        var openPath = relative
        if let header, let pair {
            openPath = "cubes/\(id)/\(pair.header)"
            do {
                switch header {
                case .none: break
                case .data(let d): try blobs.write(d, to: openPath)
                case .file(let f): _ = try blobs.adopt(file: f.url, as: openPath)
                }
            } catch { blobs.remove(relative: "cubes/\(id)"); throw error }
        }
        let cube: Datacube
        do { cube = try engine.openCube(blobs.url(relative: openPath), open) }
        catch {
            blobs.remove(relative: "cubes/\(id)")
            switch error {
            case CubeOpenFailure.unknownFormat(let s): throw APIError.unsupportedMediaType("unknown_format", "cannot tell the cube's format: \(s)")
            case CubeOpenFailure.unusable(let s): throw APIError.unprocessable("unusable_cube", s)
            default: throw APIError.unprocessable("unusable_cube", "\(error)")
            }
        }
        // Refused now rather than "segmented" into one cluster after a training run.
        let nothingToSegment: String?
        do { nothingToSegment = try SpectralVariety.problem(in: cube) }
        catch { blobs.remove(relative: "cubes/\(id)"); throw APIError.unprocessable("unusable_cube", "\(error)") }
        if let nothingToSegment {
            blobs.remove(relative: "cubes/\(id)")
            throw APIError.unprocessable("unsegmentable_cube", nothingToSegment)
        }
        let record = CubeRecord(
            id: id, owner: owner, name: name, format: cube.info.format, shape: [cube.height, cube.width, cube.channels],
            dtype: cube.info.dataType, axisJSON: (try? JSONEncoder().encode(cube.axis)) ?? Data("null".utf8),
            size: size, sha256: sha, createdAt: Date(), blobPath: openPath,
            openOptionsJSON: (try? JSONEncoder().encode(open)) ?? Data("{}".utf8))
        do { try store.insertCube(record) }
        catch { blobs.remove(relative: "cubes/\(id)"); throw error }
        metrics.recordUpload(bytes: size)
        return record
    }

    /// Stored names of a two-file cube given its header part: ENVI (`format` envi, or a header
    /// starting with "ENVI") as cube.hdr + cube.img, otherwise Lispix as cube.rpl + cube.raw.
    /// - Throws: 400 for an empty header or one over 1 MiB (headers are text of a few KB).
    static func twoFileNames(_ header: HTTPBody, format: String?) throws -> (data: String, header: String) {
        guard header.count > 0, header.count <= 1 << 20 else {
            throw APIError.badRequest("invalid_header_part", "the header part must hold 1 byte to 1 MiB, not \(header.count) bytes")
        }
        let start = (try? header.readData().prefix(4)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let isENVI = format?.lowercased() == "envi" || (format == nil && start == "ENVI")
        return isENVI ? ("cube.img", "cube.hdr") : ("cube.raw", "cube.rpl")
    }

    /// A safe file name for the stored cube: the client's base name if it is plain, else
    /// `cube.<format>`.
    static func storedFileName(_ filename: String?, format: String?) -> String {
        if let f = filename.map({ ($0 as NSString).lastPathComponent }), !f.isEmpty, f != ".", f != "..", f != "preview.png",
           f.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }), f.count <= 128 {
            return f
        }
        return "cube." + (format ?? "bin")
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
        guard let c = try store.cube(id: id, owner: principal.scope) else { throw APIError.notFound("cube_not_found", "no cube \(id)") }
        return Self.json(CubeView(c))
    }

    func deleteCube(_ id: String, _ principal: Principal) throws -> HTTPResponse {
        guard let c = try store.deleteCube(id: id, owner: principal.scope) else { throw APIError.notFound("cube_not_found", "no cube \(id)") }
        blobs.remove(relative: "cubes/\(c.id)")
        return HTTPResponse(status: 204)
    }

    /// A grayscale PNG of each pixel's total counts, drawn once and kept next to the cube.
    func preview(_ id: String, _ principal: Principal) throws -> Handled {
        guard let c = try store.cube(id: id, owner: principal.scope) else { throw APIError.notFound("cube_not_found", "no cube \(id)") }
        let png = blobs.cubeDirectory(c.id).appendingPathComponent("preview.png")
        if FileManager.default.fileExists(atPath: png.path) {
            return .now(HTTPResponse(status: 200, headers: [("Content-Type", "image/png")], body: .file(png, contentType: "image/png")))
        }
        return .later { [self] in
            try await Self.offload { [self] in
                let open = (try? JSONDecoder().decode(CubeOpenRequest.self, from: c.openOptionsJSON)) ?? CubeOpenRequest(format: c.format)
                let data = try engine.renderPreview(try engine.openCube(blobs.url(relative: c.blobPath), open))
                try blobs.write(data, to: "cubes/\(c.id)/preview.png")
                return HTTPResponse(status: 200, headers: [("Content-Type", "image/png")], body: .data(data))
            }
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
