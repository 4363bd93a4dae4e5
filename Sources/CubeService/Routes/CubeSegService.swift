import CubeFormats
import Foundation
import Logging
import Synchronization

/// The API of issue 4 as an `HTTPResponder`: authentication, routing, one catch site that
/// turns `APIError` into problem details (anything else into 500), one log line and one
/// metric sample per request.
///
/// `precheck` answers from the headers alone (404, 405, 401, 403, 413, 415, 503) before any
/// body is read; `respond` repeats it (cheap) so that in-process callers get the same answers.
public final class CubeSegService: HTTPResponder {
    let configuration: ServiceConfiguration
    let store: any JobStore
    let blobs: BlobStore
    let engine: ServiceEngine
    let pool: WorkerPool?
    let metrics: ServiceMetrics
    let logger: Logger
    let auth: Authenticator
    let draining = Flag()
    /// The HTTP server in front of this responder, once started (for its metrics).
    let server = ServerSlot()
    /// Where `?wait=N` sleeps between looks at the job, seconds.
    let waitPollSeconds: Double
    /// The application behind the routes: cubes, and jobs with their results and models.
    let cubes: CubeLibrary
    let jobs: JobDesk

    init(configuration: ServiceConfiguration, store: any JobStore, blobs: BlobStore, engine: ServiceEngine,
         pool: WorkerPool?, metrics: ServiceMetrics, logger: Logger, waitPollSeconds: Double = 0.1) {
        self.configuration = configuration; self.store = store; self.blobs = blobs; self.engine = engine
        self.pool = pool; self.metrics = metrics; self.logger = logger
        self.auth = Authenticator(tokens: configuration.tokens)
        self.waitPollSeconds = waitPollSeconds
        self.cubes = CubeLibrary(configuration: configuration, store: store, blobs: blobs, engine: engine, metrics: metrics)
        self.jobs = JobDesk(configuration: configuration, store: store, blobs: blobs, cubes: cubes, pool: pool)
    }

    /// From now on new work is refused with 503 (graceful shutdown).
    public func beginDraining() { draining.set() }
    public var isDraining: Bool { draining.isSet }

    // MARK: - HTTPResponder

    public func precheck(_ head: HTTPRequestHead) -> HTTPAdmission {
        do {
            return .accept(bodyLimit: try check(head).bodyLimit)
        } catch {
            let response = Self.response(for: error, logger: logger)
            finished(head, route: Route(path: head.path)?.template ?? "unmatched", response: response, started: Date())
            return .refuse(response)
        }
    }

    public func respond(to request: HTTPRequest) -> HTTPResponderResult {
        let started = Date()
        let head = request.head
        let route: Route
        let principal: Principal
        do {
            let admitted = try check(head)
            (route, principal) = (admitted.route, admitted.principal)
            // In-process callers hand over whole bodies; the HTTP front stops at the limit.
            if request.body.count > admitted.bodyLimit {
                throw ProblemDetails.payloadTooLarge(limit: admitted.bodyLimit, declared: request.body.count,
                                                     route: "\(head.method) \(route.template)")
            }
        } catch {
            let response = Self.response(for: error, logger: logger)
            finished(head, route: Route(path: head.path)?.template ?? "unmatched", response: response, started: started)
            return .immediate(response)
        }
        let result: Handled
        do { result = try handle(route, request, principal) }
        catch {
            let response = Self.response(for: error, logger: logger)
            finished(head, route: route.template, response: response, started: started)
            return .immediate(response)
        }
        switch result {
        case .now(let response):
            finished(head, route: route.template, response: response, started: started)
            return .immediate(response)
        case .later(let work):
            return .deferred { [self] in
                let response: HTTPResponse
                do { response = try await work() }
                catch { response = Self.response(for: error, logger: logger) }
                finished(head, route: route.template, response: response, started: started)
                return response
            }
        }
    }

    /// A handler's answer: now, or after async work (long-polls, uploads, previews).
    enum Handled {
        case now(HTTPResponse)
        case later(@Sendable () async throws -> HTTPResponse)
    }

    // MARK: - Checks from the headers

    /// What the headers decide: route, method, draining, authentication, content type, and
    /// the largest body this request may carry (0 for every method but POST and PUT).
    struct Admitted {
        var route: Route
        var principal: Principal
        var bodyLimit: Int64
    }

