import CZlib
import Foundation

/// Whole-buffer deflate/inflate (zlib format, RFC 1950) and CRC-32, over the system zlib.
///
/// The only file that imports CZlib (PNG in CubeImaging, HDF5 gzip chunks in CubeFormats):
/// every zlib status becomes a `ZlibError` here. Each call owns one heap-allocated
/// `z_stream` (zlib keeps a back-pointer to it, so its address must not move between calls)
/// and ends it before returning; calls on different threads are independent.
public enum Zlib {
    /// zlib-format compression of `input` at `level` (0 = store, 1 = fastest ... 9 = smallest,
    /// -1 = zlib's default, 6).
    public static func deflate<Bytes: ContiguousBytes>(_ input: Bytes, level: Int = 6) throws -> [UInt8] {
        guard (-1...9).contains(level) else { throw ZlibError.invalidLevel(level) }
        return try input.withUnsafeBytes { try deflate(raw: $0, level: Int32(level)) }
    }

    /// Decompresses one zlib-format stream. `expectedSize` (when known) sizes the output
    /// buffer up front; inflating more than `limit` bytes throws `outputLimitExceeded`.
    /// Bytes after the end of the stream are ignored.
    public static func inflate<Bytes: ContiguousBytes>(_ input: Bytes, expectedSize: Int? = nil,
                                                       limit: Int = Int.max) throws -> [UInt8] {
        try input.withUnsafeBytes { try inflate(raw: $0, expectedSize: expectedSize, limit: limit) }
    }

