import Foundation
import Testing
@testable import CubeFormats

/// The channel-major fast paths (BSQ, BIL), the vectorised conversions and `scatter`,
/// checked bit for bit against a reference that decodes each stored element on its own.
@Suite struct TransposeKernelTests {
    /// (height, width, channels): channels below, at and off the 4 x 4 and 16-channel tiles,
    /// single rows, single columns and single pixels.
    static let shapes: [(Int, Int, Int)] = [(3, 5, 37), (1, 7, 16), (4, 1, 9), (2, 3, 1), (5, 4, 33), (1, 1, 1), (3, 6, 64), (2, 9, 4)]

    @Test("raw files of every interleave, byte order and type read back as the reference, bit for bit",
          arguments: CubeDataType.allCases, Interleave.allCases)
    func rawReads(_ type: CubeDataType, _ interleave: Interleave) throws {
        try Fixture.withTemporaryDirectory { dir in
            var generator = SplitMix(seed: UInt64(type.byteSize * 31 + interleave.rawValue.count))
            for order in ByteOrder.allCases {
                for (h, w, c) in Self.shapes {
                    let bytes = (0..<(h * w * c * type.byteSize)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    let url = dir.appendingPathComponent("\(type)-\(interleave)-\(order)-\(h)x\(w)x\(c).raw")
                    try Data([0, 0, 0] + bytes).write(to: url)  // 3 header bytes: every element unaligned
                    let expected = Self.reference(bytes, h, w, c, type, order, interleave)
                    var options = CubeOpenOptions()
                    options.raw = RawLayout(height: h, width: w, channels: c, dataType: type, byteOrder: order,
                                            interleave: interleave, headerOffset: 3)
                    let cube = try CubeReader.open(url, options: options)
                    let label = "\(type) \(interleave) \(order) \(h)x\(w)x\(c)"
                    #expect(try cube.readAll().map(\.bitPattern) == expected, "\(label) all")
                    var blocks: [UInt32] = []
                    try cube.forEachRowBlock(rowsPerBlock: 2) { _, values in blocks += values.map(\.bitPattern) }
                    #expect(blocks == expected, "\(label) blocks of 2 rows")
                    let rows = (h / 2)..<h
                    #expect(try cube.readRows(rows).map(\.bitPattern) == Array(expected[(rows.lowerBound * w * c)...]), "\(label) rows \(rows)")
                }
            }
        }
    }

    @Test("tiny staging, other tile sizes and two worker threads give the same values",
          arguments: Interleave.allCases, [CubeDataType.float32, .int16, .uint32, .float64])
    func storageSettings(_ interleave: Interleave, _ type: CubeDataType) throws {
        try Fixture.withTemporaryDirectory { dir in
            var generator = SplitMix(seed: 7)
            let (h, w, c) = (5, 11, 37)
            let bytes = (0..<(h * w * c * type.byteSize)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let url = dir.appendingPathComponent("cube.raw")
            try Data(bytes).write(to: url)
            let file = try BinaryFile(path: url.path)
            for order in ByteOrder.allCases {
                let expected = Self.reference(bytes, h, w, c, type, order, interleave)
                for (scratch, tile, workers) in [(1, 16, 1), (100, 16, 2), (700, 5, 2), (4096, 32, 2), (1 << 20, 1, 1), (1 << 20, 16, 3)] {
                    var storage = DenseFileStorage(file: file, offset: 0, type: type, byteOrder: order,
                                                   height: h, width: w, channels: c, order: interleave.axisOrder)
                    storage.scratchBytes = scratch
                    storage.tileChannels = tile
                    storage.workers = workers
                    storage.parallelElements = 0
                    let cube = Datacube(height: h, width: w, channels: c, info: SourceInfo(format: "raw", dataType: type.rawValue), storage: storage)
                    let label = "\(order) scratch \(scratch) tile \(tile) workers \(workers)"
                    #expect(try cube.readAll().map(\.bitPattern) == expected, "\(label)")
                    #expect(try cube.readRows(1..<4).map(\.bitPattern) == Array(expected[(w * c)..<(4 * w * c)]), "\(label) rows 1..<4")
                }
            }
        }
    }

    @Test("a destination that starts mid cache line still gets every channel of every pixel")
    func misalignedDestination() throws {
        try Fixture.withTemporaryDirectory { dir in
            var generator = SplitMix(seed: 3)
            let (h, w, c) = (3, 7, 48)
            let bytes = (0..<(h * w * c * 4)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let url = dir.appendingPathComponent("cube.raw")
            try Data(bytes).write(to: url)
            let storage = DenseFileStorage(file: try BinaryFile(path: url.path), offset: 0, type: .float32, byteOrder: .big,
                                           height: h, width: w, channels: c, order: .cyx)
            let expected = Self.reference(bytes, h, w, c, .float32, .big, .bsq)
            var buffer = [Float](repeating: 0, count: h * w * c + 16)
            for shift in 0..<16 {
                try buffer.withUnsafeMutableBufferPointer { b in
                    try storage.readRows(0..<h, width: w, channels: c, into: UnsafeMutableBufferPointer(rebasing: b[shift..<(shift + h * w * c)]))
                }
                #expect(buffer[shift..<(shift + h * w * c)].map(\.bitPattern) == expected, "destination shifted by \(shift) floats")
            }
        }
    }

    @Test("four-at-a-time conversion matches the one-element-at-a-time conversion for every type and byte order",
          arguments: CubeDataType.allCases)
    func contiguousConversion(_ type: CubeDataType) {
        var generator = SplitMix(seed: 11)
        let count = 103
        var bytes = (0..<(count * type.byteSize + 1)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for order in ByteOrder.allCases {
            var contiguous = [Float](repeating: 0, count: count)
            var strided = [Float](repeating: 0, count: 2 * count)
            bytes.withUnsafeMutableBytes { raw in
                let source = UnsafeRawPointer(raw.baseAddress! + 1)  // unaligned
                contiguous.withUnsafeMutableBufferPointer {
                    ElementConversion.convert(source, count: count, type: type, byteOrder: order, to: $0.baseAddress!, stride: 1)
                }
                strided.withUnsafeMutableBufferPointer {
                    ElementConversion.convert(source, count: count, type: type, byteOrder: order, to: $0.baseAddress!, stride: 2)
                }
            }
            let every = (0..<count).map { strided[2 * $0].bitPattern }
            #expect(contiguous.map(\.bitPattern) == every, "\(type) \(order)")
            #expect(contiguous.map(\.bitPattern) == Self.decode(Array(bytes[1...]), count: count, type, order), "\(type) \(order) reference")
        }
    }

    @Test("scatter moves (g, c1, c2) blocks to every stride pattern readers use")
    func scatterStrides() {
        // (g, c1, c2, strides): FITS planes (channel outermost), BIL lines (channel middle),
        // channel outermost with a padded row, and channel innermost.
        let cases: [(Int, Int, Int, [Int])] = [(37, 3, 5, [1, 5 * 40, 40]), (5, 3, 1, [1, 5, 5]), (2, 19, 7, [7 * 19, 1, 19]),
                                               (17, 2, 3, [1, 4 * 17, 17]), (3, 4, 21, [4 * 21, 21, 1])]
        var generator = SplitMix(seed: 5)
        for (g, c1, c2, t) in cases {
            var source = (0..<(g * c1 * c2)).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) }
            let size = (g - 1) * t[0] + (c1 - 1) * t[1] + (c2 - 1) * t[2] + 1
            var expected = [UInt32](repeating: 0xdead_beef, count: size)
            for i in 0..<g {
                for i1 in 0..<c1 {
                    for k in 0..<c2 { expected[i * t[0] + i1 * t[1] + k * t[2]] = source[(i * c1 + i1) * c2 + k].bitPattern }
                }
            }
            var out = [Float](repeating: Float(bitPattern: 0xdead_beef), count: size)
            source.withUnsafeMutableBufferPointer { s in
                out.withUnsafeMutableBufferPointer { DenseFileStorage.scatter(s.baseAddress!, g: g, c1: c1, c2: c2, t: t, into: $0.baseAddress!) }
            }
            #expect(out.map(\.bitPattern) == expected, "g \(g) c1 \(c1) c2 \(c2) strides \(t)")
        }
    }

    // MARK: - Reference

    /// Row-major (h, w, c) bit patterns of the Float32 values of a cube stored in `bytes`.
    static func reference(_ bytes: [UInt8], _ h: Int, _ w: Int, _ c: Int, _ type: CubeDataType, _ order: ByteOrder,
                          _ interleave: Interleave) -> [UInt32] {
        let values = decode(bytes, count: h * w * c, type, order)
        var out: [UInt32] = []
        for y in 0..<h {
            for x in 0..<w {
                for ch in 0..<c {
                    let stored = switch interleave {
                    case .bsq: (ch * h + y) * w + x
                    case .bil: (y * c + ch) * w + x
                    case .bip: (y * w + x) * c + ch
                    }
                    out.append(values[stored])
                }
            }
        }
        return out
    }

    /// Each element assembled from its bytes in `order`, then converted the way Swift converts scalars.
    static func decode(_ bytes: [UInt8], count: Int, _ type: CubeDataType, _ order: ByteOrder) -> [UInt32] {
        let es = type.byteSize
        return (0..<count).map { i in
            var bits: UInt64 = 0
            for b in 0..<es { bits |= UInt64(bytes[i * es + (order == .little ? b : es - 1 - b)]) << (8 * b) }
            let value: Float = switch type {
            case .bool, .uint8: Float(UInt8(truncatingIfNeeded: bits))
            case .int8: Float(Int8(truncatingIfNeeded: bits))
            case .int16: Float(Int16(truncatingIfNeeded: bits))
            case .uint16: Float(UInt16(truncatingIfNeeded: bits))
            case .int32: Float(Int32(truncatingIfNeeded: bits))
            case .uint32: Float(UInt32(truncatingIfNeeded: bits))
            case .int64: Float(Int64(bitPattern: bits))
            case .uint64: Float(bits)
            case .float16: ElementConversion.halfToFloat(UInt16(truncatingIfNeeded: bits))
            case .float32: Float(bitPattern: UInt32(truncatingIfNeeded: bits))
            case .float64: Float(Double(bitPattern: bits))
            }
            return value.bitPattern
        }
    }
}

/// SplitMix64: a small deterministic generator for test bytes.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
