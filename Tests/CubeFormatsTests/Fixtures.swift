import Foundation
@testable import CubeFormats

/// The committed fixtures (scripts/make-fixtures.py) and the cube they all hold.
enum Fixture {
    static let height = 6, width = 5, channels = 16

    static func url(_ name: String) -> URL {
        Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!
    }

    /// The reference cube, computed here independently of any reader: row-major
    /// (height, width, channels), value (7y + 3x + 5c + (y x c mod 11)) mod 101, pixel (0, 0) zero.
    static let reference: [Float] = {
        var out: [Float] = []
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    out.append(y == 0 && x == 0 ? 0 : Float((7 * y + 3 * x + 5 * c + (y * x * c) % 11) % 101))
                }
            }
        }
        return out
    }()

    /// Runs `body` with a fresh scratch directory for files a test writes itself (bad input),
    /// uniquely named under the temporary directory; removes it with its contents when `body`
    /// returns or throws.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cubeformats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }
}
