import CZlib

/// Inflates one zlib-format stream (RFC 1950, as HDF5's deflate filter writes it) into a
/// buffer of exactly the expected size, over the system zlib.
///
/// The only CubeFormats file that imports CZlib: every zlib failure becomes a
/// `CubeFormatError` naming `file`, `field` and zlib's own message. Each call owns one
/// heap-allocated `z_stream` (zlib keeps a back-pointer to it, so its address must not move)
/// and ends it before returning; calls on different threads are independent.
enum ZlibInflate {
    /// Decompresses `source` into `destination`, which the stream must fill exactly: a
    /// stream that ends early, needs more output room or is corrupt throws
    /// (`.invalidHeader`, expected "a zlib stream of N bytes"). Bytes after the end of
    /// the stream are ignored (as HDF5 does).
    static func inflate(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer,
                        file: String, field: String) throws {
        let expected = "a zlib (deflate) stream inflating to \(destination.count) bytes"
        func failure(_ found: String) -> CubeFormatError {
            CubeFormatError(.invalidHeader, file: file, field: field, expected: expected, found: found)
        }
        guard source.count <= Int(UInt32.max), destination.count <= Int(UInt32.max) else {
            throw failure("a chunk of \(source.count) bytes (zlib takes at most 4 GiB at once)")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        let initStatus = cubeseg_inflateInit(stream)
        guard initStatus == Z_OK else {
            throw failure("inflateInit() failed: \(message(stream) ?? "zlib status \(initStatus)")")
        }
        defer { inflateEnd(stream) }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(source.count)
        stream.pointee.next_out = destination.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(destination.count)
        // One call: all input and all output room are given, so anything but the stream's end is a failure.
        let status = CZlib.inflate(stream, Z_FINISH)
        let produced = destination.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_STREAM_END:
            guard produced == destination.count else {
                throw failure("a stream that ends after \(produced) bytes")
            }
        case Z_BUF_ERROR where stream.pointee.avail_out == 0:
            throw failure("a stream longer than \(destination.count) bytes")
        case Z_BUF_ERROR:
            throw failure("a stream truncated after \(source.count) bytes (\(produced) bytes inflated)")
        case Z_NEED_DICT:
            throw failure("inflate() failed: the stream needs a preset dictionary")
        default:
            throw failure("inflate() failed: \(message(stream) ?? "zlib status \(status)") (zlib status \(status))")
        }
    }

    private static func message(_ stream: UnsafeMutablePointer<z_stream>) -> String? {
        stream.pointee.msg.map { String(cString: $0).printableASCII() }
    }
}
