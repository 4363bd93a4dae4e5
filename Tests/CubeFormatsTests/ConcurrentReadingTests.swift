import Dispatch
import Foundation
import Testing
@testable import CubeFormats

@Suite struct ConcurrentReadingTests {
    @Test("row blocks read from several threads at once are correct for every C-library and file-backed reader",
          arguments: ["hdf5_gzip.h5", "hdf5_chw.h5", "fits_rice.fits", "fits_u16.fits", "envi_bsq.hdr", "npy_fortran.npy"])
    func concurrentRows(_ name: String) throws {
        let options = name == "hdf5_chw.h5" ? CubeOpenOptions(axisOrder: .cyx) : CubeOpenOptions()
        let cubes = try (0..<2).map { _ in try CubeReader.open(Fixture.url(name), options: options) }  // two handles on one file
        let perRow = Fixture.width * Fixture.channels
        // One slot per iteration, written only by that iteration: 1 = the row matched the reference.
        let matched = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 24)
        matched.initialize(repeating: 0)
        defer { matched.deallocate() }
        nonisolated(unsafe) let slots = matched
        DispatchQueue.concurrentPerform(iterations: 24) { i in
            let y = i % 6
            let row = try? cubes[i % 2].readRows(y..<(y + 1))
            slots[i] = row == Array(Fixture.reference[(y * perRow)..<((y + 1) * perRow)]) ? 1 : 0
        }
        #expect(Array(matched) == Array(repeating: 1, count: 24))
    }
}
