/// Why result files cannot be made or written.
public enum ResultFilesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No label map for this K (`available`: the Ks the result has).
    case unknownK(Int, available: [Int])
    /// A label map does not have height * width entries.
    case labelCountMismatch(k: Int, count: Int, expected: Int)
    /// A label map or intensity image cannot become a PNG (e.g. a label above 254).
    case image(k: Int, reason: String)
    /// A file name that is not a plain name inside the directory.
    case invalidFileName(String)
    /// A system call failed on `path`.
    case io(operation: String, path: String, errno: Int32, message: String)

    public var description: String {
        switch self {
        case let .unknownK(k, available): return "no label map for K = \(k) (available: \(available.map(String.init).joined(separator: ", ")))"
        case let .labelCountMismatch(k, count, expected): return "label map for K = \(k) has \(count) values, expected \(expected)"
        case let .image(k, reason): return "label map for K = \(k) cannot be drawn: \(reason)"
        case let .invalidFileName(name): return "\"\(name)\" is not a plain file name"
        case let .io(op, path, code, message): return "\(op) \(path) failed: \(message) (errno \(code))"
        }
    }
}
