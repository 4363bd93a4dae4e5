import CubeCompression

/// Inflates one zlib-format stream (RFC 1950, as HDF5's deflate filter writes it) into a
/// buffer of exactly the expected size, through `Zlib` (CubeCompression, the one owner of
/// the system zlib); every `ZlibError` becomes a `CubeFormatError` naming `file`, `field`
/// and zlib's own message.
enum ZlibInflate {
    /// Decompresses `source` into `destination`, which the stream must fill exactly: a
    /// stream that ends early, needs more output room or is corrupt throws
    /// (`.invalidHeader`, expected "a zlib stream of N bytes"). Bytes after the end of
    /// the stream are ignored (as HDF5 does).
    static func inflate(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer,
                        file: String, field: String) throws {
        do {
            try Zlib.inflate(source, into: destination)
        } catch let error as ZlibError {
            let found: String
            switch error {
            case let .shortStream(_, produced): found = "a stream that ends after \(produced) bytes"
            case let .outputLimitExceeded(limit): found = "a stream longer than \(limit) bytes"
            case let .truncatedStream(consumed, produced):
                found = "a stream truncated after \(consumed) bytes (\(produced) bytes inflated)"
            case let .corruptStream(message): found = "inflate() failed: \((message ?? "corrupt data").printableASCII())"
            default: found = error.description.printableASCII()
            }
            throw CubeFormatError(.invalidHeader, file: file, field: field,
                                  expected: "a zlib (deflate) stream inflating to \(destination.count) bytes", found: found)
        }
    }
}
