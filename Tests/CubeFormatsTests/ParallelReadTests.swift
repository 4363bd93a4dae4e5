import Foundation
import Testing
@testable import CubeFormats

@Suite struct ParallelReadTests {
    @Test("a read split into concurrent parts gives the same array, for any number of parts",
          arguments: [1, 2, 3, 4, 6, 9])
    func parts(_ parts: Int) throws {
        for name in ["npy_fortran.npy", "envi_bsq.hdr", "fits_u16.fits", "hdf5_chw.h5"] {
            let options = name == "hdf5_chw.h5" ? CubeOpenOptions(axisOrder: .cyx) : CubeOpenOptions()
            let cube = try CubeReader.open(Fixture.url(name), options: options)
            #expect(cube.storage.readsConcurrently)
            #expect(try cube.readRows(0..<6, parts: parts) == Fixture.reference, "\(name)")
            #expect(try cube.readRows(1..<4, parts: parts) == Array(Fixture.reference[80..<320]), "\(name)")
        }
    }

    /// Storage whose rows from `failingRow` on cannot be read.
    struct FailingStorage: DatacubeStorage {
        let failingRow: Int
        var readsConcurrently: Bool { true }
        func readRows(_ rows: Range<Int>, width: Int, channels: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
            guard rows.upperBound <= failingRow else {
                throw CubeFormatError(.io, file: "test", field: "rows \(rows)", expected: "readable rows", found: "a failure")
            }
            for i in 0..<(rows.count * width * channels) { buffer[i] = 1 }
        }
    }

    @Test("an error in one part of a concurrent read is thrown, the earliest part's first")
    func partError() throws {
        let cube = Datacube(height: 8, width: 2, channels: 3, info: SourceInfo(format: "test", dataType: "float32"),
                            storage: FailingStorage(failingRow: 3))
        let error = try #require(throws: CubeFormatError.self) { try cube.readRows(0..<8, parts: 4) }
        #expect(error.field == "rows 2..<4")
        #expect(try cube.readRows(0..<3, parts: 3) == [Float](repeating: 1, count: 18))
    }

    @Test("storage behind a library lock is not split")
    func lockedStorage() throws {
        #expect(!(try CubeReader.open(Fixture.url("hdf5_gzip.h5"))).storage.readsConcurrently)
        #expect(!(try CubeReader.open(Fixture.url("fits_rice.fits"))).storage.readsConcurrently)
    }
}
