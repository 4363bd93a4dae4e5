import Foundation
import Testing
@testable import CubeFormats

/// A fixture file and how to open it.
struct FixtureCase: CustomTestStringConvertible, Sendable {
    var file: String
    var format: CubeFormat
    var options = CubeOpenOptions()
    var testDescription: String { file }
}

@Suite struct EveryFormatTests {
    static let cases: [FixtureCase] = {
        var cases: [FixtureCase] = []
        for code in ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"] {
            cases.append(FixtureCase(file: "npy_\(code).npy", format: .npy))
        }
        for code in ["i2", "u4", "f4", "f8", "f2"] { cases.append(FixtureCase(file: "npy_be_\(code).npy", format: .npy)) }
        cases += [
            FixtureCase(file: "npy_fortran.npy", format: .npy),
            FixtureCase(file: "npy_fortran_be_i2.npy", format: .npy),
            FixtureCase(file: "npy_v2.npy", format: .npy),
            FixtureCase(file: "npy_v3.npy", format: .npy),
            FixtureCase(file: "npy_chw.npy", format: .npy, options: CubeOpenOptions(axisOrder: .cyx)),
            FixtureCase(file: "envi_bsq.hdr", format: .envi),
            FixtureCase(file: "envi_bil.hdr", format: .envi),
            FixtureCase(file: "envi_bip.img", format: .envi),
            FixtureCase(file: "envi_be_i2.hdr", format: .envi),
            FixtureCase(file: "envi_u16.hdr", format: .envi),
            FixtureCase(file: "rpl_vector.rpl", format: .rpl),
            FixtureCase(file: "rpl_image.raw", format: .rpl),
            FixtureCase(file: "fits_f4.fits", format: .fits),
            FixtureCase(file: "fits_u16.fits", format: .fits),
            FixtureCase(file: "fits_u1.fits", format: .fits),
            FixtureCase(file: "fits_i2.fits", format: .fits),
            FixtureCase(file: "fits_i4.fits", format: .fits),
            FixtureCase(file: "fits_i8.fits", format: .fits),
            FixtureCase(file: "fits_f8.fits", format: .fits),
            FixtureCase(file: "fits_rice.fits", format: .fits),
            FixtureCase(file: "fits_ext.fits", format: .fits, options: CubeOpenOptions(fitsExtension: "FLUX")),
            FixtureCase(file: "hdf5_gzip.h5", format: .hdf5),
            FixtureCase(file: "hdf5_u16.h5", format: .hdf5),
            FixtureCase(file: "hdf5_nexus.h5", format: .hdf5),
            FixtureCase(file: "hdf5_nexus_cyx.h5", format: .hdf5),
            FixtureCase(file: "hdf5_chw.h5", format: .hdf5, options: CubeOpenOptions(axisOrder: .cyx)),
            FixtureCase(file: "hdf5_two.h5", format: .hdf5, options: CubeOpenOptions(dataset: "/b")),
        ]
        return cases
    }()

    @Test("every format and variant gives the same spectra as the reference cube", arguments: cases)
    func sameSpectra(_ fixture: FixtureCase) throws {
        let cube = try CubeReader.open(Fixture.url(fixture.file), options: fixture.options)
        #expect(cube.info.format == fixture.format.rawValue)
        #expect(cube.height == Fixture.height && cube.width == Fixture.width && cube.channels == Fixture.channels)
        #expect(try cube.readAll() == Fixture.reference)
    }

    @Test("reading in row blocks that do not divide the height gives the whole cube", arguments: cases)
    func rowBlocks(_ fixture: FixtureCase) throws {
        let cube = try CubeReader.open(Fixture.url(fixture.file), options: fixture.options)
        var assembled: [Float] = []
        try cube.forEachRowBlock(rowsPerBlock: 4) { _, values in assembled += values }
        #expect(assembled == Fixture.reference)
        let middle = try cube.readRows(2..<3)
        let perRow = Fixture.width * Fixture.channels
        #expect(middle == Array(Fixture.reference[(2 * perRow)..<(3 * perRow)]))
    }

    @Test("format detection by content finds every fixture's format", arguments: cases)
    func detection(_ fixture: FixtureCase) throws {
        #expect(try CubeReader.detect(Fixture.url(fixture.file)) == fixture.format)
    }

    @Test("a boolean npy cube reads as 0 and 1")
    func booleanNumPy() throws {
        let cube = try CubeReader.open(Fixture.url("npy_b1.npy"))
        #expect(cube.info.dataType == "bool")
        #expect(try cube.readAll() == Fixture.reference.map { $0 > 50 ? 1 : 0 })
    }

    @Test("a raw file opens with the layout the caller gives, in every interleave")
    func rawLayouts() throws {
        for interleave in Interleave.allCases {
            let url = Fixture.url("envi_\(interleave.rawValue).img")
            let layout = RawLayout(height: 6, width: 5, channels: 16, dataType: .float32, interleave: interleave)
            let cube = try CubeReader.open(url, options: CubeOpenOptions(format: .raw, raw: layout))
            #expect(cube.info.format == "raw")
            #expect(try cube.readAll() == Fixture.reference)
        }
        // The big-endian int16 BIL file through a header offset of 0 and an explicit byte order.
        let layout = RawLayout(height: 6, width: 5, channels: 16, dataType: .int16, byteOrder: .big, interleave: .bil)
        #expect(try CubeReader.open(Fixture.url("envi_be_i2.img"), options: CubeOpenOptions(raw: layout)).readAll() == Fixture.reference)
    }
}
