/// A zlib failure, with the status zlib returned and its message when it gave one.
public enum ZlibError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `deflateInit`/`inflateInit` failed (bad level, no memory, incompatible library).
    case initialisationFailed(operation: String, status: Int32, message: String?)
    /// The compressed stream is corrupt (`Z_DATA_ERROR`), e.g. a bad header or checksum.
    case corruptStream(message: String?)
    /// The compressed stream ended before zlib saw its end marker.
    case truncatedStream(consumed: Int, produced: Int)
    /// The stream ended after `produced` bytes where exactly `expected` were required.
    case shortStream(expected: Int, produced: Int)
    /// Inflating would produce more than `limit` bytes.
    case outputLimitExceeded(limit: Int)
    /// The compression level is outside -1...9.
    case invalidLevel(Int)
    /// Any other status zlib returned during `operation`.
    case failed(operation: String, status: Int32, message: String?)

    public var description: String {
        switch self {
        case let .initialisationFailed(op, status, message):
            return "zlib \(op) initialisation failed with status \(status)\(message.map { ": \($0)" } ?? "")"
        case let .corruptStream(message):
            return "zlib stream is corrupt\(message.map { ": \($0)" } ?? "")"
        case let .truncatedStream(consumed, produced):
            return "zlib stream ends early after \(consumed) input byte(s) (\(produced) byte(s) inflated)"
        case let .shortStream(expected, produced):
            return "zlib stream ends after \(produced) of the \(expected) byte(s) expected"
        case let .outputLimitExceeded(limit):
            return "inflated data exceeds the limit of \(limit) byte(s)"
        case let .invalidLevel(level):
            return "zlib compression level \(level) is outside -1...9"
        case let .failed(op, status, message):
            return "zlib \(op) failed with status \(status)\(message.map { ": \($0)" } ?? "")"
        }
    }
}