    /// Route, method, draining, authentication, content type and length.
    func check(_ head: HTTPRequestHead) throws -> Admitted {
        guard let route = Route(path: head.path) else { throw APIError.notFound("route_not_found", "no route \(head.path)") }
        let method = head.method == "HEAD" ? "GET" : head.method
        guard route.allowedMethods.contains(method) else { throw APIError.methodNotAllowed(head.method, allowed: route.allowedMethods) }
        let principal: Principal
        if route.isPublic {
            principal = .local
        } else {
            if isDraining { throw APIError.shuttingDown() }
            principal = try auth.principal(headers: head.headers)
            if route == .metrics && !principal.admin { throw APIError.forbidden("metrics need an admin token") }
        }
        let limit = method == "POST" || method == "PUT" ? try bodyLimit(route, head) : 0
        if let n = head.contentLength, n > limit {
            throw ProblemDetails.payloadTooLarge(limit: limit, declared: n, route: "\(head.method) \(route.template)")
        }
        if head.isChunked && limit == 0 {
            throw ProblemDetails.payloadTooLarge(limit: 0, route: "\(head.method) \(route.template)")
        }
        if limit == configuration.maxCubeBytes, let free = DiskSpace.available(at: configuration.dataDirectoryURL),
           free - (head.contentLength ?? 0) < configuration.minFreeBytes {
            throw ProblemDetails.insufficientStorage(
                "The server is short of disk space for an upload (it keeps \(configuration.minFreeBytes) bytes free); retry later.")
        }
        return Admitted(route: route, principal: principal, bodyLimit: limit)
    }

    /// The body limit of a POST or PUT, after checking its content type.
    private func bodyLimit(_ route: Route, _ head: HTTPRequestHead) throws -> Int64 {
        let contentType = (head.headers["content-type"] ?? "").lowercased()
        let isMultipart = contentType.hasPrefix("multipart/form-data")
        let isJSON = contentType.hasPrefix("application/json") || contentType.hasSuffix("+json")
        switch route {
        case .cubes:
            try RequestParsing.rejectUnknown(head.query, known: Set(RequestParsing.openFields + ["name"]))
            if let f = head.query["format"], !CubeOpenRequest.knownFormats.contains(f.lowercased()) {
                throw APIError.unsupportedMediaType("unknown_format", "format \"\(f)\" is not one of \(CubeOpenRequest.knownFormats.sorted().joined(separator: ", "))")
            }
            return configuration.maxCubeBytes
        case .jobs:
            guard isJSON || isMultipart else {
                throw APIError.unsupportedMediaType("unsupported_media_type", "POST /v1/jobs takes application/json or multipart/form-data, not \"\(contentType)\"")
            }
            return isMultipart ? configuration.maxCubeBytes : configuration.maxJSONBytes
        case .modelApply:
            guard isJSON || contentType.isEmpty else {
                throw APIError.unsupportedMediaType("unsupported_media_type", "this route takes application/json, not \"\(contentType)\"")
            }
            return configuration.maxJSONBytes
        default:
            return configuration.maxJSONBytes
        }
    }

    // MARK: - Dispatch

    func handle(_ route: Route, _ request: HTTPRequest, _ principal: Principal) throws -> Handled {
        let method = request.head.method == "HEAD" ? "GET" : request.head.method
        switch (route, method) {
        case (.healthz, _): return .now(Self.json(["status": "ok"]))
        case (.readyz, _): return .now(readiness())
        case (.metrics, _): return .now(metricsResponse())
        case (.openapi, _): return .now(HTTPResponse(status: 200, headers: [("Content-Type", "application/yaml")],
                                                     body: .data(Data(OpenAPIDocument.text.utf8))))
        case (.viewerIndex, _): return .now(try viewerFile("index.html"))
        case (.viewerFile(let name), _): return .now(try viewerFile(name))
        case (.cubeSpectrum(let id), _): return try spectrum(id, request.head, principal)
        case (.cubes, "POST"), (.cubes, "PUT"): return try uploadCube(request, principal)
        case (.cubes, _): return .now(try listCubes(request.head, principal))
        case (.cube(let id), "DELETE"): return .now(try deleteCube(id, principal))
        case (.cube(let id), _): return .now(try getCube(id, principal))
        case (.cubePreview(let id), _): return try preview(id, principal)
        case (.jobs, "POST"): return try createJob(request, principal)
        case (.jobs, _): return .now(try listJobs(request.head, principal))
        case (.job(let id), "DELETE"): return .now(try deleteJob(id, principal))
        case (.jobCancel(let id), _): return .now(try cancelJob(id, principal))
        case (.job(let id), _): return try getJob(id, request.head, principal)
        case (.jobResults(let id), _): return .now(try listResults(id, principal))
        case (.jobResult(let id, let file), _): return .now(try result(id, file: file, head: request.head, principal))
        case (.models, _): return .now(try listModels(request.head, principal))
        case (.model(let id), "DELETE"): return .now(try deleteModel(id, principal))
        case (.model(let id), _): return .now(try getModel(id, principal))
        case (.modelApply(let id), _): return try applyModel(id, request, principal)
        }
    }

