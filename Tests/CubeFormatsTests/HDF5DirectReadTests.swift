import Foundation
import Testing
@testable import CubeFormats

/// Contiguous HDF5 datasets are read straight from the file; unallocated ones, and chunked
/// ones the chunk decoder does not handle, through `H5Dread` (gzip chunks: HDF5ChunkReadTests).
@Suite struct HDF5DirectReadTests {
    /// The cube `cube` was opened from, read again through `H5Dread` (`HDF5Storage`).
    static func throughLibrary(_ cube: Datacube) throws -> [Float] {
        let file = try HDF5File(path: cube.info.path!)
        let path = cube.info.details["dataset"]!
        let info = try file.datasetInfo(path)
        let axes = AxisOrder(rawValue: cube.info.details["axisOrder"]!)!.cubeAxes
        let storage = HDF5Storage(dataset: try HDF5File.Dataset(file: file, path: path, cacheBytes: 1 << 20),
                                  shape: info.shape, axes: axes)
        return try Datacube(height: cube.height, width: cube.width, channels: cube.channels, info: cube.info,
                            storage: storage).readAll()
    }

    @Test("contiguous datasets (either byte order, channel-first, after a user block) are read directly, identical to H5Dread",
          arguments: [FixtureCase(file: "hdf5_chw.h5", format: .hdf5, options: CubeOpenOptions(axisOrder: .cyx)),
                      FixtureCase(file: "hdf5_nexus_cyx.h5", format: .hdf5),
                      FixtureCase(file: "hdf5_two.h5", format: .hdf5, options: CubeOpenOptions(dataset: "/a")),
                      FixtureCase(file: "hdf5_userblock.h5", format: .hdf5)])
    func direct(_ fixture: FixtureCase) throws {
        let cube = try CubeReader.open(Fixture.url(fixture.file), options: fixture.options)
        #expect(cube.info.details["read"] == "direct")
        let values = try cube.readAll()
        #expect(values == Fixture.reference)
        #expect(values == (try Self.throughLibrary(cube)))
        #expect(try cube.readRows(1..<3) == Array(Fixture.reference[80..<240]))
    }

    @Test("a file with a user block is recognised as HDF5 by its signature after the block")
    func userBlockDetection() throws {
        #expect(try CubeReader.detect(Fixture.url("hdf5_userblock.h5")) == .hdf5)
        #expect(!HDF5File.isHDF5([UInt8](repeating: 0, count: 4096)))
    }

    @Test("chunked and compressed datasets read through H5Dread give the reference cube",
          arguments: ["hdf5_gzip.h5", "hdf5_u16.h5", "hdf5_nexus.h5"])
    func chunked(_ name: String) throws {
        let cube = try CubeReader.open(Fixture.url(name))
        #expect(try Self.throughLibrary(cube) == Fixture.reference)
    }

    @Test("a dataset that was never written has no storage: H5Dread gives its fill value")
    func unallocated() throws {
        let cube = try CubeReader.open(Fixture.url("hdf5_unallocated.h5"))
        #expect(cube.info.details["read"] == "hdf5")
        #expect((cube.height, cube.width, cube.channels) == (2, 3, 4))
        #expect(try cube.readAll() == [Float](repeating: 0, count: 24))
    }

    @Test("a dataset compressed with a filter libhdf5 lacks (h5py's LZF) is refused when opened, naming the filter")
    func missingFilter() throws {
        let error = try #require(throws: CubeFormatError.self) { try CubeReader.open(Fixture.url("hdf5_lzf.h5")) }
        #expect(error.kind == .unsupported)
        #expect(error.field == "/cube")
        #expect(error.found.contains("'lzf' (filter id 32000)"))
    }

    @Test("a corrupted chunk read through H5Dread fails with HDF5's own reason, once per message")
    func corruptChunk() throws {
        let cube = try CubeReader.open(Fixture.url("hdf5_corrupt.h5"))
        let error = try #require(throws: CubeFormatError.self) { try Self.throughLibrary(cube) }
        #expect(error.found.contains("inflate() failed"))
        #expect(!error.found.contains("can't read data; can't read data"))
    }
}
