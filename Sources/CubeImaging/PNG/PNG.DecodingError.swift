import CubeCompression
extension PNG {
    /// Why bytes are not a PNG this decoder can read.
    public enum DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The first eight bytes are not the PNG signature (`prefix`: what was there).
        case missingSignature(prefix: [UInt8])
        /// The data ends inside a chunk: `needed` bytes at `offset`, only `available` there.
        case truncated(offset: Int, needed: Int, available: Int)
        /// A chunk's length field exceeds 2^31 - 1.
        case invalidChunkLength(chunk: String, length: UInt32)
        /// A chunk's CRC does not match its type and data.
        case invalidChunkChecksum(chunk: String, declared: UInt32, computed: UInt32)
        /// A required chunk (IHDR, PLTE for indexed images, IDAT, IEND) is absent.
        case missingChunk(String)
        /// A chunk appears where the specification forbids it.
        case chunkOutOfOrder(chunk: String, reason: String)
        /// A chunk's content is malformed.
        case invalidChunk(chunk: String, reason: String)
        /// A critical chunk this decoder does not know.
        case unknownCriticalChunk(String)
        /// IHDR values that are not a valid PNG.
        case invalidHeader(reason: String)
        /// A colour type and bit depth combination PNG does not define.
        case unsupportedFormat(colorType: UInt8, bitDepth: UInt8)
        /// Adam7 interlacing (interlace method 1) is not supported.
        case interlaced
        /// More pixels than the decoder's limit.
        case imageTooLarge(width: Int, height: Int, maximumPixels: Int)
        /// The IDAT stream does not inflate.
        case compressedData(ZlibError)
        /// The inflated image data has the wrong size (`actual` nil: larger than expected).
        case imageDataSize(expected: Int, actual: Int?)
        /// A scanline's filter type byte is not 0...4.
        case invalidFilter(type: UInt8, row: Int)
        /// A pixel's palette index is not below the palette size.
        case paletteIndexOutOfRange(index: Int, paletteCount: Int, x: Int, y: Int)

        public var description: String {
            switch self {
            case let .missingSignature(p): return "not a PNG file: starts with \(p.map { String($0, radix: 16) })"
            case let .truncated(o, n, a): return "PNG data is truncated: \(n) byte(s) needed at offset \(o), \(a) available"
            case let .invalidChunkLength(c, l): return "PNG chunk \(c) declares length \(l), above 2^31 - 1"
            case let .invalidChunkChecksum(c, d, cp):
                return "PNG chunk \(c) has CRC \(String(d, radix: 16)) but its content gives \(String(cp, radix: 16))"
            case let .missingChunk(c): return "PNG has no \(c) chunk"
            case let .chunkOutOfOrder(c, r): return "PNG chunk \(c) is out of order: \(r)"
            case let .invalidChunk(c, r): return "PNG chunk \(c) is invalid: \(r)"
            case let .unknownCriticalChunk(c): return "PNG has an unknown critical chunk \(c)"
            case let .invalidHeader(r): return "PNG header is invalid: \(r)"
            case let .unsupportedFormat(t, d): return "PNG colour type \(t) with bit depth \(d) is not defined by the specification"
            case .interlaced: return "interlaced (Adam7) PNG is not supported; save the image without interlacing"
            case let .imageTooLarge(w, h, m): return "PNG is \(w) x \(h) pixels, above the limit of \(m)"
            case let .compressedData(e): return "PNG image data does not inflate: \(e)"
            case let .imageDataSize(e, a):
                return "PNG image data inflates to \(a.map(String.init) ?? "more than \(e)") byte(s), expected \(e)"
            case let .invalidFilter(t, r): return "PNG row \(r) has filter type \(t), expected 0...4"
            case let .paletteIndexOutOfRange(i, c, x, y): return "PNG pixel (\(x), \(y)) has palette index \(i) but the palette has \(c) entries"
            }
        }
    }
}
