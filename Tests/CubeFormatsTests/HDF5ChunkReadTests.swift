import Foundation
import Testing
@testable import CubeFormats

/// gzip-chunked HDF5 datasets (deflate, optionally shuffle) are decoded by CubeSeg itself,
/// chunk by chunk in parallel outside the libhdf5 lock (`HDF5ChunkStorage`).
@Suite struct HDF5ChunkReadTests {
    /// Every fixture holding the whole reference cube in gzip chunks.
    static let decoded: [FixtureCase] = [
        FixtureCase(file: "hdf5_gzip.h5", format: .hdf5),
        FixtureCase(file: "hdf5_u16.h5", format: .hdf5),
        FixtureCase(file: "hdf5_nexus.h5", format: .hdf5),
        FixtureCase(file: "hdf5_chunked_cyx.h5", format: .hdf5, options: CubeOpenOptions(axisOrder: .cyx)),
        FixtureCase(file: "hdf5_chunked_be.h5", format: .hdf5),
        FixtureCase(file: "hdf5_deflate_shuffle.h5", format: .hdf5),
        FixtureCase(file: "hdf5_chunk_masks.h5", format: .hdf5),
    ]

    static func open(_ fixture: FixtureCase) throws -> Datacube {
        try CubeReader.open(Fixture.url(fixture.file), options: fixture.options)
    }

    /// Rows `rows` of the reference cube.
    static func reference(_ rows: Range<Int>) -> [Float] {
        let perRow = Fixture.width * Fixture.channels
        return Array(Fixture.reference[(rows.lowerBound * perRow)..<(rows.upperBound * perRow)])
    }

    @Test("gzip chunks (edge chunks, shuffle either side of deflate, skipped filters, big-endian, channel-first) decode to the reference cube, identical to H5Dread, on any number of workers",
          arguments: decoded)
    func whole(_ fixture: FixtureCase) throws {
        let cube = try Self.open(fixture)
        #expect(cube.info.details["read"] == "chunks")
        let values = try cube.readAll()
        #expect(values == Fixture.reference)
        #expect(values == (try HDF5DirectReadTests.throughLibrary(cube)))
        var storage = try #require(cube.storage as? HDF5ChunkStorage)
        for workers in [1, 3] {
            storage.workers = workers
            let again = Datacube(height: cube.height, width: cube.width, channels: cube.channels, info: cube.info, storage: storage)
            #expect(try again.readAll() == Fixture.reference)
        }
    }

    @Test("row ranges that start or end inside a chunk give exactly the reference's rows", arguments: decoded)
    func rowRanges(_ fixture: FixtureCase) throws {
        let cube = try Self.open(fixture)
        for rows in [0..<1, 1..<4, 5..<6, 2..<5, 3..<4, 0..<6] {
            #expect(try cube.readRows(rows) == Self.reference(rows), "rows \(rows)")
        }
    }

    @Test("streaming in blocks of any height, or the default, gives the reference's rows in order", arguments: decoded)
    func streaming(_ fixture: FixtureCase) throws {
        let cube = try Self.open(fixture)
        for rowsPerBlock in [1, 2, 4, 5, 7, nil] {
            var next = 0
            var values: [Float] = []
            try cube.forEachRowBlock(rowsPerBlock: rowsPerBlock) { rows, block in
                #expect(rows.lowerBound == next && rows.count <= (rowsPerBlock ?? cube.height))
                next = rows.upperBound
                values += block
            }
            #expect(next == cube.height)
            #expect(values == Fixture.reference, "rowsPerBlock \(rowsPerBlock.map(String.init) ?? "default")")
        }
    }