    // MARK: - Responses

    static func json<T: Encodable>(_ value: T, status: Int = 200, headers: [(String, String)] = []) -> HTTPResponse {
        let data = (try? JSONEncoder.snakeCase.encode(value)) ?? Data("{}".utf8)
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .data(data))
    }

    /// The one catch site: `APIError` -> its problem, store errors -> their status, else 500.
    static func response(for error: any Error, logger: Logger) -> HTTPResponse {
        let api: APIError
        switch error {
        case let e as APIError: api = e
        case let e as StoreError:
            switch e {
            case .queueFull: api = .queueFull(e.description, retryAfter: 30)
            case .idempotencyMismatch: api = .conflict("idempotency_key_mismatch", e.description)
            case .cubeInUse, .modelInUse: api = .conflict("in_use", e.description)
            case .badCursor: api = .badRequest("invalid_cursor", e.description)
            }
        case let e as ProblemDetails:
            var redacted = e
            redacted.detail = ServerPaths.redacted(e.detail)
            return .problem(redacted)
        case let e where ServerPaths.isOutOfSpace(e):
            logger.error("out of space: \(error)")
            return .problem(.insufficientStorage("The server has no room left to store this; retry later."),
                            headers: [("Retry-After", "60")])
        default:
            logger.error("unexpected error: \(error)")
            api = .internalError("an unexpected error occurred; see the server log")
        }
        var problem = api.problem
        problem.detail = ServerPaths.redacted(problem.detail)
        return .problem(problem, headers: api.headers)
    }

    private func finished(_ head: HTTPRequestHead, route: String, response: HTTPResponse, started: Date) {
        let seconds = Date().timeIntervalSince(started)
        metrics.recordRequest(method: head.method, route: route, status: response.status, seconds: seconds)
        // The HTTP front logs the one info line per request (with bytes in and out); this is the
        // handler's own time, for debugging.
        logger.debug("\(head.method) \(head.path) \(response.status) handled in \(String(format: "%.1f", seconds * 1000)) ms",
                     metadata: ["remote": "\(head.remoteAddress)"])
    }

    // MARK: - System routes

    func readiness() -> HTTPResponse {
        if isDraining { return Self.response(for: APIError.shuttingDown(), logger: logger) }
        do { try store.ping() } catch {
            return Self.response(for: APIError(status: 503, code: "store_unavailable", title: "Service unavailable",
                                               detail: "the job store does not answer: \(error)"), logger: logger)
        }
        if let free = DiskSpace.available(at: configuration.dataDirectoryURL), free < configuration.minFreeBytes {
            return Self.response(for: APIError(status: 503, code: "low_disk_space", title: "Service unavailable",
                                               detail: "the data directory has \(free) bytes free, below min_free_bytes (\(configuration.minFreeBytes))"),
                                 logger: logger)
        }
        return Self.json(["status": "ready"])
    }

    func metricsResponse() -> HTTPResponse {
        if let counts = try? store.countJobs(byStateFor: nil) { metrics.updateJobCounts(counts) }
        let now = Date()
        if let workers = try? store.workers(seenSince: now.addingTimeInterval(-WorkerPool.reportedFor)) {
            metrics.updateWorkers(workers, now: now, heartbeatSeconds: configuration.heartbeatSeconds)
        }
        if let m = server.get()?.metrics { metrics.updateServer(m) }
        return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                            body: .data(metrics.render()))
    }
}

/// A flag set once, read from any thread.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// Holds the HTTP server once it exists (it is made after its responder).
final class ServerSlot: Sendable {
    private struct Weak { weak var server: HTTPServer? }
    private let slot = Mutex(Weak())
    func set(_ s: HTTPServer) { slot.withLock { $0.server = s } }
    func get() -> HTTPServer? { slot.withLock { $0.server } }
}
