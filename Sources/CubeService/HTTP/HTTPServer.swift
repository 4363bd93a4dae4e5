import CMicroHTTPD
import Foundation
import Logging
import Synchronization

/// The libmicrohttpd daemon: an internal thread pool polling with epoll, streaming request
/// bodies to disk and handing complete requests to an `HTTPResponder`. This file owns the
/// daemon handle; `HTTPServer+Requests.swift` holds the per-request logic.
///
/// Lifecycle: `init` validates, `start()` binds (read `port` afterwards, useful with port 0),
/// `stopAccepting()` refuses new connections while running requests finish, `stop()` answers
/// every suspended request with 503, resumes it and stops the daemon. `deinit` stops too.
// @unchecked Sendable: the daemon's mutable state lives in `state` (a Mutex); `settings` and
// `address` are written before the daemon starts and freed after it stopped; the remaining
// stored properties are immutable.
public final class HTTPServer: @unchecked Sendable {
    /// How long `stop()` waits for resumed requests to send their 503 before closing them.
    static let shutdownAnswerGrace: DispatchTimeInterval = .milliseconds(500)

    public let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    let recorder = HTTPServerMetricsRecorder()

    /// What the daemon's threads, `stop()` and the deferred-response tasks share.
    private struct State {
        var daemon: OpaquePointer?
        var boundPort = 0
        var quiescedSocket: Int32 = -1
        var stopping = false
        /// Requests whose connection is suspended, by context identity.
        var suspended: [ObjectIdentifier: SuspendedConnection] = [:]
    }