    @Test("chunked storages prefer blocks of whole chunk rows: the chunk's extent along y, whatever the axis order")
    func preferredRows() throws {
        let expected = ["hdf5_gzip.h5": 2, "hdf5_u16.h5": 3, "hdf5_chunked_cyx.h5": 4, "hdf5_chunked_be.h5": 4]
        for fixture in Self.decoded where expected[fixture.file] != nil {
            let storage = try #require(try Self.open(fixture).storage as? HDF5ChunkStorage)
            #expect(storage.preferredRowMultiple == expected[fixture.file], "\(fixture.file)")
            #expect(storage.fallback.preferredRowMultiple == expected[fixture.file], "\(fixture.file)")
        }
        let contiguous = try CubeReader.open(Fixture.url("hdf5_unallocated.h5"))
        #expect(contiguous.info.details["read"] == "hdf5")
        #expect(contiguous.storage.preferredRowMultiple == 1)
    }

    @Test("gzip chunks with another filter (fletcher32) or a type the decoder leaves alone (float16) go through H5Dread",
          arguments: ["/fletcher32", "/float16"])
    func leftToLibrary(_ dataset: String) throws {
        let cube = try CubeReader.open(Fixture.url("hdf5_chunks_other.h5"), options: CubeOpenOptions(dataset: dataset))
        #expect(cube.info.details["read"] == "hdf5")
        #expect(cube.storage.preferredRowMultiple == 3)
        #expect(try cube.readAll() == Fixture.reference)
    }

    @Test("a chunk with no storage holds the fill value: calls touching it go through H5Dread, the others decode")
    func unallocatedChunk() throws {
        let cube = try CubeReader.open(Fixture.url("hdf5_partial.h5"))
        #expect(cube.info.details["read"] == "chunks")
        let fill = [Float](repeating: -1.5, count: 2 * Fixture.width * Fixture.channels)
        #expect(try cube.readAll() == Self.reference(0..<4) + fill)
        #expect(try cube.readRows(1..<3) == Self.reference(1..<3))
        #expect(try cube.readRows(3..<5) == Self.reference(3..<4) + fill.prefix(Fixture.width * Fixture.channels))
        #expect(try cube.readAll() == (try HDF5DirectReadTests.throughLibrary(cube)))
    }

    @Test("a chunk that fails to inflate throws naming the file, the dataset, the chunk's offset and zlib's reason; rows in other chunks still read")
    func corruptChunk() throws {
        let cube = try CubeReader.open(Fixture.url("hdf5_corrupt.h5"))
        #expect(cube.info.details["read"] == "chunks")
        for rows in [0..<6, 2..<4] {
            let error = try #require(throws: CubeFormatError.self) { try cube.readRows(rows) }
            #expect(error.file.hasSuffix("hdf5_corrupt.h5"))
            #expect(error.field == "/cube chunk at [0, 0, 0]")
            #expect(error.found.contains("inflate() failed: incorrect header check"))
        }
        #expect(try cube.readRows(3..<6) == Self.reference(3..<6))
    }

    @Test("unshuffle puts byte planes back into elements and keeps the leftover bytes at the end")
    func unshuffle() {
        for (elementSize, count) in [(4, 4 * 7 + 3), (8, 8 * 5), (2, 2 * 9 + 1), (4, 4), (1, 6)] {
            let elements = count / elementSize
            let plain = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            // Shuffled as HDF5 writes it: byte b of element i at b * elements + i, leftovers last.
            var shuffled = plain
            if elementSize > 1 && elements > 1 {
                for b in 0..<elementSize { for i in 0..<elements { shuffled[b * elements + i] = plain[i * elementSize + b] } }
            }
            var out = [UInt8](repeating: 0, count: count)
            shuffled.withUnsafeBytes { source in
                out.withUnsafeMutableBytes { HDF5ChunkLayout.unshuffle(source, elementSize: elementSize, into: $0.baseAddress!) }
            }
            #expect(out == plain, "element size \(elementSize), \(count) bytes")
        }
    }

