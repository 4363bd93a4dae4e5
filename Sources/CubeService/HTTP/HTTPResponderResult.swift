/// How a responder answers a complete request.
public enum HTTPResponderResult: Sendable {
    /// Sent at once from the libmicrohttpd thread that called `respond(to:)`.
    case immediate(HTTPResponse)
    /// Computed on a Swift concurrency task while the connection is suspended; the server
    /// answers 503 instead if it stops before the closure returns.
    case deferred(@Sendable () async -> HTTPResponse)
}
