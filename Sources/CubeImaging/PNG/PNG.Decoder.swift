import CubeCompression
import Foundation

extension PNG {
    /// Decodes non-interlaced PNG bytes into a `PNG.Image`: colour types 0, 2, 3, 4, 6 at
    /// every bit depth the specification allows, all five filters, CRC checking, PLTE, tRNS
    /// and tEXt. Unknown ancillary chunks are skipped; unknown critical chunks are errors.
    public struct Decoder: Sendable {
        /// Images with more pixels than this are refused before inflating.
        public var maximumPixels: Int
        /// Verify every chunk's CRC.
        public var checksCRC: Bool

        public init(maximumPixels: Int = 1 << 26, checksCRC: Bool = true) {
            self.maximumPixels = maximumPixels; self.checksCRC = checksCRC
        }

        public func decode(_ data: Data) throws -> Image { try decode([UInt8](data)) }

        public func decode(_ bytes: [UInt8]) throws -> Image {
            guard bytes.count >= 8, Array(bytes[0..<8]) == PNG.signature else {
                throw DecodingError.missingSignature(prefix: Array(bytes.prefix(8)))
            }
            var header: Header?
            var palette: [RGBA] = []
            var alphas: [UInt8]?
            var transparentKey: [UInt16]?
            var text: [TextEntry] = []
            var idat: [UInt8] = []
            var idatState = 0  // 0: none yet, 1: inside the IDAT run, 2: IDAT run over
            var offset = 8
            var ended = false
            while !ended {
                guard bytes.count - offset >= 8 else {
                    if offset == bytes.count { throw DecodingError.missingChunk("IEND") }
                    throw DecodingError.truncated(offset: offset, needed: 8, available: bytes.count - offset)
                }
                let length = Self.readUInt32(bytes, offset)
                let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
                guard length <= UInt32(Int32.max) else { throw DecodingError.invalidChunkLength(chunk: type, length: length) }
                let dataStart = offset + 8, dataEnd = dataStart + Int(length)
                guard bytes.count - dataStart >= Int(length) + 4 else {
                    throw DecodingError.truncated(offset: dataStart, needed: Int(length) + 4, available: bytes.count - dataStart)
                }
                if checksCRC {
                    let declared = Self.readUInt32(bytes, dataEnd)
                    let computed = bytes[(offset + 4)..<dataEnd].withUnsafeBytes { Zlib.crc32(raw: $0, initial: 0) }
                    guard declared == computed else {
                        throw DecodingError.invalidChunkChecksum(chunk: type, declared: declared, computed: computed)
                    }
                }
                let data = bytes[dataStart..<dataEnd]
                offset = dataEnd + 4

                if header == nil && type != "IHDR" {
                    throw DecodingError.chunkOutOfOrder(chunk: type, reason: "IHDR must come first")
                }
                if idatState == 1 && type != "IDAT" { idatState = 2 }
                switch type {
                case "IHDR":
                    guard header == nil else { throw DecodingError.chunkOutOfOrder(chunk: type, reason: "a second IHDR") }
                    let h = try Header(data)
                    guard h.width * h.height <= maximumPixels else {
                        throw DecodingError.imageTooLarge(width: h.width, height: h.height, maximumPixels: maximumPixels)
                    }
                    header = h
                case "PLTE":
                    guard idatState == 0 else { throw DecodingError.chunkOutOfOrder(chunk: type, reason: "PLTE after IDAT") }
                    guard palette.isEmpty else { throw DecodingError.chunkOutOfOrder(chunk: type, reason: "a second PLTE") }
                    let colorType = header!.colorType
                    guard colorType != .grayscale && colorType != .grayscaleAlpha else {
                        throw DecodingError.chunkOutOfOrder(chunk: type, reason: "PLTE is not allowed in a \(colorType) image")
                    }
                    guard data.count % 3 == 0, (3...768).contains(data.count) else {
                        throw DecodingError.invalidChunk(chunk: type, reason: "\(data.count) bytes is not 1 ... 256 RGB entries")
                    }
                    if colorType == .indexed {  // for RGB(A) it is only a suggestion: ignore it
                        palette = stride(from: data.startIndex, to: data.endIndex, by: 3).map { RGBA(bytes[$0], bytes[$0 + 1], bytes[$0 + 2]) }
                        guard palette.count <= 1 << header!.bitDepth else {
                            throw DecodingError.invalidChunk(chunk: type, reason: "\(palette.count) entries exceed bit depth \(header!.bitDepth)")
                        }
                    }
                case "tRNS":
                    guard idatState == 0 else { throw DecodingError.chunkOutOfOrder(chunk: type, reason: "tRNS after IDAT") }
                    switch header!.colorType {
                    case .indexed:
                        guard !palette.isEmpty else { throw DecodingError.chunkOutOfOrder(chunk: type, reason: "tRNS before PLTE") }
                        guard data.count <= palette.count else {
                            throw DecodingError.invalidChunk(chunk: type, reason: "\(data.count) alphas for \(palette.count) palette entries")
                        }
                        alphas = Array(data)
                    case .grayscale, .rgb:
                        let channels = header!.colorType.channels
                        guard data.count == 2 * channels else {
                            throw DecodingError.invalidChunk(chunk: type, reason: "\(data.count) bytes, expected \(2 * channels)")
                        }
                        transparentKey = (0..<channels).map { UInt16(data[data.startIndex + 2 * $0]) << 8 | UInt16(data[data.startIndex + 2 * $0 + 1]) }
                    case .grayscaleAlpha, .rgba:
                        throw DecodingError.chunkOutOfOrder(chunk: type, reason: "tRNS is not allowed in an image with an alpha channel")
                    }
                case "tEXt":
                    if let nul = data.firstIndex(of: 0) {
                        let latin1 = { (s: ArraySlice<UInt8>) in String(String.UnicodeScalarView(s.map { Unicode.Scalar($0) })) }
                        text.append(TextEntry(keyword: latin1(data[..<nul]), text: latin1(data[(nul + 1)...])))
                    }
                case "IDAT":
                    guard idatState != 2 else { throw DecodingError.chunkOutOfOrder(chunk: type, reason: "IDAT chunks must be consecutive") }
                    if header!.colorType == .indexed && palette.isEmpty { throw DecodingError.missingChunk("PLTE") }
                    idatState = 1
                    idat += data
                case "IEND":
                    ended = true
                default:
                    if let first = type.utf8.first, first & 0x20 == 0 { throw DecodingError.unknownCriticalChunk(type) }
                }
            }
            guard idatState != 0 else { throw DecodingError.missingChunk("IDAT") }
            let h = header!
            if let alphas { for (i, a) in alphas.enumerated() { palette[i].a = a } }
            var image = Image(width: h.width, height: h.height, colorType: h.colorType, bitDepth: h.bitDepth, samples: [],
                              palette: palette, transparentKey: transparentKey, text: text)
            image.samples = try unfilter(idat, image: image)
            if image.colorType == .indexed {
                let count = palette.count
                if let i = image.samples.firstIndex(where: { Int($0) >= count }) {
                    throw DecodingError.paletteIndexOutOfRange(index: Int(image.samples[i]), paletteCount: count,
                                                               x: i % image.width, y: i / image.width)
                }
            }
            return image
        }

