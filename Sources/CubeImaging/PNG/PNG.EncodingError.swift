import CubeCompression
extension PNG {
    /// Why an image cannot be encoded.
    public enum EncodingError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Width and height must be 1 ... 2^31 - 1.
        case invalidDimensions(width: Int, height: Int)
        /// The colour type does not allow this bit depth.
        case unsupportedBitDepth(Int, colorType: ColorType)
        /// `samples` does not hold `expected` bytes.
        case sampleCountMismatch(expected: Int, actual: Int)
        /// A sample does not fit in the bit depth.
        case sampleOutOfRange(value: UInt8, bitDepth: Int, index: Int)
        /// Indexed images need 1 ... min(256, 2^bitDepth) palette entries.
        case invalidPaletteSize(count: Int, maximum: Int)
        /// A pixel's palette index is not below the palette size.
        case paletteIndexOutOfRange(index: Int, paletteCount: Int, x: Int, y: Int)
        /// A transparent key needs one value per channel, each below 2^bitDepth.
        case invalidTransparentKey([UInt16])
        /// A tEXt keyword or text that PNG cannot store.
        case invalidText(keyword: String, reason: String)
        /// The compression level is outside 0...9.
        case invalidCompressionLevel(Int)
        case compression(ZlibError)

        public var description: String {
            switch self {
            case let .invalidDimensions(w, h): return "PNG dimensions \(w) x \(h) are outside 1 ... 2^31 - 1"
            case let .unsupportedBitDepth(d, t): return "bit depth \(d) is not allowed for \(t) PNG (allowed: \(t.allowedBitDepths))"
            case let .sampleCountMismatch(e, a): return "image has \(a) sample byte(s), expected \(e)"
            case let .sampleOutOfRange(v, d, i): return "sample \(i) is \(v), too large for bit depth \(d)"
            case let .invalidPaletteSize(c, m): return "palette has \(c) entries, must be 1 ... \(m)"
            case let .paletteIndexOutOfRange(i, c, x, y): return "pixel (\(x), \(y)) has palette index \(i) but the palette has \(c) entries"
            case let .invalidTransparentKey(k): return "transparent key \(k) does not fit the image's channels and bit depth"
            case let .invalidText(k, r): return "tEXt \"\(k)\": \(r)"
            case let .invalidCompressionLevel(l): return "compression level \(l) is outside 0...9"
            case let .compression(e): return "PNG compression failed: \(e)"
            }
        }
    }
}
