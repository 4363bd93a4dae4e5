import CMicroHTTPD
import Foundation
import Logging

/// The access handler and the completion notification: building the head, prechecking,
/// streaming the body, answering (now or after a deferred task), cleaning up.
extension HTTPServer {
    /// libmicrohttpd's access handler. First call: headers only (`*uploadDataSize == 0`,
    /// `*requestState == nil`); then one call per body chunk; then a final call with size 0.
    func handleAccess(connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?,
                      uploadData: UnsafePointer<CChar>?, uploadDataSize: UnsafeMutablePointer<Int>,
                      requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> MHD_Result {
        if let raw = requestState.pointee {
            let context = Unmanaged<RequestContext>.fromOpaque(raw).takeUnretainedValue()
            let size = uploadDataSize.pointee
            if size > 0, let uploadData {
                uploadDataSize.pointee = 0
                return receive(UnsafeRawBufferPointer(start: uploadData, count: size), for: context, on: connection)
            }
            return complete(context, on: connection)
        }

        let (head, lengthHeaders) = makeHead(connection: connection, url: url, method: method)
        let context = RequestContext(head: head)
        requestState.pointee = Unmanaged.passRetained(context).toOpaque()
        recorder.requestStarted()

        // RFC 9112 6.3: more than one Content-Length (or one that is no number) is an
        // unrecoverable framing error; answering it closes the connection.
        if lengthHeaders.count > 1 || (lengthHeaders.count == 1 && head.contentLength == nil) {
            let detail = lengthHeaders.count > 1
                ? "The request has \(lengthHeaders.count) Content-Length headers; send exactly one."
                : "Content-Length \"\(lengthHeaders[0])\" is not a number of bytes."
            return answer(context, .problem(ProblemDetails(status: 400, code: "invalid_content_length", title: "Bad Request",
                                                           detail: detail)), on: connection)
        }

        switch responder.precheck(head) {
        case .refuse(let refusal):
            return answer(context, refusal, on: connection)
        case .accept(let bodyLimit):
            context.bodyLimit = min(bodyLimit, configuration.maxBodyBytes)
        }
        let hasBody = head.isChunked || (head.contentLength ?? 0) > 0
        // Refused here, nothing is read or written: a body on a route that takes none, or a
        // declared length over the limit.
        if hasBody, context.bodyLimit == 0 || (head.contentLength ?? 0) > context.bodyLimit {
            return answer(context, .problem(.payloadTooLarge(limit: context.bodyLimit, declared: head.contentLength,
                                                             route: "\(head.method) \(head.path)")), on: connection)
        }
        // No body: answer on the next call. A response queued on this first call makes
        // libmicrohttpd close the connection afterwards (it stops reading the request), which
        // is right for refusals but would end keep-alive for every request.
        guard hasBody else { return .YES }
        if head.mediaType == "multipart/form-data" {
            guard let collector = MultipartCollector(connection: connection, directory: configuration.uploadDirectory,
                                                     memoryLimit: configuration.maxInMemoryBody) else {
                return answer(context, .problem(HTTPServerError.malformedMultipart(
                    reason: "Content-Type multipart/form-data needs a boundary parameter").problem), on: connection)
            }
            context.multipart = collector
        } else {
            do {
                context.sink = try BodySink(directory: configuration.uploadDirectory,
                                            memoryLimit: configuration.maxInMemoryBody, expectedSize: head.contentLength)
            } catch {
                return answer(context, .problem(problem(for: error)), on: connection)
            }
        }
        return .YES
    }

    /// Bytes still read (and dropped) after a body was refused, hoping it ends so that the
    /// problem can be sent; libmicrohttpd 0.9.75 accepts no response while body data arrives.
    static let refusedBodyDrainBytes: Int64 = 1 << 20

    /// One body chunk. Over the limit or after a write failure the body is refused: its files
    /// are removed, the rest is dropped, and if it ends within `refusedBodyDrainBytes` the
    /// problem is answered; otherwise the connection is closed.
    private func receive(_ chunk: UnsafeRawBufferPointer, for context: RequestContext, on connection: OpaquePointer) -> MHD_Result {
        context.received += Int64(chunk.count)
        recorder.bodyBytesReceived(chunk.count)
        guard context.phase == .receiving else {
            return context.received - context.refusedAt > Self.refusedBodyDrainBytes ? refuseBody(context, on: connection) : .YES
        }
        if context.received > context.bodyLimit {
            context.failure = .problem(.payloadTooLarge(limit: context.bodyLimit))
        } else if isTrickling(context) {
            logger.notice("\(context.head.method) \(context.head.path): closing the connection, body of \(context.received) bytes too slow")
            context.removeFiles()
            return .NO
        } else if let multipart = context.multipart {
            if !multipart.process(chunk) {
                context.failure = .problem(multipart.failure?.problem
                    ?? HTTPServerError.malformedMultipart(reason: "unparsable body").problem)
            }
        } else if let sink = context.sink {
            do { try sink.append(chunk) } catch { context.failure = .problem(problem(for: error)) }
        }
        guard context.failure == nil else {
            context.phase = .failed
            context.refusedAt = context.received
            context.removeFiles()
            return .YES
        }
        return .YES
    }

    /// True when a body has taken longer than the connection timeout since its first byte and
    /// averages less than `minimumBodyBytesPerSecond` (a slow-loris client).
    private func isTrickling(_ context: RequestContext) -> Bool {
        guard configuration.connectionTimeout > 0 else { return false }
        guard let started = context.bodyStarted else {
            context.bodyStarted = .now
            return false
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return seconds > Double(configuration.connectionTimeout)
            && Double(context.received) / seconds < HTTPServerConfiguration.minimumBodyBytesPerSecond
    }

    /// Gives up on a refused body that goes on: closes the connection (libmicrohttpd accepts no
    /// response while body data is being delivered).
    private func refuseBody(_ context: RequestContext, on connection: OpaquePointer) -> MHD_Result {
        logger.notice("\(context.head.method) \(context.head.path): closing the connection, body refused after \(context.refusedAt) bytes (\(context.failure?.status ?? 0))")
        return .NO
    }

    /// The final call: finish the body, ask the responder, answer or suspend.
    private func complete(_ context: RequestContext, on connection: OpaquePointer) -> MHD_Result {
        switch context.phase {
        case .answered:
            return .YES
        case .failed:
            return answer(context, context.failure ?? .problem(problem(for: HTTPServerError.malformedMultipart(reason: "refused"))), on: connection)
        case .suspended:
            guard let response = takeDeferredResponse(context) else { return .YES }
            return answer(context, response, on: connection)
        case .receiving:
            break
        }
        var request = HTTPRequest(head: context.head)
        do {
            if let multipart = context.multipart {
                request.parts = try multipart.finish()
            } else if let sink = context.sink {
                request.body = try sink.finish()
            }
        } catch {
            context.removeFiles()
            return answer(context, .problem(problem(for: error)), on: connection)
        }
        if case .file(let file) = request.body { context.handedOver.append(file.url) }
        for part in request.parts {
            if case .file(let file) = part.body { context.handedOver.append(file.url) }
        }
        switch responder.respond(to: request) {
        case .immediate(let response):
            return answer(context, response, on: connection)
        case .deferred(let work):
            context.phase = .suspended
            guard suspend(context, connection: connection) else {
                return answer(context, .problem(ProblemDetails(
                    status: 503, code: "shutting_down", title: "Service Unavailable",
                    detail: "The server is shutting down; retry the request.")), on: connection)
            }
            Task(executorPreference: SerialQueueExecutor(label: "cubeseg.http.deferred")) {
                let response = await work()
                self.resume(context, with: response)
            }
            return .YES
        }
    }

    private func answer(_ context: RequestContext, _ response: HTTPResponse, on connection: OpaquePointer) -> MHD_Result {
        let queued = MHDResponse.queue(response, on: connection)
        context.phase = .answered
        context.status = queued.status
        context.bytesSent = queued.bytes
        if !queued.accepted {
            logger.error("libmicrohttpd refused the \(queued.status) response to \(context.head.method) \(context.head.path)")
            return .NO
        }
        return .YES
    }

    /// The request-completed notification: remove files left behind (all of them for an
    /// aborted request), record metrics, log one line.
    func handleCompleted(_ context: RequestContext, completedNormally: Bool, termination: Int) {
        context.removeFiles()
        defer { context.shutdownAnswered?.leave() }
        let elapsed = (ContinuousClock.now - context.started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        let status = completedNormally ? context.status : nil
        recorder.requestFinished(status: status, bytesSent: context.bytesSent, seconds: seconds)
        let milliseconds = (seconds * 1e4).rounded() / 10
        let outcome = status.map(String.init) ?? "aborted(\(Self.terminationName(termination)))"
        logger.info("\(context.head.method) \(context.head.path) \(outcome) in=\(context.received)B out=\(context.bytesSent)B \(milliseconds)ms",
                    metadata: ["remote": "\(context.head.remoteAddress)"])
    }

    private static func terminationName(_ code: Int) -> String {
        switch code {
        case 1: return "error"
        case 2: return "timeout"
        case 3: return "shutdown"
        case 4: return "read-error"
        case 5: return "client-abort"
        default: return "code \(code)"
        }
    }

    private func problem(for error: any Error) -> ProblemDetails {
        logger.error("request body: \(error)")
        if let error = error as? HTTPServerError { return error.problem }
        return ProblemDetails(status: 500, code: "internal_error", title: "Internal Server Error",
                              detail: ServerPaths.redacted("\(error)"))
    }

    // MARK: - Head

    private final class PairCollector {
        var pairs: [(String, String)] = []
    }

    /// The head, and every Content-Length value sent (to refuse duplicates).
    private func makeHead(connection: OpaquePointer, url: UnsafePointer<CChar>?, method: UnsafePointer<CChar>?)
        -> (HTTPRequestHead, lengthHeaders: [String]) {
        let headerPairs = Self.values(of: .HEADER_KIND, on: connection)
        var headers: [String: String] = [:]
        headers.reserveCapacity(headerPairs.count)
        for (name, value) in headerPairs {
            let key = name.lowercased()
            if headers[key] == nil { headers[key] = value }
        }
        let lengthHeaders = headerPairs.filter { $0.0.lowercased() == "content-length" }.map(\.1)
        let contentLength = headers["content-length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0 >= 0 ? $0 : nil }
        return (HTTPRequestHead(
            method: method.map { String(cString: $0) } ?? "GET",
            path: url.map { String(cString: $0) } ?? "/",
            queryItems: Self.values(of: .GET_ARGUMENT_KIND, on: connection),
            headers: headers,
            remoteAddress: SocketAddress.numericHost(of: cubeseg_mhd_client_address(connection)),
            contentLength: contentLength), lengthHeaders)
    }

    private static func values(of kind: MHD_ValueKind, on connection: OpaquePointer) -> [(String, String)] {
        let collector = PairCollector()
        withExtendedLifetime(collector) {
            _ = MHD_get_connection_values(connection, kind, { cls, _, key, value in
                let collector = Unmanaged<PairCollector>.fromOpaque(cls!).takeUnretainedValue()
                collector.pairs.append((key.map { String(cString: $0) } ?? "", value.map { String(cString: $0) } ?? ""))
                return .YES
            }, Unmanaged.passUnretained(collector).toOpaque())
        }
        return collector.pairs
    }
}
