import Foundation

/// The state of one request, boxed into libmicrohttpd's `*con_cls`: retained on the first
/// access-handler call, released in the request-completed notification.
// @unchecked Sendable: every field is used only on the libmicrohttpd thread that owns the
// connection (MHD serves a connection from one worker thread), except `deferredResponse` and
// `shutdownAnswered`, which a deferred task or `stop()` writes under `HTTPServer`'s lock
// before MHD_resume_connection, and the owning thread reads after MHD resumed the connection
// (ordered by MHD's own mutex).
final class RequestContext: @unchecked Sendable {
    enum Phase {
        /// Headers accepted, body arriving.
        case receiving
        /// Body over the limit or unusable: the rest is refused, `failure` is the answer.
        case failed
        /// Waiting for a deferred response.
        case suspended
        /// A response was queued.
        case answered
    }

    let started = ContinuousClock.now
    var head: HTTPRequestHead
    var phase: Phase = .receiving
    var sink: BodySink?
    var multipart: MultipartCollector?
    /// The most body bytes this request may carry (from the responder's admission).
    var bodyLimit: Int64 = 0
    /// When the first body byte arrived.
    var bodyStarted: ContinuousClock.Instant?
    /// Body bytes received so far.
    var received: Int64 = 0
    /// `received` when the body was refused (phase `.failed`).
    var refusedAt: Int64 = 0
    /// The answer decided while the body was still arriving (413, 400, 500).
    var failure: HTTPResponse?
    var deferredResponse: HTTPResponse?
    /// Status and body size of the queued response, for the log line and metrics.
    var status: Int?
    var bytesSent: Int64 = 0
    /// Set by `HTTPServer.stop()` for a request it resumed with a 503: left on completion.
    var shutdownAnswered: DispatchGroup?
    /// Streamed files handed to the responder: removed after the response if still there.
    var handedOver: [URL] = []

    init(head: HTTPRequestHead) {
        self.head = head
    }

    /// Deletes every file this request wrote that is still in the upload directory.
    func removeFiles() {
        sink?.discard()
        multipart?.discard()
        for url in handedOver { unlink(url.path) }
        handedOver = []
    }
}
