import CubeCompression
import Foundation

extension PNG {
    /// Encodes a `PNG.Image` into PNG bytes: IHDR, PLTE and tRNS when needed, tEXt, IDAT, IEND,
    /// each with its CRC. Non-interlaced, filter method 0, every bit depth the specification
    /// allows for each colour type.
    public struct Encoder: Sendable {
        /// How each scanline's filter is chosen.
        public enum FilterStrategy: Sendable, Equatable {
            /// Per row, the filter whose output has the minimum sum of absolute values
            /// (bytes read as signed), the heuristic of the PNG specification.
            case adaptive
            /// The same filter for every row.
            case fixed(Filter)
        }

        public var filter: FilterStrategy
        /// zlib level 0 (store) ... 9 (smallest).
        public var compressionLevel: Int
        /// Largest IDAT chunk; bigger image data is split across consecutive IDATs.
        public var maximumIDATSize: Int

        public init(filter: FilterStrategy = .adaptive, compressionLevel: Int = 6, maximumIDATSize: Int = 1 << 20) {
            self.filter = filter; self.compressionLevel = compressionLevel
            self.maximumIDATSize = max(1, min(maximumIDATSize, Int(Int32.max)))
        }

        /// The PNG bytes of `image` (its `text` entries become tEXt chunks).
        public func encode(_ image: Image) throws -> [UInt8] {
            try validate(image)
            var out = PNG.signature
            var header = [UInt8]()
            header.appendBigEndian(UInt32(image.width))
            header.appendBigEndian(UInt32(image.height))
            header += [UInt8(image.bitDepth), image.colorType.rawValue, 0, 0, 0]
            Self.appendChunk("IHDR", header, to: &out)
            if image.colorType == .indexed {
                Self.appendChunk("PLTE", image.palette.flatMap { [$0.r, $0.g, $0.b] }, to: &out)
                if let last = image.palette.lastIndex(where: { $0.a != 255 }) {
                    Self.appendChunk("tRNS", image.palette[...last].map(\.a), to: &out)
                }
            } else if let key = image.transparentKey {
                var bytes = [UInt8]()
                for v in key { bytes.appendBigEndian(v) }
                Self.appendChunk("tRNS", bytes, to: &out)
            }
            for entry in image.text {
                Self.appendChunk("tEXt", Array(entry.keyword.unicodeScalars.map { UInt8($0.value) }) + [0]
                                 + entry.text.unicodeScalars.map { UInt8($0.value) }, to: &out)
            }
            let compressed: [UInt8]
            do { compressed = try Zlib.deflate(filteredScanlines(image), level: compressionLevel) }
            catch let error as ZlibError { throw EncodingError.compression(error) }
            var start = 0
            repeat {
                let end = min(compressed.count, start + maximumIDATSize)
                Self.appendChunk("IDAT", compressed[start..<end], to: &out)
                start = end
            } while start < compressed.count
            Self.appendChunk("IEND", [], to: &out)
            return out
        }

        /// `encode(image)` as `Data`.
        public func encodeData(_ image: Image) throws -> Data { Data(try encode(image)) }

        // MARK: - Validation

        private func validate(_ image: Image) throws {
            let limit = Int(Int32.max)
            guard (1...limit).contains(image.width), (1...limit).contains(image.height) else {
                throw EncodingError.invalidDimensions(width: image.width, height: image.height)
            }
            guard image.colorType.allowedBitDepths.contains(image.bitDepth) else {
                throw EncodingError.unsupportedBitDepth(image.bitDepth, colorType: image.colorType)
            }
            guard (0...9).contains(compressionLevel) else { throw EncodingError.invalidCompressionLevel(compressionLevel) }
            let expected = image.width * image.height * image.colorType.channels * image.bytesPerSample
            guard image.samples.count == expected else {
                throw EncodingError.sampleCountMismatch(expected: expected, actual: image.samples.count)
            }
            if image.colorType == .indexed {
                let maximum = min(256, 1 << image.bitDepth)
                guard (1...maximum).contains(image.palette.count) else {
                    throw EncodingError.invalidPaletteSize(count: image.palette.count, maximum: maximum)
                }
                let count = image.palette.count
                if let i = image.samples.firstIndex(where: { Int($0) >= count }) {
                    throw EncodingError.paletteIndexOutOfRange(index: Int(image.samples[i]), paletteCount: count,
                                                               x: i % image.width, y: i / image.width)
                }
            } else if image.bitDepth < 8 {
                let maximum = UInt8((1 << image.bitDepth) - 1)
                if let i = image.samples.firstIndex(where: { $0 > maximum }) {
                    throw EncodingError.sampleOutOfRange(value: image.samples[i], bitDepth: image.bitDepth, index: i)
                }
            }
            if let key = image.transparentKey {
                let channels = image.colorType == .grayscale ? 1 : 3
                guard image.colorType == .grayscale || image.colorType == .rgb, key.count == channels,
                      key.allSatisfy({ Int($0) < 1 << image.bitDepth }) else {
                    throw EncodingError.invalidTransparentKey(key)
                }
            }
            for entry in image.text {
                let k = entry.keyword.unicodeScalars
                guard (1...79).contains(k.count) else {
                    throw EncodingError.invalidText(keyword: entry.keyword, reason: "keyword must have 1 to 79 characters")
                }
                guard k.allSatisfy({ (32...126).contains($0.value) || (161...255).contains($0.value) }) else {
                    throw EncodingError.invalidText(keyword: entry.keyword, reason: "keyword must be printable Latin-1")
                }
                guard k.first != " ", k.last != " ", !entry.keyword.contains("  ") else {
                    throw EncodingError.invalidText(keyword: entry.keyword, reason: "keyword has leading, trailing or double spaces")
                }
                guard entry.text.unicodeScalars.allSatisfy({ $0.value != 0 && $0.value <= 255 }) else {
                    throw EncodingError.invalidText(keyword: entry.keyword, reason: "text must be Latin-1 without NUL")
                }
            }
        }