    /// A zlib stream of `data` in one stored (uncompressed) deflate block, with its Adler-32.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let n = UInt16(data.count), adler = b << 16 | a
        return [0x78, 0x01, 0x01, UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8(~n >> 8)] + data
            + [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: adler >> $0) }
    }

    @Test("inflating requires the stream to fill the chunk exactly; truncated and corrupt streams throw")
    func inflateSizes() throws {
        let data = (0..<100).map { UInt8($0 * 3 % 256) }
        let stream = Self.storedZlib(data)
        func inflate(_ input: [UInt8], size: Int) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: size)
            try input.withUnsafeBytes { source in
                try out.withUnsafeMutableBytes { try ZlibInflate.inflate(source, into: $0, file: "f.h5", field: "/cube chunk at [0]") }
            }
            return out
        }
        #expect(try inflate(stream, size: 100) == data)
        #expect(try inflate(stream + [1, 2, 3], size: 100) == data)
        let long = try #require(throws: CubeFormatError.self) { try inflate(stream, size: 99) }
        #expect(long.found.contains("longer than 99 bytes") && long.field == "/cube chunk at [0]" && long.file == "f.h5")
        let short = try #require(throws: CubeFormatError.self) { try inflate(stream, size: 101) }
        #expect(short.found.contains("ends after 100 bytes"))
        let truncated = try #require(throws: CubeFormatError.self) { try inflate(Array(stream.prefix(50)), size: 100) }
        #expect(truncated.found.contains("truncated"))
        var badChecksum = stream
        badChecksum[badChecksum.count - 1] ^= 1
        let corrupt = try #require(throws: CubeFormatError.self) { try inflate(badChecksum, size: 100) }
        #expect(corrupt.found.contains("inflate() failed: incorrect data check"))
    }
}

/// `Datacube.forEachRowBlock`'s default block height: ~16 MiB rounded to the storage's
/// preferred multiple (never 0); an explicit height is used as given.
@Suite struct RowBlockHeightTests {
    /// Rows of `width * channels` values, each the row's index; reports a chosen preferred multiple.
    struct RowIndexStorage: DatacubeStorage {
        let multiple: Int
        var preferredRowMultiple: Int { multiple }
        func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
            for (k, y) in rows.enumerated() {
                for i in 0..<(width * channels) { buffer[k * width * channels + i] = Float(y) }
            }
        }
    }

    /// Block heights `forEachRowBlock` uses on a 40-row cube of 1024 x 400 Float32 rows
    /// (1.6 MB each: the 16 MiB target is 10 rows), checking every block's values.
    static func blocks(multiple: Int, rowsPerBlock: Int? = nil) throws -> [Int] {
        let cube = Datacube(height: 40, width: 1024, channels: 400, info: SourceInfo(format: "memory", dataType: "float32"),
                            storage: RowIndexStorage(multiple: multiple))
        var heights: [Int] = []
        var next = 0
        try cube.forEachRowBlock(rowsPerBlock: rowsPerBlock) { rows, values in
            #expect(rows.lowerBound == next)
            #expect(values.first == Float(rows.lowerBound) && values.last == Float(rows.upperBound - 1))
            next = rows.upperBound
            heights.append(rows.count)
        }
        #expect(next == 40)
        return heights
    }

    @Test("the default height is the 16 MiB target rounded to the nearest nonzero multiple of the preferred rows, up to 64 MiB")
    func rounding() throws {
        #expect(try Self.blocks(multiple: 1) == [10, 10, 10, 10])
        #expect(try Self.blocks(multiple: 4) == [12, 12, 12, 4])
        #expect(try Self.blocks(multiple: 7) == [7, 7, 7, 7, 7, 5])
        #expect(try Self.blocks(multiple: 16) == [16, 16, 8])
        #expect(try Self.blocks(multiple: 40) == [40])         // 64 MB: still one chunk row per block
        #expect(try Self.blocks(multiple: 64) == [10, 10, 10, 10])  // 105 MB > 64 MiB: memory wins, the target stands
        #expect(try Self.blocks(multiple: 0) == [10, 10, 10, 10])
    }

    @Test("an explicit block height is honoured whatever the preferred multiple")
    func explicit() throws {
        #expect(try Self.blocks(multiple: 4, rowsPerBlock: 5) == [5, 5, 5, 5, 5, 5, 5, 5])
        #expect(try Self.blocks(multiple: 16, rowsPerBlock: 30) == [30, 10])
    }
}
