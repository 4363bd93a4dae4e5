import Crypto
import CubeML
import CubeReports
import Foundation

/// `/v1/jobs`: submit (JSON or multipart with the cube), list, get (long-poll, ETag),
/// cancel/delete, results.
extension CubeSegService {
    func createJob(_ request: HTTPRequest, _ principal: Principal) throws -> Handled {
        let key = try idempotencyKey(request.head)
        if !request.parts.isEmpty || (request.head.headers["content-type"] ?? "").lowercased().hasPrefix("multipart/form-data") {
            return try createJobMultipart(request, principal, key: key)
        }
        let obj = try RequestParsing.jsonObject(try RequestParsing.bodyData(request.body))
        if let extra = Set(obj.keys).subtracting(["cube_id", "params", "priority"]).sorted().first {
            throw APIError.badRequest("unknown_field", "unknown field \"\(extra)\"; send cube_id, params and optionally priority")
        }
        guard let cubeID = try RequestParsing.string(obj, "cube_id") else { throw APIError.badRequest("missing_field", "cube_id (a string) is required") }
        let (_, paramsJSON) = try RequestParsing.parameters(obj["params"])
        let priority = try Self.priority(obj["priority"])
        let cube = try cubes.cube(cubeID, scope: principal.scope)
        let submission = JobDesk.Submission(kind: .train, modelID: nil, paramsJSON: paramsJSON, priority: priority,
                                            idempotencyKey: key, fingerprint: "train|cube:\(cube.id)|p\(priority)")
        return .now(jobCreated(try jobs.submit(submission, cube: cube, principal: principal)))
    }

    /// Multipart: a `cube` file part (with a `header` part for ENVI and Lispix cubes), an
    /// optional `params` part (JSON) and the upload's `name`, `format`, `shape`, ... as fields
    /// (or query parameters).
    private func createJobMultipart(_ request: HTTPRequest, _ principal: Principal, key: String?) throws -> Handled {
        var fields = request.head.query
        var cubePart: MultipartPart? = nil
        var paramsValue: JSONValue? = nil
        for part in request.parts {
            switch part.name {
            case "cube": cubePart = part
            case "header": continue  // the cube's second file, stored beside it by CubeLibrary.ingest
            case "params":
                let data = try RequestParsing.bodyData(part.body)
                if !data.isEmpty {
                    guard let v = JSONValue(data: data) else { throw APIError.badRequest("invalid_json", "the params part is not JSON") }
                    paramsValue = v
                }
            case let field where field == "name" || RequestParsing.openFields.contains(field):
                fields[part.name] = String(decoding: try RequestParsing.bodyData(part.body), as: UTF8.self)
            default:
                throw APIError.badRequest("unknown_field", "unknown form field \"\(part.name)\"; send cube, header, params and upload options")
            }
        }
        guard let cubePart else { throw APIError.badRequest("missing_field", "the form needs a `cube` file part") }
        let (_, paramsJSON) = try RequestParsing.parameters(paramsValue)
        let open = try RequestParsing.openRequest(fields)
        let uploadHash: String
        switch cubePart.body {
        case .file(let f): uploadHash = f.sha256Hex
        case .data(let d): uploadHash = CryptoHelpers.sha256Hex(d)
        case .none: throw APIError.badRequest("missing_field", "the `cube` part is empty")
        }
        let submission = JobDesk.Submission(kind: .train, modelID: nil, paramsJSON: paramsJSON, priority: 0,
                                            idempotencyKey: key, fingerprint: "train|upload:\(uploadHash)|p0")
        // A retry of a request already accepted: answer with its job, keep no second upload.
        if let existing = try jobs.earlier(submission, principal: principal) { return .now(jobCreated(existing)) }
        let upload = CubeUpload(body: cubePart.body, filename: cubePart.filename, header: request.part(named: "header")?.body,
                                open: open, name: fields["name"] ?? cubePart.filename ?? "cube")
        return .later { [self] in
            jobCreated(try await Self.offload { [self] in try jobs.submit(submission, upload: upload, principal: principal) })
        }
    }

    func idempotencyKey(_ head: HTTPRequestHead) throws -> String? {
        guard let k = head.headers["idempotency-key"] else { return nil }
        let key = k.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard (1...255).contains(key.count) else { throw APIError.badRequest("invalid_header", "Idempotency-Key must have 1 to 255 characters") }
        return key
    }

    static func priority(_ v: JSONValue?) throws -> Int {
        switch v {
        case nil, .null?: return 0
        case .integer(let n)? where (-100...100).contains(n): return Int(n)
        default: throw APIError.badRequest("invalid_parameter", "priority must be an integer in -100...100")
        }
    }

    func jobCreated(_ job: JobRecord) -> HTTPResponse {
        Self.json(JobView(job), status: 202, headers: [("Location", "/v1/jobs/\(job.id)")])
    }