        // MARK: - Scanlines

        /// Packs the samples into scanlines and filters them: `height * (1 + rowBytes)` bytes.
        func filteredScanlines(_ image: Image) -> [UInt8] {
            let rowBytes = image.rowBytes, stride = image.filterStride
            var out = [UInt8](repeating: 0, count: image.height * (1 + rowBytes))
            var current = [UInt8](repeating: 0, count: rowBytes)
            var previous = [UInt8](repeating: 0, count: rowBytes)
            var candidate = [UInt8](repeating: 0, count: rowBytes)
            let samplesPerRow = image.width * image.colorType.channels
            image.samples.withUnsafeBufferPointer { samples in
                out.withUnsafeMutableBufferPointer { out in
                    for y in 0..<image.height {
                        current.withUnsafeMutableBufferPointer { row in
                            Self.pack(samples, row: y, samplesPerRow: samplesPerRow, bitDepth: image.bitDepth, into: row)
                        }
                        let line = UnsafeMutableBufferPointer(rebasing: out[(y * (1 + rowBytes) + 1)..<((y + 1) * (1 + rowBytes))])
                        current.withUnsafeBufferPointer { row in
                            previous.withUnsafeBufferPointer { prev in
                                let chosen: Filter
                                switch filter {
                                case .fixed(let f):
                                    chosen = f
                                    Filter.apply(f, row: row, previous: prev, stride: stride, into: line)
                                case .adaptive:
                                    var best = Filter.none, bestCost = Int.max
                                    candidate.withUnsafeMutableBufferPointer { cand in
                                        for f in Filter.allCases {
                                            Filter.apply(f, row: row, previous: prev, stride: stride, into: cand)
                                            let c = Filter.cost(UnsafeBufferPointer(cand))
                                            if c < bestCost {
                                                bestCost = c; best = f
                                                _ = line.update(fromContentsOf: cand)
                                            }
                                        }
                                    }
                                    chosen = best
                                }
                                out[y * (1 + rowBytes)] = chosen.rawValue
                            }
                        }
                        swap(&current, &previous)
                    }
                }
            }
            return out
        }

        /// Row `row` of the samples, packed into PNG bytes (MSB first below 8 bits).
        private static func pack(_ samples: UnsafeBufferPointer<UInt8>, row: Int, samplesPerRow: Int, bitDepth: Int,
                                 into out: UnsafeMutableBufferPointer<UInt8>) {
            if bitDepth >= 8 {
                let n = out.count
                for i in 0..<n { out[i] = samples[row * n + i] }
                return
            }
            for i in 0..<out.count { out[i] = 0 }
            let base = row * samplesPerRow, perByte = 8 / bitDepth
            for i in 0..<samplesPerRow {
                let shift = 8 - bitDepth * (i % perByte + 1)
                out[i / perByte] |= samples[base + i] << shift
            }
        }

        // MARK: - Chunks

        static func appendChunk<C: Collection>(_ type: String, _ data: C, to out: inout [UInt8]) where C.Element == UInt8 {
            out.appendBigEndian(UInt32(data.count))
            let start = out.count
            out += Array(type.utf8)
            out += data
            let crc = out[start...].withUnsafeBufferPointer { Zlib.crc32(raw: UnsafeRawBufferPointer($0), initial: 0) }
            out.appendBigEndian(crc)
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ v: UInt32) {
        append(contentsOf: [UInt8(truncatingIfNeeded: v >> 24), UInt8(truncatingIfNeeded: v >> 16),
                            UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)])
    }
    mutating func appendBigEndian(_ v: UInt16) {
        append(contentsOf: [UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)])
    }
}
