import Foundation
import Testing
@testable import CubeImaging

/// PNGs from an independent encoder (Fixtures/make_fixtures.py: Python's zlib and struct)
/// decode to the pixels its formulas give, and our files pass an independent reader
/// (Fixtures/validate_png.py) when python3 is installed.
@Suite struct IndependentPNGTests {
    let width = 13, height = 10

    @Test func anRGBFileFromAnotherEncoderDecodesToItsPixels() throws {
        let image = try PNG.Decoder().decode(try Fixtures.bytes("python_rgb8.png"))
        #expect(image.colorType == .rgb && image.bitDepth == 8 && image.width == width && image.height == height)
        #expect(image.text == [PNG.TextEntry(keyword: "Software", text: "make_fixtures.py")])
        for y in 0..<height {
            for x in 0..<width {
                let expected = [(x * 37 + y * 11) % 256, (x * x + 3 * y) % 256, (x * y * 5 + 7) % 256]
                #expect((0..<3).map { image.sample(x: x, y: y, channel: $0) } == expected)
            }
        }
    }

    @Test func a16BitGrayscaleFileFromAnotherEncoderDecodesToItsPixels() throws {
        let image = try PNG.Decoder().decode(try Fixtures.bytes("python_gray16.png"))
        #expect(image.colorType == .grayscale && image.bitDepth == 16)
        for y in 0..<height { for x in 0..<width { #expect(image.sample(x: x, y: y) == (x * 4099 + y * 257) % 65536) } }
    }

    @Test func a2BitIndexedFileFromAnotherEncoderDecodesToItsIndicesAndPalette() throws {
        let image = try PNG.Decoder().decode(try Fixtures.bytes("python_indexed2.png"))
        #expect(image.colorType == .indexed && image.bitDepth == 2)
        #expect(image.palette == [PNG.RGBA(255, 0, 0, 0), PNG.RGBA(0, 255, 0, 128), PNG.RGBA(0, 0, 255), PNG.RGBA(255, 255, 255)])
        for y in 0..<height { for x in 0..<width { #expect(image.sample(x: x, y: y) == (x + 2 * y) % 4) } }
    }

    struct Report: Decodable {
        var width: Int, height: Int, bit_depth: Int, color_type: Int
        var chunks: [String], text: [String: String], palette: [Int], trns: [Int], samples: [Int]
    }

    @Test(.enabled(if: python3Path != nil, "python3 is not installed, so there is no independent PNG reader to ask"))
    func ourFilesPassAnIndependentReader() throws {
        var rng = TestRandom(seed: 11)
        try withTemporaryDirectory { directory in
            let script = Fixtures.directory.appendingPathComponent("validate_png.py").path
            for (type, depth) in [(PNG.ColorType.grayscale, 8), (.rgb, 8), (.rgba, 8), (.indexed, 8), (.indexed, 4), (.grayscale, 16), (.grayscaleAlpha, 8)] {
                var image = PNGRoundTripTests.randomImage(type, bitDepth: depth, width: 19, height: 11, using: &rng)
                image.text = [PNG.TextEntry(keyword: "Software", text: "CubeSeg")]
                let file = directory.appendingPathComponent("\(type.rawValue)-\(depth).png")
                try Data(try PNG.Encoder().encode(image)).write(to: file)
                let run = try #require(try runPython([script, file.path]))
                #expect(run.status == 0, "validate_png.py: \(run.stderr)")
                guard run.status == 0 else { continue }
                let report = try JSONDecoder().decode(Report.self, from: run.stdout)
                #expect(report.width == 19 && report.height == 11 && report.bit_depth == depth && report.color_type == Int(type.rawValue))
                #expect(report.text == ["Software": "CubeSeg"])
                let ours = (0..<11).flatMap { y in (0..<19).flatMap { x in (0..<type.channels).map { image.sample(x: x, y: y, channel: $0) } } }
                #expect(report.samples == ours)
                if type == .indexed { #expect(report.palette == image.palette.flatMap { [Int($0.r), Int($0.g), Int($0.b)] }) }
            }
        }
    }
}
