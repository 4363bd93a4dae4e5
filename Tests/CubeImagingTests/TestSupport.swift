import Foundation
@testable import CubeImaging

/// SplitMix64: a tiny seeded generator so random test images are reproducible.
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Fixtures {
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// Runs `body` with a fresh directory, uniquely named `cubeimaging-<UUID>` under the temporary
/// directory ($TMPDIR, else /tmp), and removes it with its contents when `body` returns or throws.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cubeimaging-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// The path of python3 on PATH (or /usr/bin), nil when it is not installed.
let python3Path: String? = {
    let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        + ["/usr/bin/python3", "/usr/local/bin/python3"]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Runs `python3` with `arguments`; nil when python3 is not installed.
func runPython(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String)? {
    guard let python = python3Path else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, stdout, stderr)
}

/// Splits PNG bytes into (type, data, crc) chunks without the decoder.
func chunks(of png: [UInt8]) -> [(type: String, data: [UInt8], crc: UInt32)] {
    var out: [(String, [UInt8], UInt32)] = []
    var i = 8
    while i + 12 <= png.count {
        let n = Int(PNG.Decoder.readUInt32(png, i))
        let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
        out.append((type, Array(png[(i + 8)..<(i + 8 + n)]), PNG.Decoder.readUInt32(png, i + 8 + n)))
        i += 12 + n
    }
    return out
}

/// Rebuilds a PNG from chunks, computing correct CRCs.
func assemble(_ chunks: [(type: String, data: [UInt8])]) -> [UInt8] {
    var out = PNG.signature
    for c in chunks { PNG.Encoder.appendChunk(c.type, c.data, to: &out) }
    return out
}
