import Foundation

/// A response: status, header fields in order, and a body. Every response sent carries a
/// `Content-Type` (from the headers, the `.file` body, or `application/octet-stream`).
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields in order; `Content-Length` and `Date` are set by the server.
    public var headers: [(String, String)]
    public var body: ResponseBody

    public init(status: Int = 200, headers: [(String, String)] = [], body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header field, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// `value` encoded as JSON (`application/json`). An encoding failure becomes a 500 problem.
    public static func json<T: Encodable>(
        _ value: T, status: Int = 200, headers: [(String, String)] = [],
        encoder: JSONEncoder = JSONEncoder()
    ) -> HTTPResponse {
        do {
            let data = try encoder.encode(value)
            return HTTPResponse(status: status,
                                headers: [("Content-Type", "application/json")] + headers,
                                body: .data(data))
        } catch {
            return .problem(ProblemDetails(status: 500, code: "response_encoding_failed",
                                           title: "Internal Server Error",
                                           detail: "The response could not be encoded: \(error)"))
        }
    }

    /// An RFC 9457 problem (`application/problem+json`) with the problem's status.
    public static func problem(_ problem: ProblemDetails, headers: [(String, String)] = []) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(problem)) ?? Data(#"{"status":500}"#.utf8)
        return HTTPResponse(status: problem.status,
                            headers: [("Content-Type", "application/problem+json")] + headers,
                            body: .data(data))
    }

    /// Plain UTF-8 text (`text/plain; charset=utf-8`).
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: .data(Data(text.utf8)))
    }
}
