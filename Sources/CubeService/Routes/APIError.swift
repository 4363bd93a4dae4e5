import Foundation

/// An error that knows its HTTP answer: status, a stable machine-readable `code`, a title and
/// a detail sentence. Turned into an RFC 9457 problem response at one place
/// (`CubeSegService.respond`); any other error becomes a 500 `internal_error`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var title: String
    public var detail: String
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`).
    public var headers: [(String, String)] = []

    public var description: String { "\(status) \(code): \(detail)" }

    public var problem: ProblemDetails {
        ProblemDetails(status: status, code: code, title: title, detail: detail)
    }

    // MARK: The catalogue (statuses and codes are part of the API: see openapi.yaml)
    static func badRequest(_ code: String, _ detail: String) -> APIError {
        APIError(status: 400, code: code, title: "Bad request", detail: detail)
    }
    static func unauthorized(_ detail: String) -> APIError {
        APIError(status: 401, code: "unauthorized", title: "Unauthorized", detail: detail,
                 headers: [("WWW-Authenticate", "Bearer realm=\"cubeseg\"")])
    }
    static func forbidden(_ detail: String) -> APIError {
        APIError(status: 403, code: "forbidden", title: "Forbidden", detail: detail)
    }
    static func notFound(_ code: String, _ detail: String) -> APIError {
        APIError(status: 404, code: code, title: "Not found", detail: detail)
    }
    static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        APIError(status: 405, code: "method_not_allowed", title: "Method not allowed",
                 detail: "\(method) is not allowed here; use \(allowed.joined(separator: ", "))",
                 headers: [("Allow", allowed.joined(separator: ", "))])
    }
    static func conflict(_ code: String, _ detail: String) -> APIError {
        APIError(status: 409, code: code, title: "Conflict", detail: detail)
    }
    static func unsupportedMediaType(_ code: String, _ detail: String) -> APIError {
        APIError(status: 415, code: code, title: "Unsupported media type", detail: detail)
    }
    static func unprocessable(_ code: String, _ detail: String) -> APIError {
        APIError(status: 422, code: code, title: "Unprocessable content", detail: detail)
    }
    static func queueFull(_ detail: String, retryAfter: Int) -> APIError {
        APIError(status: 429, code: "queue_full", title: "Too many queued jobs", detail: detail,
                 headers: [("Retry-After", String(retryAfter))])
    }
    static func shuttingDown() -> APIError {
        APIError(status: 503, code: "shutting_down", title: "Service unavailable",
                 detail: "the service is shutting down; retry shortly", headers: [("Retry-After", "5")])
    }
    static func internalError(_ detail: String) -> APIError {
        APIError(status: 500, code: "internal_error", title: "Internal server error", detail: detail)
    }
}
