import CMicroHTTPD
import Foundation

/// Streams a `multipart/form-data` body through libmicrohttpd's post processor: each part goes
/// to its own `BodySink` (file parts always to disk, hashed; plain fields in memory up to the
/// in-memory limit). Used by one libmicrohttpd thread at a time (the connection's).
final class MultipartCollector {
    private struct OpenPart {
        var name: String
        var filename: String?
        var contentType: String?
        var sink: BodySink
        var sawData = false
    }

    /// Post processor buffer: the largest slice handed to the iterator at once.
    static let processorBufferSize = 64 << 10

    private let directory: URL
    private let memoryLimit: Int
    private var processor: OpaquePointer?
    private var current: OpenPart?
    private var finished: [(name: String, filename: String?, contentType: String?, sink: BodySink)] = []
    private(set) var failure: HTTPServerError?

    /// Nil when libmicrohttpd cannot parse this request's Content-Type (no boundary, ...).
    init?(connection: OpaquePointer, directory: URL, memoryLimit: Int) {
        self.directory = directory
        self.memoryLimit = memoryLimit
        let context = Unmanaged.passUnretained(self).toOpaque()
        processor = MHD_create_post_processor(connection, Self.processorBufferSize, { cls, _, key, filename, contentType, _, data, offset, size in
            let collector = Unmanaged<MultipartCollector>.fromOpaque(cls!).takeUnretainedValue()
            return collector.receive(key: key, filename: filename, contentType: contentType,
                                     data: data, offset: offset, size: size) ? .YES : .NO
        }, context)
        if processor == nil { return nil }
    }

    deinit {
        if let processor { MHD_destroy_post_processor(processor) }
    }

    /// Feeds one chunk of the raw body; false once parsing or writing failed (see `failure`).
    func process(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil, let processor else { return false }
        let ok = MHD_post_process(processor, chunk.baseAddress!.assumingMemoryBound(to: CChar.self), chunk.count) == .YES
        if !ok && failure == nil { failure = .malformedMultipart(reason: "the body does not follow its multipart boundary") }
        return ok
    }

    /// Ends parsing and completes every part (files fsynced and renamed).
    func finish() throws -> [MultipartPart] {
        if let processor {
            MHD_destroy_post_processor(processor)
            self.processor = nil
        }
        if let failure { throw failure }
        closeCurrent()
        return try finished.map { part in
            MultipartPart(name: part.name, filename: part.filename, contentType: part.contentType,
                          body: try part.sink.finish())
        }
    }

    /// Removes every file written for this body.
    func discard() {
        current?.sink.discard()
        current = nil
        for part in finished { part.sink.discard() }
    }

    private func receive(key: UnsafePointer<CChar>?, filename: UnsafePointer<CChar>?,
                         contentType: UnsafePointer<CChar>?, data: UnsafePointer<CChar>?,
                         offset: UInt64, size: Int) -> Bool {
        let name = key.map { String(cString: $0) } ?? ""
        let file = filename.map { String(cString: $0) }
        if offset == 0, current == nil || current!.sawData || current!.name != name || current!.filename != file {
            closeCurrent()
            do {
                // A file part always goes to disk; a plain field stays in memory while small.
                let sink = try BodySink(directory: directory, memoryLimit: file == nil ? memoryLimit : 0, expectedSize: nil)
                current = OpenPart(name: name, filename: file, contentType: contentType.map { String(cString: $0) }, sink: sink)
            } catch let error as HTTPServerError {
                failure = error
                return false
            } catch {
                failure = .malformedMultipart(reason: "\(error)")
                return false
            }
        }
        guard size > 0, let data else { return true }
        current!.sawData = true
        do {
            try current!.sink.append(UnsafeRawBufferPointer(start: data, count: size))
        } catch let error as HTTPServerError {
            failure = error
            return false
        } catch {
            failure = .malformedMultipart(reason: "\(error)")
            return false
        }
        return true
    }

    private func closeCurrent() {
        guard let part = current else { return }
        finished.append((part.name, part.filename, part.contentType, part.sink))
        current = nil
    }
}