    /// A suspended request and its libmicrohttpd connection handle.
    // @unchecked Sendable: the handle is only passed to MHD_resume_connection, under `state`'s lock.
    private struct SuspendedConnection: @unchecked Sendable {
        let context: RequestContext
        let connection: OpaquePointer
    }
    private let state = Mutex(State())
    /// C-side settings and the bind address; alive from `start()` until `deinit`.
    private var settings: UnsafeMutablePointer<cubeseg_mhd_settings>?
    private var address: UnsafeMutablePointer<sockaddr_storage>?

    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger) throws {
        func check(_ ok: Bool, _ field: String, _ value: some CustomStringConvertible, _ reason: String) throws {
            if !ok { throw HTTPServerError.invalidConfiguration(field: field, value: value.description, reason: reason) }
        }
        try check((0...65535).contains(configuration.port), "port", configuration.port, "must be in 0...65535")
        try check((1...256).contains(configuration.threads), "threads", configuration.threads, "must be in 1...256")
        try check(configuration.connectionTimeout >= 0, "connectionTimeout", configuration.connectionTimeout, "must be >= 0")
        try check(configuration.connectionLimit >= 1, "connectionLimit", configuration.connectionLimit, "must be >= 1")
        try check(configuration.perIPConnectionLimit >= 0, "perIPConnectionLimit", configuration.perIPConnectionLimit, "must be >= 0")
        try check(configuration.maxBodyBytes >= 0, "maxBodyBytes", configuration.maxBodyBytes, "must be >= 0")
        try check(configuration.maxInMemoryBody >= 0, "maxInMemoryBody", configuration.maxInMemoryBody, "must be >= 0")
        try check(configuration.connectionMemoryLimit == 0 || configuration.connectionMemoryLimit >= 8192,
                  "connectionMemoryLimit", configuration.connectionMemoryLimit, "must be 0 (default) or >= 8192")
        try check((configuration.tlsCertificatePEM == nil) == (configuration.tlsKeyPEM == nil),
                  "tlsCertificatePEM/tlsKeyPEM", configuration.usesTLS, "set both or neither")
        if configuration.usesTLS { try HTTPServerError.checkTLSSupport() }
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
    }

    deinit {
        stop()
        releaseSettings()
    }

    /// Frees the C-side settings; only when no daemon uses them (before start or after stop).
    private func releaseSettings() {
        if let settings {
            free(UnsafeMutableRawPointer(mutating: settings.pointee.tls_key_pem))
            free(UnsafeMutableRawPointer(mutating: settings.pointee.tls_cert_pem))
            settings.deallocate()
        }
        address?.deallocate()
        settings = nil
        address = nil
    }

    /// Binds and starts the thread pool; creates the upload directory if needed.
    public func start() throws {
        try state.withLock { try start(&$0) }
    }

    private func start(_ state: inout State) throws {
        guard state.daemon == nil, settings == nil else { throw HTTPServerError.alreadyStarted }
        let directory = configuration.uploadDirectory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw HTTPServerError.uploadDirectoryUnusable(path: directory.path, reason: "\(error)")
        }
        guard access(directory.path, W_OK) == 0 else {
            throw HTTPServerError.uploadDirectoryUnusable(path: directory.path, reason: String(cString: strerror(errno)))
        }
        let resolved = try SocketAddress(host: configuration.host, port: configuration.port)
        let address = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: 1)
        address.initialize(to: resolved.storage)
        self.address = address
        let settings = UnsafeMutablePointer<cubeseg_mhd_settings>.allocate(capacity: 1)
        settings.initialize(to: cubeseg_mhd_settings())
        self.settings = settings

        let context = Unmanaged.passUnretained(self).toOpaque()
        address.withMemoryRebound(to: sockaddr.self, capacity: 1) { settings.pointee.address = UnsafePointer($0) }
        settings.pointee.ipv6 = resolved.isIPv6 ? 1 : 0
        settings.pointee.thread_pool_size = UInt32(configuration.threads)
        settings.pointee.connection_timeout = UInt32(configuration.connectionTimeout)
        settings.pointee.connection_limit = UInt32(configuration.connectionLimit)
        settings.pointee.per_ip_connection_limit = UInt32(configuration.perIPConnectionLimit)
        settings.pointee.connection_memory_limit = configuration.connectionMemoryLimit
        if let key = configuration.tlsKeyPEM, let certificate = configuration.tlsCertificatePEM {
            settings.pointee.tls_key_pem = UnsafePointer(strdup(key))
            settings.pointee.tls_cert_pem = UnsafePointer(strdup(certificate))
        }
        settings.pointee.handler = { cls, connection, url, method, _, uploadData, uploadDataSize, conCls in
            let server = Unmanaged<HTTPServer>.fromOpaque(cls!).takeUnretainedValue()
            return server.handleAccess(connection: connection!, url: url, method: method, uploadData: uploadData,
                                       uploadDataSize: uploadDataSize!, requestState: conCls!)
        }
        settings.pointee.handler_context = context
        settings.pointee.completed = { cls, _, conCls, termination in
            guard let cls, let conCls, let raw = conCls.pointee else { return }
            conCls.pointee = nil
            let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
            // Balances the passRetained of the first access-handler call.
            let request = Unmanaged<RequestContext>.fromOpaque(raw).takeRetainedValue()
            server.handleCompleted(request, completedNormally: termination == .REQUEST_TERMINATED_COMPLETED_OK,
                                   termination: Int(termination.rawValue))
        }
        settings.pointee.completed_context = context
        settings.pointee.log_line = { cls, line in
            guard let cls, let line else { return }
            let server = Unmanaged<HTTPServer>.fromOpaque(cls).takeUnretainedValue()
            let text = String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
            server.logger.warning("libmicrohttpd: \(text)")
        }
        settings.pointee.log_context = context

        let started: OpaquePointer
        do {
            started = try HTTPServerError.checkStarted(cubeseg_mhd_start(settings), host: configuration.host,
                                                       port: configuration.port, tls: configuration.usesTLS)
        } catch {
            releaseSettings()
            throw error
        }
        state.daemon = started
        state.boundPort = Int(cubeseg_mhd_bound_port(started))
        logger.info("listening on \(configuration.usesTLS ? "https" : "http")://\(configuration.host):\(state.boundPort) with \(configuration.threads) threads")
    }

    /// The bound TCP port (the real one when configured with port 0); 0 before `start()`.
    public var port: Int { state.withLock { $0.boundPort } }

    /// Counters since start.
    public var metrics: HTTPServerMetrics { recorder.snapshot }

    /// Stops accepting connections (MHD_quiesce_daemon); accepted ones go on until `stop()`.
    public func stopAccepting() {
        state.withLock { state in
            guard let daemon = state.daemon, state.quiescedSocket < 0 else { return }
            state.quiescedSocket = MHD_quiesce_daemon(daemon)
            // MHD's threads may still hold the descriptor, so it is closed only after
            // MHD_stop_daemon; shutting it down now makes new connection attempts fail at once
            // instead of waiting unanswered in the backlog.
            if state.quiescedSocket >= 0 { shutdown(state.quiescedSocket, Int32(SHUT_RDWR)) }
            logger.info("no longer accepting connections")
        }
    }

    /// Answers every suspended request with 503 and resumes it, waits up to half a second for
    /// those answers to go out, then stops the daemon (closing every connection) and its
    /// threads. Idempotent. Call it from outside the server (a signal handler task, `main`),
    /// never from `precheck`/`respond` on a libmicrohttpd thread: it joins those threads.
    public func stop() {
        let answered = DispatchGroup()
        let stopped: OpaquePointer? = state.withLock { state in
            state.stopping = true
            for (_, entry) in state.suspended {
                entry.context.deferredResponse = .problem(ProblemDetails(
                    status: 503, code: "shutting_down", title: "Service Unavailable",
                    detail: "The server is shutting down; retry the request."))
                answered.enter()
                entry.context.shutdownAnswered = answered
                MHD_resume_connection(entry.connection)
            }
            recorder.suspendedChanged(by: -state.suspended.count)
            state.suspended.removeAll()
            defer { state.daemon = nil }
            return state.daemon
        }
        guard let stopped else { return }
        // Give the resumed requests a moment to send their 503 before every connection closes.
        _ = answered.wait(timeout: .now() + Self.shutdownAnswerGrace)
        MHD_stop_daemon(stopped)
        state.withLock { state in
            if state.quiescedSocket >= 0 { close(state.quiescedSocket) }
            state.quiescedSocket = -1
        }
        logger.info("stopped")
    }

    // MARK: - Suspension (deferred responses)

    /// Suspends `connection` and records it; false once `stop()` began (answer 503 then).
    /// Called from the access handler, the only place MHD allows suspending.
    func suspend(_ context: RequestContext, connection: OpaquePointer) -> Bool {
        let entry = SuspendedConnection(context: context, connection: connection)
        return state.withLock { state in
            guard !state.stopping, state.daemon != nil else { return false }
            MHD_suspend_connection(connection)
            state.suspended[ObjectIdentifier(context)] = entry
            recorder.suspendedChanged(by: 1)
            return true
        }
    }

    /// Hands a deferred response to its suspended connection and resumes it; does nothing if
    /// `stop()` already answered it.
    func resume(_ context: RequestContext, with response: HTTPResponse) {
        state.withLock { state in
            guard let entry = state.suspended.removeValue(forKey: ObjectIdentifier(context)) else { return }
            context.deferredResponse = response
            recorder.suspendedChanged(by: -1)
            MHD_resume_connection(entry.connection)
        }
    }

    /// The response a resumed connection must send (under the lock the task wrote it with).
    func takeDeferredResponse(_ context: RequestContext) -> HTTPResponse? {
        state.withLock { _ in
            defer { context.deferredResponse = nil }
            return context.deferredResponse
        }
    }
}
