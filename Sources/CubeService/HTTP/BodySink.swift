import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Collects one body as it arrives: in memory up to `memoryLimit` bytes, then in
/// `<directory>/<uuid>.part` through a 1 MiB write buffer, hashed with SHA-256 as the buffer is
/// flushed. `finish()` fsyncs and renames the file to `<uuid>.upload`; `discard()` removes it.
/// Used by one libmicrohttpd thread at a time (the connection's).
final class BodySink {
    static let writeBufferSize = 1 << 20

    private let directory: URL
    private let memoryLimit: Int
    private var memory = Data()
    private var descriptor: Int32 = -1
    private var buffer: UnsafeMutableRawBufferPointer?
    private var buffered = 0
    private var hasher = SHA256()
    private var flushedBytes: Int64 = 0
    private(set) var size: Int64 = 0
    private(set) var partURL: URL?
    private(set) var finalURL: URL?

    /// `expectedSize` (from Content-Length) above `memoryLimit` goes to disk from the start;
    /// `memoryLimit` 0 always streams to disk.
    init(directory: URL, memoryLimit: Int, expectedSize: Int64?) throws {
        self.directory = directory
        self.memoryLimit = memoryLimit
        if memoryLimit == 0 || (expectedSize ?? 0) > Int64(memoryLimit) {
            try openFile()
        } else if let expectedSize, expectedSize > 0 {
            memory.reserveCapacity(Int(expectedSize))
        }
    }

    deinit {
        buffer?.deallocate()
        if descriptor >= 0 { close(descriptor) }
    }

    var isOnDisk: Bool { descriptor >= 0 || finalURL != nil }

    /// Appends one chunk of the body.
    func append(_ chunk: UnsafeRawBufferPointer) throws {
        guard chunk.count > 0 else { return }
        size += Int64(chunk.count)
        if descriptor < 0 {
            if memory.count + chunk.count <= memoryLimit {
                memory.append(contentsOf: chunk)
                return
            }
            try openFile()
            let spilled = memory
            memory = Data()
            try spilled.withUnsafeBytes { try copyToBuffer($0) }
        }
        try copyToBuffer(chunk)
    }

    /// Completes the body: `.none` when empty, `.data` in memory, or `.file` fsynced and
    /// renamed to its final name.
    func finish() throws -> HTTPBody {
        guard descriptor >= 0, let partURL else {
            return memory.isEmpty ? .none : .data(memory)
        }
        try flush()
        guard fsync(descriptor) == 0 else { throw HTTPServerError.bodyWriteFailed(path: partURL.path, errno: errno) }
        close(descriptor)
        descriptor = -1
        buffer?.deallocate()
        buffer = nil
        let finalURL = partURL.deletingPathExtension().appendingPathExtension("upload")
        guard rename(partURL.path, finalURL.path) == 0 else {
            throw HTTPServerError.bodyWriteFailed(path: finalURL.path, errno: errno)
        }
        self.partURL = nil
        self.finalURL = finalURL
        return .file(StreamedFile(url: finalURL, size: size, sha256Hex: hasher.finalize().hexString))
    }

    /// Removes whatever is on disk (the `.part` file, or the finished file if the responder
    /// did not move it). Safe to call more than once.
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        for url in [partURL, finalURL].compactMap({ $0 }) { unlink(url.path) }
        partURL = nil
        finalURL = nil
        memory = Data()
    }

    private func openFile() throws {
        let url = directory.appendingPathComponent(UUID().uuidString.lowercased()).appendingPathExtension("part")
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HTTPServerError.bodyWriteFailed(path: url.path, errno: errno) }
        descriptor = fd
        partURL = url
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.writeBufferSize, alignment: 4096)
    }

    private func copyToBuffer(_ chunk: UnsafeRawBufferPointer) throws {
        guard let buffer else { return }
        var offset = 0
        while offset < chunk.count {
            let n = min(chunk.count - offset, buffer.count - buffered)
            (buffer.baseAddress! + buffered).copyMemory(from: chunk.baseAddress! + offset, byteCount: n)
            buffered += n
            offset += n
            if buffered == buffer.count { try flush() }
        }
    }

    /// Hashes and writes the buffered bytes.
    private func flush() throws {
        guard let buffer, buffered > 0 else { return }
        let pending = UnsafeRawBufferPointer(rebasing: buffer[0..<buffered])
        hasher.update(bufferPointer: pending)
        var written = 0
        while written < pending.count {
            let n = write(descriptor, pending.baseAddress! + written, pending.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw HTTPServerError.bodyWriteFailed(path: partURL?.path ?? "?", errno: errno)
            }
            written += n
        }
        flushedBytes += Int64(buffered)
        buffered = 0
    }
}
