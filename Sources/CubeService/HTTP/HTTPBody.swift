import Crypto
import Foundation

/// A request body as the responder receives it.
public enum HTTPBody: Sendable {
    /// No body (or an empty one).
    case none
    /// A body small enough to keep in memory (up to `maxInMemoryBody` bytes).
    case data(Data)
    /// A larger body, streamed to a file while it arrived.
    case file(StreamedFile)

    /// Size in bytes.
    public var count: Int64 {
        switch self {
        case .none: return 0
        case .data(let data): return Int64(data.count)
        case .file(let file): return file.size
        }
    }

    /// SHA-256 of the content, lowercase hex: the streamed file's hash, or computed for
    /// in-memory data.
    public var sha256Hex: String {
        switch self {
        case .none: return SHA256.hash(data: Data()).hexString
        case .data(let data): return SHA256.hash(data: data).hexString
        case .file(let file): return file.sha256Hex
        }
    }

    /// The body in memory: `.data` as is, `.none` as empty, `.file` read from disk (meant for
    /// small payloads such as JSON; a large file is better moved with `persist(to:)`).
    public func readData() throws -> Data {
        switch self {
        case .none: return Data()
        case .data(let data): return data
        case .file(let file): return try Data(contentsOf: file.url)
        }
    }

    /// Stores the body at `destination` (same file system as the upload directory for a cheap
    /// move): moves a streamed file, writes in-memory data atomically. Returns the size and the
    /// SHA-256 (lowercase hex) of what was stored.
    @discardableResult
    public func persist(to destination: URL) throws -> (size: Int64, sha256Hex: String) {
        switch self {
        case .file(let file):
            try FileManager.default.moveItem(at: file.url, to: destination)
            return (file.size, file.sha256Hex)
        case .data(let data):
            try data.write(to: destination, options: .atomic)
            return (Int64(data.count), SHA256.hash(data: data).hexString)
        case .none:
            try Data().write(to: destination, options: .atomic)
            return (0, SHA256.hash(data: Data()).hexString)
        }
    }
}

extension Digest {
    /// Lowercase hexadecimal rendering of the digest bytes.
    var hexString: String {
        var text = ""
        text.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            text += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }
        return text
    }
}
