import CubeCompression
import Foundation
import Testing
@testable import CubeImaging

@Suite struct PNGDecoderErrorTests {
    static let sample = try! PNG.Encoder().encode(.rgb(width: 4, height: 3, pixels: (0..<36).map { UInt8($0 * 7) }))

    @Test func aFlippedByteIsReportedAsABadChecksumOfItsChunk() throws {
        var png = Self.sample
        png[8 + 8 + 2] ^= 0x01  // inside IHDR's data (the width)
        let ihdr = chunks(of: Self.sample)[0]
        var damaged = Array("IHDR".utf8) + ihdr.data
        damaged[4 + 2] ^= 0x01
        #expect(throws: PNG.DecodingError.invalidChunkChecksum(chunk: "IHDR", declared: ihdr.crc, computed: Zlib.crc32(damaged))) {
            try PNG.Decoder().decode(png)
        }
        #expect(throws: (any Error).self) { try PNG.Decoder(checksCRC: false).decode(png) }  // now a 4x? image with too little data
    }

    @Test func truncatedDataIsReportedAsTruncated() {
        let png = Array(Self.sample.prefix(Self.sample.count - 20))
        #expect {
            try PNG.Decoder().decode(png)
        } throws: { error in
            if case PNG.DecodingError.truncated = error { return true } else { return false }
        }
        // Cut exactly after a chunk: IEND is missing.
        let withoutIEND = Array(Self.sample.prefix(Self.sample.count - 12))
        #expect(throws: PNG.DecodingError.missingChunk("IEND")) { try PNG.Decoder().decode(withoutIEND) }
    }

    @Test func bytesWithoutTheSignatureAreNotAPNG() {
        #expect(throws: PNG.DecodingError.missingSignature(prefix: Array("GIF89a".utf8))) {
            try PNG.Decoder().decode(Array("GIF89a".utf8))
        }
    }

    @Test func interlacedImagesAreRejectedWithAClearError() {
        var list = chunks(of: Self.sample).map { (type: $0.type, data: $0.data) }
        list[0].data[12] = 1
        #expect(throws: PNG.DecodingError.interlaced) { try PNG.Decoder().decode(assemble(list)) }
        #expect(PNG.DecodingError.interlaced.description.contains("Adam7"))
    }

    @Test func anUnknownFilterTypeNamesItsRow() throws {
        // 2 x 2 grayscale, second row has filter type 7.
        let raw: [UInt8] = [0, 10, 20, 7, 30, 40]
        let list: [(type: String, data: [UInt8])] = [
            ("IHDR", [0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0]), ("IDAT", try Zlib.deflate(raw)), ("IEND", []),
        ]
        #expect(throws: PNG.DecodingError.invalidFilter(type: 7, row: 1)) { try PNG.Decoder().decode(assemble(list)) }
    }

    @Test func unknownCriticalChunksAreErrorsAndUnknownAncillaryChunksAreSkipped() throws {
        var list = chunks(of: Self.sample).map { (type: $0.type, data: $0.data) }
        list.insert((type: "ruSt", data: [1, 2, 3]), at: 1)
        #expect(try PNG.Decoder().decode(assemble(list)) == PNG.Decoder().decode(Self.sample))
        list[1].type = "RUST"
        #expect(throws: PNG.DecodingError.unknownCriticalChunk("RUST")) { try PNG.Decoder().decode(assemble(list)) }
    }

    @Test func indexedImagesNeedAPaletteThatCoversEveryIndex() throws {
        let raw: [UInt8] = [0, 0, 1, 0, 2, 3]
        let ihdr: [UInt8] = [0, 0, 0, 2, 0, 0, 0, 2, 8, 3, 0, 0, 0]
        let withPalette: [(type: String, data: [UInt8])] = [
            ("IHDR", ihdr), ("PLTE", [0, 0, 0, 9, 9, 9, 5, 5, 5]), ("IDAT", try Zlib.deflate(raw)), ("IEND", []),
        ]
        #expect(throws: PNG.DecodingError.paletteIndexOutOfRange(index: 3, paletteCount: 3, x: 1, y: 1)) {
            try PNG.Decoder().decode(assemble(withPalette))
        }
        let withoutPalette = withPalette.filter { $0.type != "PLTE" }
        #expect(throws: PNG.DecodingError.missingChunk("PLTE")) { try PNG.Decoder().decode(assemble(withoutPalette)) }
    }

    @Test func imageDataOfTheWrongSizeIsReported() throws {
        let list: [(type: String, data: [UInt8])] = [
            ("IHDR", [0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0]), ("IDAT", try Zlib.deflate([0, 1, 2, 0, 3])), ("IEND", []),
        ]
        #expect(throws: PNG.DecodingError.imageDataSize(expected: 6, actual: 5)) { try PNG.Decoder().decode(assemble(list)) }
        let long: [(type: String, data: [UInt8])] = [list[0], ("IDAT", try Zlib.deflate([UInt8](repeating: 0, count: 9))), list[2]]
        #expect(throws: PNG.DecodingError.imageDataSize(expected: 6, actual: nil)) { try PNG.Decoder().decode(assemble(long)) }
    }

    @Test func headersWithUndefinedFormatsAreRejected() throws {
        var list = chunks(of: Self.sample).map { (type: $0.type, data: $0.data) }
        list[0].data[8] = 4  // RGB at 4 bits
        #expect(throws: PNG.DecodingError.unsupportedFormat(colorType: 2, bitDepth: 4)) { try PNG.Decoder().decode(assemble(list)) }
    }

    @Test func imagesAboveThePixelLimitAreRefusedBeforeInflating() {
        #expect(throws: PNG.DecodingError.imageTooLarge(width: 4, height: 3, maximumPixels: 11)) {
            try PNG.Decoder(maximumPixels: 11).decode(Self.sample)
        }
    }
}

@Suite struct PNGDecoderRobustnessTests {
    /// Damaged files (random bytes changed, cut short, chunks swapped) either decode or throw
    /// a `PNG.DecodingError`; with CRC checks off the damage reaches every chunk parser.
    @Test func damagedFilesThrowDecodingErrorsAndNeverCrash() throws {
        var rng = TestRandom(seed: 99)
        var sources: [[UInt8]] = []
        for (type, depth) in [(PNG.ColorType.indexed, 2), (.indexed, 8), (.rgba, 16), (.grayscale, 1), (.rgb, 8)] {
            var image = PNGRoundTripTests.randomImage(type, bitDepth: depth, width: 9, height: 7, using: &rng)
            image.text = [PNG.TextEntry(keyword: "Software", text: "CubeSeg")]
            sources.append(try PNG.Encoder().encode(image))
        }
        var outcomes = (decoded: 0, rejected: 0)
        for trial in 0..<1500 {
            var png = sources[trial % sources.count]
            switch trial % 3 {
            case 0:
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 8..<png.count, using: &rng)
                    png[i] = UInt8.random(in: 0...255, using: &rng)
                }
            case 1:
                png = Array(png.prefix(Int.random(in: 0..<png.count, using: &rng)))
            default:
                var list = chunks(of: png).map { (type: $0.type, data: $0.data) }
                list.swapAt(Int.random(in: 0..<list.count, using: &rng), Int.random(in: 0..<list.count, using: &rng))
                png = assemble(list)
            }
            do {
                _ = try PNG.Decoder(checksCRC: trial % 2 == 0).decode(png)
                outcomes.decoded += 1
            } catch is PNG.DecodingError {
                outcomes.rejected += 1
            }
        }
        #expect(outcomes.rejected > 0)
        #expect(outcomes.decoded + outcomes.rejected == 1500)
    }
}
