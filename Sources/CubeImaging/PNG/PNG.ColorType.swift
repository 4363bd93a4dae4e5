extension PNG {
    /// The colour type of the IHDR chunk: what one pixel's samples mean.
    public enum ColorType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        /// One grey sample per pixel (bit depths 1, 2, 4, 8, 16).
        case grayscale = 0
        /// Red, green, blue (bit depths 8, 16).
        case rgb = 2
        /// One palette index per pixel (bit depths 1, 2, 4, 8); colours in PLTE, alpha in tRNS.
        case indexed = 3
        /// Grey and alpha (bit depths 8, 16).
        case grayscaleAlpha = 4
        /// Red, green, blue, alpha (bit depths 8, 16).
        case rgba = 6

        /// Samples per pixel.
        public var channels: Int {
            switch self {
            case .grayscale, .indexed: return 1
            case .grayscaleAlpha: return 2
            case .rgb: return 3
            case .rgba: return 4
            }
        }

        /// The bit depths the PNG specification allows for this colour type.
        public var allowedBitDepths: [Int] {
            switch self {
            case .grayscale: return [1, 2, 4, 8, 16]
            case .indexed: return [1, 2, 4, 8]
            case .rgb, .grayscaleAlpha, .rgba: return [8, 16]
            }
        }

        public var description: String {
            switch self {
            case .grayscale: return "grayscale"
            case .rgb: return "RGB"
            case .indexed: return "indexed"
            case .grayscaleAlpha: return "grayscale+alpha"
            case .rgba: return "RGBA"
            }
        }
    }
}
