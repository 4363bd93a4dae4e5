/// What a responder decides from the request line and headers alone, before any body byte
/// is read.
public enum HTTPAdmission: Sendable {
    /// Answer with this response now; no body byte is read or written anywhere.
    case refuse(HTTPResponse)
    /// Read the body, at most `bodyLimit` bytes (0: this route takes no body). The server
    /// enforces the limit as the body streams, chunked or not, and answers
    /// `ProblemDetails.payloadTooLarge` past it.
    case accept(bodyLimit: Int64)
}

extension ProblemDetails {
    /// The one 413 of the service, for the HTTP front and the routes alike: code
    /// `payload_too_large`, the limit in `max_bytes` (0 for a route that takes no body).
    public static func payloadTooLarge(limit: Int64, declared: Int64? = nil, route: String? = nil) -> ProblemDetails {
        let detail: String
        if limit == 0 {
            detail = "\(route ?? "This route") takes no request body; send the request without one."
        } else if let declared {
            detail = "The body of \(declared) bytes exceeds the limit of \(limit) bytes here."
        } else {
            detail = "The body exceeds the limit of \(limit) bytes here."
        }
        return ProblemDetails(status: 413, code: "payload_too_large", title: "Content too large", detail: detail,
                              extensions: ["max_bytes": .int(limit)])
    }

    /// 507: the server's disk is full (or below its configured free space). Retry later.
    public static func insufficientStorage(_ detail: String) -> ProblemDetails {
        ProblemDetails(status: 507, code: "insufficient_storage", title: "Insufficient storage", detail: detail)
    }
}
