import CubeCompression
import Foundation
import Testing
@testable import CubeImaging

@Suite struct ZlibTests {
    @Test func deflateThenInflateGivesBackTheInputAtEveryLevel() throws {
        var rng = TestRandom(seed: 1)
        let random = (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let repetitive = (0..<200_000).map { UInt8($0 % 7) }
        for input in [random, repetitive, [], [42]] {
            for level in [0, 1, 6, 9, -1] {
                let compressed = try Zlib.deflate(input, level: level)
                #expect(try Zlib.inflate(compressed) == input, "level \(level), \(input.count) bytes")
            }
        }
        #expect(try Zlib.deflate(repetitive, level: 9).count < repetitive.count / 50)
    }

    @Test func inflateGrowsItsBufferWhenTheSizeHintIsTooSmall() throws {
        let input = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 31 / 7) }
        #expect(try Zlib.inflate(try Zlib.deflate(input), expectedSize: 10) == input)
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        // The CRC-32 check value of the ASCII digits "123456789" (ISO 3309, as in PNG).
        #expect(Zlib.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        let whole = Zlib.crc32(Array("hello, world".utf8))
        let continued = Zlib.crc32(Array(", world".utf8), initial: Zlib.crc32(Array("hello".utf8)))
        #expect(whole == continued)
    }

    @Test func aTruncatedStreamIsReportedAsTruncated() throws {
        let compressed = try Zlib.deflate((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        #expect(throws: ZlibError.self) { try Zlib.inflate(Array(compressed.prefix(compressed.count / 2))) }
        do {
            _ = try Zlib.inflate(Array(compressed.prefix(compressed.count / 2)))
        } catch let ZlibError.truncatedStream(consumed, _) {
            #expect(consumed == compressed.count / 2)
        }
    }

    @Test func corruptDataIsReportedAsCorrupt() throws {
        var compressed = try Zlib.deflate(Array("some text that compresses, some text that compresses".utf8))
        compressed[0] = 0x00  // not a zlib header
        #expect {
            try Zlib.inflate(compressed)
        } throws: { error in
            if case ZlibError.corruptStream = error { return true } else { return false }
        }
    }

    @Test func inflatingPastTheLimitThrows() throws {
        let compressed = try Zlib.deflate([UInt8](repeating: 7, count: 1000))
        #expect(throws: ZlibError.outputLimitExceeded(limit: 999)) { try Zlib.inflate(compressed, limit: 999) }
        #expect(try Zlib.inflate(compressed, limit: 1000).count == 1000)
    }

    @Test func anInvalidLevelIsRejected() {
        #expect(throws: ZlibError.invalidLevel(12)) { try Zlib.deflate([1, 2, 3], level: 12) }
    }
}
