import Foundation
import Testing
@testable import CubeFormats

/// Plain FITS image arrays are read straight from the file; everything that needs cfitsio's
/// semantics (compression, scaling, BLANK, gzip) still goes through cfitsio.
@Suite struct FITSDirectReadTests {
    /// Every value of the cube in `name` read through cfitsio (`ffgpxv`), pixel-major.
    static func throughCFITSIO(_ name: String, extensionName: String? = nil) throws -> [Float] {
        let opened = try CubeReader.open(Fixture.url(name), options: CubeOpenOptions(fitsExtension: extensionName))
        let file = try FITSFile(path: Fixture.url(name).path)
        let storage = FITSStorage(file: file, hdu: Int(opened.info.details["hdu"]!)!)
        return try Datacube(height: opened.height, width: opened.width, channels: opened.channels, info: opened.info,
                            storage: storage).readAll()
    }

    @Test("plain images of every BITPIX, BZERO offsets and extensions are read directly, identical to cfitsio",
          arguments: [("fits_f4.fits", nil), ("fits_f8.fits", nil), ("fits_i2.fits", nil), ("fits_i4.fits", nil),
                      ("fits_i8.fits", nil), ("fits_u1.fits", nil), ("fits_u16.fits", nil), ("fits_ext.fits", "FLUX")] as [(String, String?)])
    func direct(_ name: String, _ extensionName: String?) throws {
        let cube = try CubeReader.open(Fixture.url(name), options: CubeOpenOptions(fitsExtension: extensionName))
        #expect(cube.info.details["read"] == "direct")
        let values = try cube.readAll()
        #expect(values == Fixture.reference)
        #expect(values == (try Self.throughCFITSIO(name, extensionName: extensionName)))
        #expect(try cube.readRows(2..<5) == Array(Fixture.reference[(2 * 80)..<(5 * 80)]))
    }

    @Test("the unsigned-16 BZERO offset maps every stored int16 to its uint16 value, extremes included")
    func unsignedOffset() throws {
        let layout = FITSDirectLayout(dataOffset: 0, storedType: .int16, shift: 32768)
        let stored: [Int16] = [.min, -1, 0, 1, .max]
        let bytes = stored.flatMap { v in withUnsafeBytes(of: v.bigEndian) { Array($0) } }
        let values = try Fixture.withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("u16.raw")
            try Data(bytes).write(to: url)
            return try Datacube(height: 1, width: 5, channels: 1, info: SourceInfo(format: "fits", dataType: "uint16"),
                                storage: try layout.storage(path: url.path, height: 1, width: 5, channels: 1)).readAll()
        }
        #expect(values == [0, 32767, 32768, 32769, 65535])
    }

    @Test("scaled images with BLANK go through cfitsio: BSCALE and BZERO applied, null pixels NaN")
    func scaledBlank() throws {
        let cube = try CubeReader.open(Fixture.url("fits_scaled.fits"))
        #expect(cube.info.details["read"] == "cfitsio")
        let values = try cube.readAll()
        let blank = (1 * Fixture.width + 2) * Fixture.channels + 3
        #expect(values[blank].isNaN)
        var expected = Fixture.reference
        expected[blank] = values[blank]
        #expect(values.indices.allSatisfy { $0 == blank || values[$0] == expected[$0] })
    }

    @Test("compressed images go through cfitsio", arguments: ["fits_rice.fits", "fits_f4.fits.gz"])
    func compressed(_ name: String) throws {
        let cube = try CubeReader.open(Fixture.url(name), options: CubeOpenOptions(format: .fits))
        #expect(cube.info.details["read"] == "cfitsio")
        #expect(try cube.readAll() == Fixture.reference)
    }

    @Test("file names are taken literally, brackets included (no cfitsio extended file name syntax)")
    func literalName() throws {
        let values = try Fixture.withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("scan[2](1)+3.fits")
            try FileManager.default.copyItem(at: Fixture.url("fits_f4.fits"), to: url)
            return try CubeReader.open(url).readAll()
        }
        #expect(values == Fixture.reference)
    }

    @Test("a FITS file cut short inside its data array is refused when opened, naming the sizes")
    func truncated() throws {
        let full = try Data(contentsOf: Fixture.url("fits_f4.fits"))
        let error = try Fixture.withTemporaryDirectory { dir in
            let url = dir.appendingPathComponent("short.fits")
            try full.prefix(2880 + 1000).write(to: url)
            return try #require(throws: CubeFormatError.self) { try CubeReader.open(url) }
        }
        #expect(error.kind == .sizeMismatch)
        #expect(error.found.contains("1000 bytes (truncated)"))
        #expect(error.expected.contains("\(6 * 5 * 16 * 4) bytes"))
    }
}