    /// CRC-32 (ISO 3309 / PNG) of `bytes`, continuing from `initial` (0 to start).
    public static func crc32<Bytes: ContiguousBytes>(_ bytes: Bytes, initial: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32(raw: $0, initial: initial) }
    }

    /// Decompresses one zlib-format stream into `destination`, which it must fill exactly
    /// (one `inflate` call, no intermediate buffer: what a decoder of fixed-size blocks such
    /// as HDF5 chunks needs). Bytes after the end of the stream are ignored. Throws
    /// `shortStream` when the stream ends early, `outputLimitExceeded` when it holds more,
    /// `truncatedStream` when the input runs out, `corruptStream` for bad data.
    public static func inflate(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) throws {
        guard source.count <= Int(UInt32.max), destination.count <= Int(UInt32.max) else {
            throw ZlibError.failed(operation: "inflate", status: Z_BUF_ERROR, message: "buffers over 4 GiB")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        let initStatus = cubeseg_inflateInit(stream)
        guard initStatus == Z_OK else {
            throw ZlibError.initialisationFailed(operation: "inflate", status: initStatus, message: message(stream))
        }
        defer { inflateEnd(stream) }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(source.count)
        stream.pointee.next_out = destination.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(destination.count)
        // All input and all output room are given at once: anything but the stream's end fails.
        let status = CZlib.inflate(stream, Z_FINISH)
        let produced = destination.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_STREAM_END:
            guard produced == destination.count else { throw ZlibError.shortStream(expected: destination.count, produced: produced) }
        case Z_BUF_ERROR where stream.pointee.avail_out == 0:
            throw ZlibError.outputLimitExceeded(limit: destination.count)
        case Z_BUF_ERROR:
            throw ZlibError.truncatedStream(consumed: source.count, produced: produced)
        case Z_DATA_ERROR:
            throw ZlibError.corruptStream(message: message(stream))
        case Z_NEED_DICT:
            throw ZlibError.corruptStream(message: "the stream needs a preset dictionary")
        default:
            throw ZlibError.failed(operation: "inflate", status: status, message: message(stream))
        }
    }

    /// CRC-32 of raw bytes, continuing from `initial` (0 to start).
    public static func crc32(raw: UnsafeRawBufferPointer, initial: UInt32) -> UInt32 {
        var crc = uLong(initial)
        guard let base = raw.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return initial }
        var offset = 0
        while offset < raw.count {  // zlib takes 32-bit lengths
            let n = min(raw.count - offset, Int(UInt32.max))
            crc = CZlib.crc32(crc, base + offset, uInt(n))
            offset += n
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    private static func message(_ stream: UnsafeMutablePointer<z_stream>) -> String? {
        stream.pointee.msg.map { String(cString: $0) }
    }

    private static func deflate(raw input: UnsafeRawBufferPointer, level: Int32) throws -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        let initStatus = cubeseg_deflateInit(stream, level)
        guard initStatus == Z_OK else {
            throw ZlibError.initialisationFailed(operation: "deflate", status: initStatus, message: message(stream))
        }
        defer { deflateEnd(stream) }

        let inBase = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(input.count))) + 64)
        var fed = 0, produced = 0
        var status: Int32 = Z_OK
        repeat {
            if stream.pointee.avail_in == 0, fed < input.count, let inBase {
                let n = min(input.count - fed, Int(UInt32.max))
                stream.pointee.next_in = inBase + fed
                stream.pointee.avail_in = uInt(n)
                fed += n
            }
            if produced == output.count { output.append(contentsOf: repeatElement(0, count: max(4096, output.count))) }
            let room = min(output.count - produced, Int(UInt32.max))
            let flush = fed == input.count ? Z_FINISH : Z_NO_FLUSH
            status = output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_out = out.baseAddress! + produced
                stream.pointee.avail_out = uInt(room)
                let s = CZlib.deflate(stream, flush)
                produced += room - Int(stream.pointee.avail_out)
                return s
            }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw ZlibError.failed(operation: "deflate", status: status, message: message(stream))
            }
        } while status != Z_STREAM_END
        output.removeSubrange(produced...)
        return output
    }

    private static func inflate(raw input: UnsafeRawBufferPointer, expectedSize: Int?, limit: Int) throws -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        let initStatus = cubeseg_inflateInit(stream)
        guard initStatus == Z_OK else {
            throw ZlibError.initialisationFailed(operation: "inflate", status: initStatus, message: message(stream))
        }
        defer { inflateEnd(stream) }

        let inBase = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        // One byte of headroom above the limit tells "exactly limit" from "more than limit".
        let cap = limit == Int.max ? Int.max : limit + 1
        var output = [UInt8](repeating: 0, count: min(cap, max(64, (expectedSize ?? input.count * 4) + 1)))
        var fed = 0, produced = 0
        while true {
            if stream.pointee.avail_in == 0, fed < input.count, let inBase {
                let n = min(input.count - fed, Int(UInt32.max))
                stream.pointee.next_in = inBase + fed
                stream.pointee.avail_in = uInt(n)
                fed += n
            }
            if produced == output.count {
                guard output.count < cap else { throw ZlibError.outputLimitExceeded(limit: limit) }
                let grown = min(cap, output.count + max(4096, output.count))
                output.append(contentsOf: repeatElement(0, count: grown - output.count))
            }
            let room = min(output.count - produced, Int(UInt32.max))
            let status = output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_out = out.baseAddress! + produced
                stream.pointee.avail_out = uInt(room)
                let s = CZlib.inflate(stream, Z_NO_FLUSH)
                produced += room - Int(stream.pointee.avail_out)
                return s
            }
            if produced > limit { throw ZlibError.outputLimitExceeded(limit: limit) }
            switch status {
            case Z_STREAM_END:
                output.removeSubrange(produced...)
                return output
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                // No progress possible: either the output is full (grow it) or the input ran out.
                if stream.pointee.avail_in == 0 && fed == input.count && stream.pointee.avail_out > 0 {
                    throw ZlibError.truncatedStream(consumed: fed, produced: produced)
                }
            case Z_DATA_ERROR:
                throw ZlibError.corruptStream(message: message(stream))
            case Z_NEED_DICT:
                throw ZlibError.corruptStream(message: "the stream needs a preset dictionary")
            default:
                throw ZlibError.failed(operation: "inflate", status: status, message: message(stream))
            }
        }
    }
}
