import Foundation

/// Why a file could not be read as a cube: names the file, the field, what was expected
/// and what was found.
public struct CubeFormatError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The broad kind of failure, for callers that branch on it (HTTP status, exit code).
    public enum Kind: String, Sendable, Codable {
        /// The header or metadata is malformed or inconsistent.
        case invalidHeader
        /// The data is shorter (or longer) than the header says.
        case sizeMismatch
        /// A valid file holding something CubeSeg does not read (complex dtype, 2-D array).
        case unsupported
        /// The file could not be opened or read.
        case io
        /// The format could not be determined, or a companion file is missing.
        case unknownFormat
    }

    public var kind: Kind
    /// The file concerned (a path, or `<bytes>` for in-memory parsing).
    public var file: String
    /// The header field or part of the file concerned (`shape`, `data type`, `NAXIS3`).
    public var field: String
    public var expected: String
    public var found: String

    public init(_ kind: Kind, file: String, field: String, expected: String, found: String) {
        self.kind = kind
        self.file = file
        self.field = field
        self.expected = expected
        self.found = found
    }

    public var description: String {
        "\(file): \(field): expected \(expected), found \(found)"
    }

    /// The same error attributed to `file` (parsers work on bytes and say `<bytes>`).
    func attributed(to file: String) -> CubeFormatError {
        var e = self
        e.file = file
        return e
    }
}
