import CubeCompression
import Foundation
import Testing
@testable import CubeImaging

@Suite struct PNGRoundTripTests {
    /// A random image of the given format; indexed images get a random palette with some alpha.
    static func randomImage(_ type: PNG.ColorType, bitDepth: Int, width: Int, height: Int,
                            using rng: inout TestRandom) -> PNG.Image {
        let count = width * height * type.channels * (bitDepth == 16 ? 2 : 1)
        if type == .indexed {
            let size = Int.random(in: 1...(1 << bitDepth), using: &rng)
            let palette = (0..<size).map { _ in
                PNG.RGBA(UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng),
                         UInt8.random(in: 0...255, using: &rng), Bool.random(using: &rng) ? 255 : UInt8.random(in: 0...255, using: &rng))
            }
            let indices = (0..<count).map { _ in UInt8.random(in: 0..<UInt8(size - 1) + 1, using: &rng) }
            return PNG.Image(width: width, height: height, colorType: .indexed, bitDepth: bitDepth, samples: indices, palette: palette)
        }
        let top = bitDepth >= 8 ? 255 : (1 << bitDepth) - 1
        // Smooth-ish content half the time, so that filters other than None get chosen.
        let smooth = Bool.random(using: &rng)
        let samples = (0..<count).map { i in
            smooth ? UInt8(truncatingIfNeeded: (i / max(1, type.channels)) % (top + 1) + Int.random(in: 0...1, using: &rng)) & UInt8(top)
                   : UInt8.random(in: 0...UInt8(top), using: &rng)
        }
        return PNG.Image(width: width, height: height, colorType: type, bitDepth: bitDepth, samples: samples)
    }

    @Test func randomImagesOfEveryFormatSurviveEncodeThenDecode() throws {
        var rng = TestRandom(seed: 7)
        let strategies: [PNG.Encoder.FilterStrategy] = [.adaptive] + PNG.Filter.allCases.map { .fixed($0) }
        for type in PNG.ColorType.allCases {
            for depth in type.allowedBitDepths {
                for trial in 0..<8 {
                    let width = Int.random(in: 1...37, using: &rng), height = Int.random(in: 1...23, using: &rng)
                    var image = Self.randomImage(type, bitDepth: depth, width: width, height: height, using: &rng)
                    image.text = trial == 0 ? [PNG.TextEntry(keyword: "Software", text: "CubeSeg"),
                                              PNG.TextEntry(keyword: "Description", text: "K = 3, caf\u{e9}")] : []
                    let strategy = strategies[trial % strategies.count]
                    let encoder = PNG.Encoder(filter: strategy, compressionLevel: trial % 10, maximumIDATSize: trial == 3 ? 17 : 1 << 20)
                    let decoded = try PNG.Decoder().decode(try encoder.encode(image))
                    #expect(decoded == image, "\(type) depth \(depth) \(width)x\(height) \(strategy)")
                }
            }
        }
    }

    @Test func theAdaptiveFilterPicksTheRowFilterWithTheSmallestSumOfAbsoluteValues() throws {
        // Every row is the ramp 0, 1, 2, ...: Sub leaves 0, 1, 1, 1 ... on the first row, and
        // Up leaves only zeros on the others (Paeth ties with Up, which comes first).
        let width = 40, height = 6
        let pixels = (0..<(width * height)).map { UInt8($0 % width) }
        let png = try PNG.Encoder(filter: .adaptive).encode(.grayscale(width: width, height: height, pixels: pixels))
        let idat = chunks(of: png).filter { $0.type == "IDAT" }.flatMap(\.data)
        let raw = try Zlib.inflate(idat)
        let filters = (0..<height).map { raw[$0 * (width + 1)] }
        #expect(filters == [PNG.Filter.sub.rawValue] + Array(repeating: PNG.Filter.up.rawValue, count: height - 1))
    }

    @Test func aFixedFilterIsUsedOnEveryRow() throws {
        var rng = TestRandom(seed: 3)
        let image = Self.randomImage(.rgb, bitDepth: 8, width: 9, height: 7, using: &rng)
        for filter in PNG.Filter.allCases {
            let png = try PNG.Encoder(filter: .fixed(filter)).encode(image)
            let raw = try Zlib.inflate(chunks(of: png).filter { $0.type == "IDAT" }.flatMap(\.data))
            #expect((0..<7).allSatisfy { raw[$0 * (9 * 3 + 1)] == filter.rawValue })
        }
    }

    @Test func chunksComeInOrderWithCorrectChecksums() throws {
        let palette = [PNG.RGBA(1, 2, 3), PNG.RGBA(4, 5, 6, 0), PNG.RGBA(7, 8, 9)]
        let image = PNG.Image.indexed(width: 3, height: 2, indices: [0, 1, 2, 2, 1, 0], palette: palette,
                                      text: [PNG.TextEntry(keyword: "Software", text: "CubeSeg")])
        let png = try PNG.Encoder(maximumIDATSize: 8).encode(image)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let list = chunks(of: png)
        let types = list.map(\.type)
        #expect(types.first == "IHDR" && types.last == "IEND")
        #expect(Array(types.prefix(4)) == ["IHDR", "PLTE", "tRNS", "tEXt"])
        #expect(types.filter { $0 == "IDAT" }.count >= 2)
        for c in list { #expect(c.crc == Zlib.crc32(Array(c.type.utf8) + c.data), "\(c.type)") }
        #expect(list[1].data == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(list[2].data == [255, 0])  // alpha up to the last non-opaque entry
        #expect(list[3].data == Array("Software".utf8) + [0] + Array("CubeSeg".utf8))
        #expect(list[0].data == [0, 0, 0, 3, 0, 0, 0, 2, 8, 3, 0, 0, 0])
    }

    @Test func transparentKeysOfGrayAndRGBImagesRoundTrip() throws {
        var image = PNG.Image.rgb(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        image.transparentKey = [1, 2, 3]
        let decoded = try PNG.Decoder().decode(try PNG.Encoder().encode(image))
        #expect(decoded.transparentKey == [1, 2, 3])
        #expect(decoded.color(x: 0, y: 0).a == 0 && decoded.color(x: 1, y: 0).a == 255)
    }

    @Test func encodingRejectsImagesThatDoNotMatchTheirFormat() {
        let encoder = PNG.Encoder()
        #expect(throws: PNG.EncodingError.sampleCountMismatch(expected: 6, actual: 5)) {
            try encoder.encode(.grayscale(width: 3, height: 2, pixels: [0, 1, 2, 3, 4]))
        }
        #expect(throws: PNG.EncodingError.paletteIndexOutOfRange(index: 2, paletteCount: 2, x: 1, y: 1)) {
            try encoder.encode(.indexed(width: 2, height: 2, indices: [0, 1, 1, 2], palette: [PNG.RGBA(0, 0, 0), PNG.RGBA(1, 1, 1)]))
        }
        #expect(throws: PNG.EncodingError.unsupportedBitDepth(4, colorType: .rgb)) {
            try encoder.encode(PNG.Image(width: 1, height: 1, colorType: .rgb, bitDepth: 4, samples: [0, 0, 0]))
        }
        #expect(throws: PNG.EncodingError.sampleOutOfRange(value: 4, bitDepth: 2, index: 1)) {
            try encoder.encode(PNG.Image(width: 2, height: 1, colorType: .grayscale, bitDepth: 2, samples: [3, 4]))
        }
        #expect(throws: PNG.EncodingError.invalidDimensions(width: 0, height: 1)) {
            try encoder.encode(.grayscale(width: 0, height: 1, pixels: []))
        }
        #expect(throws: PNG.EncodingError.self) {
            try encoder.encode(.grayscale(width: 1, height: 1, pixels: [0], text: [PNG.TextEntry(keyword: " lead", text: "x")]))
        }
        #expect(throws: PNG.EncodingError.self) {
            try encoder.encode(.grayscale(width: 1, height: 1, pixels: [0], text: [PNG.TextEntry(keyword: "K", text: "\u{3b2}")]))
        }
        #expect(throws: PNG.EncodingError.invalidCompressionLevel(11)) {
            try PNG.Encoder(compressionLevel: 11).encode(.grayscale(width: 1, height: 1, pixels: [0]))
        }
    }
}