    func listJobs(_ head: HTTPRequestHead, _ principal: Principal) throws -> HTTPResponse {
        let limit = try RequestParsing.limit(head.query)
        var state: JobState? = nil
        if let s = head.query["state"] {
            guard let st = JobState(rawValue: s) else {
                throw APIError.badRequest("invalid_query", "state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = st
        }
        let cursor = head.query["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        let page = try store.listJobs(owner: principal.scope, state: state, limit: limit, cursor: cursor)
        return Self.json(ListView(items: page.jobs.map { JobView($0) }, nextCursor: page.nextCursor))
    }

    /// The job as JSON with a strong ETag; `If-None-Match` -> 304; `?wait=N` waits up to N
    /// seconds for the job to change from the tag given (or from its state now);
    /// `&until=state` for its state to change, `&until=finished` for it to end.
    func getJob(_ id: String, _ head: HTTPRequestHead, _ principal: Principal) throws -> Handled {
        let until = head.query["until"] ?? "change"
        guard ["change", "state", "finished"].contains(until) else {
            throw APIError.badRequest("invalid_query", "until must be change, state or finished, not \"\(until)\"")
        }
        var wait = 0.0
        if let w = head.query["wait"] {
            guard let n = Double(w), n >= 0, n <= Double(configuration.maxWaitSeconds) else {
                throw APIError.badRequest("invalid_query", "wait must be a number of seconds in 0...\(configuration.maxWaitSeconds), not \"\(w)\"")
            }
            wait = n
        }
        let job = try jobs.job(id, scope: principal.scope)
        let (body, etag) = Self.jobBody(job)
        let ifNoneMatch = head.headers["if-none-match"]
        let clientHasCurrent = ifNoneMatch.map { Self.etagMatches($0, etag) } ?? false
        // Nothing to wait for: no wait asked, the client's copy is already stale, or the job is over.
        if wait == 0 || (ifNoneMatch != nil && !clientHasCurrent) || (ifNoneMatch == nil && job.state.isFinished) {
            return .now(clientHasCurrent ? Self.notModified(etag) : Self.jobResponse(body, etag))
        }
        let scope = principal.scope
        let poll = waitPollSeconds
        let seconds = wait
        let initialState = job.state
        // What ends the wait: any change of the job, a change of its state, or its end.
        let done: @Sendable (JobRecord, String) -> Bool
        switch until {
        case "state": done = { now, _ in now.state != initialState }
        case "finished": done = { now, _ in now.state.isFinished }
        default: done = { _, tag in tag != etag }
        }
        if until != "change" && job.state.isFinished { return .now(Self.jobResponse(body, etag)) }
        return .later { [self] in
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline && !isDraining {
                try await Task.sleep(nanoseconds: UInt64(min(poll, max(0.001, deadline.timeIntervalSinceNow)) * 1e9))
                guard let now = try store.job(id: id, owner: scope) else { throw APIError.notFound("job_not_found", "no job \(id)") }
                let (b, t) = Self.jobBody(now)
                if done(now, t) { return t == etag && clientHasCurrent ? Self.notModified(etag) : Self.jobResponse(b, t) }
            }
            return clientHasCurrent ? Self.notModified(etag) : Self.jobResponse(body, etag)
        }
    }

    /// The job's JSON and its strong ETag. The tag covers everything but `elapsed_seconds`
    /// (which changes every call); that part is rendered once per version of the job's row
    /// (`JobBodyCache`) and the elapsed time appended, so polling costs one row read.
    static func jobBody(_ job: JobRecord, now: Date = Date()) -> (Data, String) {
        let (stable, tag) = renderedJobs.body(for: job, now: now) { job in
            var view = JobView(job, now: now)
            view.elapsedSeconds = nil
            let data = (try? JSONEncoder.snakeCase.encode(view)) ?? Data("{}".utf8)
            let tag = "\"" + SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
            return (data, tag)
        }
        guard let elapsed = JobView.elapsedSeconds(job, now: now), stable.last == UInt8(ascii: "}"), stable.count > 2 else {
            return (stable, tag)
        }
        var full = stable
        full.removeLast()
        full.append(contentsOf: ",\"elapsed_seconds\":\(elapsed)}".utf8)
        return (full, tag)
    }

    /// Rendered job bodies shared by every request.
    static let renderedJobs = JobBodyCache(capacity: 4096)

    static func etagMatches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { raw in
            var t = raw.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("W/") { t.removeFirst(2) }
            return t == etag || t == "*"
        }
    }

    static func jobResponse(_ body: Data, _ etag: String) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("ETag", etag), ("Cache-Control", "no-cache")], body: .data(body))
    }

    static func notModified(_ etag: String) -> HTTPResponse {
        HTTPResponse(status: 304, headers: [("ETag", etag), ("Cache-Control", "no-cache")])
    }

    /// Removes a finished job and its result files (204). A queued or running job is a 409
    /// (cancel it first); a job already removed is a 404, so a retried DELETE changes nothing.
    func deleteJob(_ id: String, _ principal: Principal) throws -> HTTPResponse {
        try jobs.delete(id, scope: principal.scope)
        return HTTPResponse(status: 204)
    }

    /// Cancels (202 with the job); the same answer again when retried.
    func cancelJob(_ id: String, _ principal: Principal) throws -> HTTPResponse {
        Self.json(JobView(try jobs.cancel(id, scope: principal.scope)), status: 202)
    }

    /// The result files a job has (for a succeeded job): exactly the names `result` serves.
    func listResults(_ id: String, _ principal: Principal) throws -> HTTPResponse {
        Self.json(ResultFilesView(jobId: id, files: try jobs.resultFileNames(id, scope: principal.scope)))
    }

    /// One result file (`JobDesk.resultFile`: `?k=` and `?style=`).
    func result(_ id: String, file: String, head: HTTPRequestHead, _ principal: Principal) throws -> HTTPResponse {
        let payload = try jobs.resultFile(id, name: file, k: head.query["k"], style: head.query["style"], scope: principal.scope)
        let type = file.hasSuffix(".png") ? "image/png" : file.hasSuffix(".json") ? "application/json" : "application/octet-stream"
        switch payload {
        case .file(let url): return HTTPResponse(status: 200, headers: [("Content-Type", type)], body: .file(url, contentType: type))
        case .data(let data): return HTTPResponse(status: 200, headers: [("Content-Type", type)], body: .data(data))
        }
    }
}
