extension PNG {
    /// A decoded (or to-be-encoded) non-interlaced image.
    ///
    /// `samples` is row major, pixel by pixel, channels interleaved in the colour type's
    /// order (e.g. R, G, B, A). Bit depths below 8 are unpacked: one byte per sample holding
    /// a value in `0 ..< 2^bitDepth` (for indexed images, the palette index). Bit depth 16
    /// keeps PNG's layout: two bytes per sample, big endian. So
    /// `samples.count == width * height * colorType.channels * (bitDepth == 16 ? 2 : 1)`.
    public struct Image: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var colorType: ColorType
        public var bitDepth: Int
        public var samples: [UInt8]
        /// Indexed images: the PLTE colours, with alpha from tRNS (255 where tRNS gives none).
        /// Empty for the other colour types.
        public var palette: [RGBA]
        /// Grayscale and RGB images: the sample values (one per channel) that tRNS marks as
        /// fully transparent, or nil.
        public var transparentKey: [UInt16]?
        /// tEXt chunks, in file order.
        public var text: [TextEntry]

        public init(width: Int, height: Int, colorType: ColorType, bitDepth: Int = 8, samples: [UInt8],
                    palette: [RGBA] = [], transparentKey: [UInt16]? = nil, text: [TextEntry] = []) {
            self.width = width; self.height = height; self.colorType = colorType; self.bitDepth = bitDepth
            self.samples = samples; self.palette = palette; self.transparentKey = transparentKey; self.text = text
        }

        /// An 8-bit grayscale image over `pixels` (row major, `width * height` values).
        public static func grayscale(width: Int, height: Int, pixels: [UInt8], text: [TextEntry] = []) -> Image {
            Image(width: width, height: height, colorType: .grayscale, samples: pixels, text: text)
        }

        /// An 8-bit RGB image over `pixels` (row major, R, G, B per pixel).
        public static func rgb(width: Int, height: Int, pixels: [UInt8], text: [TextEntry] = []) -> Image {
            Image(width: width, height: height, colorType: .rgb, samples: pixels, text: text)
        }

        /// An 8-bit RGBA image over `pixels` (row major, R, G, B, A per pixel).
        public static func rgba(width: Int, height: Int, pixels: [UInt8], text: [TextEntry] = []) -> Image {
            Image(width: width, height: height, colorType: .rgba, samples: pixels, text: text)
        }

        /// An 8-bit indexed image: `indices` (row major) into `palette` (1...256 colours;
        /// entries with alpha below 255 go into tRNS).
        public static func indexed(width: Int, height: Int, indices: [UInt8], palette: [RGBA], text: [TextEntry] = []) -> Image {
            Image(width: width, height: height, colorType: .indexed, samples: indices, palette: palette, text: text)
        }

        /// Bytes per sample in `samples`: 2 for bit depth 16, else 1.
        public var bytesPerSample: Int { bitDepth == 16 ? 2 : 1 }

        /// The value of sample `channel` of pixel (x, y), in `0 ..< 2^bitDepth`.
        public func sample(x: Int, y: Int, channel: Int = 0) -> Int {
            let i = ((y * width + x) * colorType.channels + channel) * bytesPerSample
            return bitDepth == 16 ? Int(samples[i]) << 8 | Int(samples[i + 1]) : Int(samples[i])
        }

        /// The 8-bit colour of pixel (x, y): palette lookup for indexed images, grey copied to
        /// R, G and B, samples scaled to 0...255 for other bit depths; alpha from the alpha
        /// channel, the palette or the transparent key (255 otherwise).
        public func color(x: Int, y: Int) -> RGBA {
            let maxValue = (1 << bitDepth) - 1
            func scaled(_ v: Int) -> UInt8 { UInt8((v * 255 + maxValue / 2) / maxValue) }
            let channels = (0..<colorType.channels).map { sample(x: x, y: y, channel: $0) }
            let keyed = transparentKey.map { $0.map(Int.init) == channels } ?? false
            switch colorType {
            case .indexed:
                return palette[channels[0]]
            case .grayscale:
                let g = scaled(channels[0])
                return RGBA(g, g, g, keyed ? 0 : 255)
            case .grayscaleAlpha:
                let g = scaled(channels[0])
                return RGBA(g, g, g, scaled(channels[1]))
            case .rgb:
                return RGBA(scaled(channels[0]), scaled(channels[1]), scaled(channels[2]), keyed ? 0 : 255)
            case .rgba:
                return RGBA(scaled(channels[0]), scaled(channels[1]), scaled(channels[2]), scaled(channels[3]))
            }
        }

        /// Bytes of one packed scanline (without the filter byte).
        var rowBytes: Int { (width * colorType.channels * bitDepth + 7) / 8 }
        /// Bytes per complete pixel, at least 1: the distance the Sub/Average/Paeth filters look back.
        var filterStride: Int { max(1, colorType.channels * bitDepth / 8) }
    }
}
