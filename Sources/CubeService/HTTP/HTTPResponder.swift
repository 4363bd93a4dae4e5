/// The application behind the server. Both methods are called on libmicrohttpd threads.
public protocol HTTPResponder: Sendable {
    /// Headers only, on an MHD thread, before any body byte is read: refuse early
    /// (401/403/404/405/413/415...) or accept with the largest body this request may carry.
    /// Must not block.
    func precheck(_ head: HTTPRequestHead) -> HTTPAdmission

    /// The complete request. `.immediate` answers on the MHD thread (fast reads: must not block
    /// for long, a quick SQLite read is fine); `.deferred` suspends the connection, runs the
    /// closure on a task whose jobs run on their own serial queue (`SerialQueueExecutor`), and resumes the connection with its response
    /// (long-poll `?wait=N` uses this).
    func respond(to request: HTTPRequest) -> HTTPResponderResult
}