        /// Inflates the IDAT stream, reverses the filters and unpacks samples (see `Image.samples`).
        private func unfilter(_ idat: [UInt8], image: Image) throws -> [UInt8] {
            let rowBytes = image.rowBytes, stride = image.filterStride
            let expected = image.height * (1 + rowBytes)
            var raw: [UInt8]
            do { raw = try Zlib.inflate(idat, expectedSize: expected, limit: expected) }
            catch ZlibError.outputLimitExceeded { throw DecodingError.imageDataSize(expected: expected, actual: nil) }
            catch let error as ZlibError { throw DecodingError.compressedData(error) }
            guard raw.count == expected else { throw DecodingError.imageDataSize(expected: expected, actual: raw.count) }

            let samplesPerRow = image.width * image.colorType.channels
            let outRowBytes = image.bitDepth < 8 ? samplesPerRow : rowBytes
            var out = [UInt8](repeating: 0, count: image.height * outRowBytes)
            let zeros = [UInt8](repeating: 0, count: rowBytes)
            try raw.withUnsafeMutableBufferPointer { raw in
                try zeros.withUnsafeBufferPointer { zeros in
                    try out.withUnsafeMutableBufferPointer { out in
                        for y in 0..<image.height {
                            let start = y * (1 + rowBytes)
                            guard let filter = Filter(rawValue: raw[start]) else {
                                throw DecodingError.invalidFilter(type: raw[start], row: y)
                            }
                            let row = UnsafeMutableBufferPointer(rebasing: raw[(start + 1)..<(start + 1 + rowBytes)])
                            let previous = y == 0 ? zeros
                                : UnsafeBufferPointer(rebasing: raw[(start - rowBytes)..<start])
                            Filter.reverse(filter, row: row, previous: previous, stride: stride)
                            let dst = y * outRowBytes
                            if image.bitDepth >= 8 {
                                for i in 0..<rowBytes { out[dst + i] = row[i] }
                            } else {
                                let perByte = 8 / image.bitDepth, mask = UInt8((1 << image.bitDepth) - 1)
                                for i in 0..<samplesPerRow {
                                    let shift = 8 - image.bitDepth * (i % perByte + 1)
                                    out[dst + i] = (row[i / perByte] >> shift) & mask
                                }
                            }
                        }
                    }
                }
            }
            return out
        }

        static func readUInt32(_ bytes: [UInt8], _ i: Int) -> UInt32 {
            UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
        }

        /// The IHDR fields.
        struct Header {
            var width: Int, height: Int, bitDepth: Int, colorType: ColorType

            init(_ data: ArraySlice<UInt8>) throws {
                guard data.count == 13 else { throw DecodingError.invalidChunk(chunk: "IHDR", reason: "\(data.count) bytes, expected 13") }
                let d = Array(data)
                let w = Decoder.readUInt32(d, 0), h = Decoder.readUInt32(d, 4)
                guard (1...UInt32(Int32.max)).contains(w), (1...UInt32(Int32.max)).contains(h) else {
                    throw DecodingError.invalidHeader(reason: "dimensions \(w) x \(h) are outside 1 ... 2^31 - 1")
                }
                guard let type = ColorType(rawValue: d[9]), type.allowedBitDepths.contains(Int(d[8])) else {
                    throw DecodingError.unsupportedFormat(colorType: d[9], bitDepth: d[8])
                }
                guard d[10] == 0 else { throw DecodingError.invalidHeader(reason: "compression method \(d[10]), expected 0") }
                guard d[11] == 0 else { throw DecodingError.invalidHeader(reason: "filter method \(d[11]), expected 0") }
                switch d[12] {
                case 0: break
                case 1: throw DecodingError.interlaced
                default: throw DecodingError.invalidHeader(reason: "interlace method \(d[12]), expected 0")
                }
                width = Int(w); height = Int(h); bitDepth = Int(d[8]); colorType = type
            }
        }
    }
}
