import Foundation
import Testing
@testable import CubeFormats

/// Bad files get a `CubeFormatError` naming the file, the field, what was expected and what
/// was found; nothing crashes.
@Suite struct BadInputTests {
    /// The error `body` throws, which must be a `CubeFormatError`.
    func formatError(_ body: () throws -> Any) -> CubeFormatError? {
        do {
            _ = try body()
            Issue.record("expected a CubeFormatError")
        } catch let e as CubeFormatError {
            return e
        } catch {
            Issue.record("expected a CubeFormatError, got \(error)")
        }
        return nil
    }

    func npy(_ header: String, body: Int, in dir: URL, name: String = "x.npy") throws -> URL {
        var text = header
        let unpadded = 10 + text.utf8.count + 1
        text += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count & 0xff), UInt8(text.utf8.count >> 8)])
        data.append(contentsOf: Array(text.utf8))
        data.append(Data(count: body))
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    @Test("a 2-D npy array is rejected, naming its shape and the 3-D shape expected")
    func twoDimensional() throws {
        let url = Fixture.url("npy_2d.npy")
        let e = try #require(formatError { try CubeReader.open(url) })
        #expect(e.kind == .unsupported && e.field == "shape" && e.file == url.path)
        #expect(e.found.contains("2-D") && e.found.contains("[6, 5]") && e.expected.contains("3-D"))
    }

    @Test("a complex npy dtype is rejected as unsupported")
    func complexDType() throws {
        let e = try #require(formatError { try CubeReader.open(Fixture.url("npy_c8.npy")) })
        #expect(e.kind == .unsupported && e.field == "descr" && e.found.contains("complex"))
    }

    @Test("a truncated npy file is reported with the expected and actual sizes")
    func truncated() throws {
        try Fixture.withTemporaryDirectory { dir in
            let full = try Data(contentsOf: Fixture.url("npy_f4.npy"))
            let url = dir.appendingPathComponent("cut.npy")
            try full.prefix(full.count - 100).write(to: url)
            let e = try #require(formatError { try CubeReader.open(url) })
            #expect(e.kind == .sizeMismatch && e.file == url.path)
            #expect(e.expected.contains("\(full.count) bytes") && e.found.contains("\(full.count - 100) bytes (truncated)"))
        }
    }

    @Test("a header claiming petabytes, or a zero-sized axis, is rejected before any read")
    func absurdSizes() throws {
        try Fixture.withTemporaryDirectory { dir in
            let huge = try npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", body: 64, in: dir)
            let e = try #require(formatError { try CubeReader.open(huge) })
            #expect(e.kind == .invalidHeader && e.field == "shape" && e.expected.contains("at most 1024 GiB"))
            let overflow = try npy("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 2, 2), }", body: 0, in: dir, name: "o.npy")
            #expect(formatError { try CubeReader.open(overflow) }?.field == "shape")
            let empty = try npy("{'descr': '<f4', 'fortran_order': False, 'shape': (6, 0, 16), }", body: 0, in: dir, name: "e.npy")
            let z = try #require(formatError { try CubeReader.open(empty) })
            #expect(z.field == "shape" && z.found == "(6, 0, 16)")
        }
    }

    @Test("an ENVI header that disagrees with the data file size names both")
    func enviSizeMismatch() throws {
        try Fixture.withTemporaryDirectory { dir in
            let header = try String(contentsOf: Fixture.url("envi_bip.hdr"), encoding: .utf8).replacingOccurrences(of: "lines = 6", with: "lines = 7")
            try header.write(to: dir.appendingPathComponent("c.hdr"), atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(at: Fixture.url("envi_bip.img"), to: dir.appendingPathComponent("c.img"))
            let e = try #require(formatError { try CubeReader.open(dir.appendingPathComponent("c.hdr")) })
            #expect(e.kind == .sizeMismatch && e.file.hasSuffix("c.img") && e.field.contains("c.hdr"))
            #expect(e.expected.hasPrefix("2240 bytes") && e.found.hasPrefix("1920 bytes"))
        }
    }

    @Test("ENVI complex data and a header without its data file are reported")
    func enviUnsupported() throws {
        try Fixture.withTemporaryDirectory { dir in
            let header = try String(contentsOf: Fixture.url("envi_bip.hdr"), encoding: .utf8)
            try header.replacingOccurrences(of: "data type = 4", with: "data type = 6")
                .write(to: dir.appendingPathComponent("z.hdr"), atomically: true, encoding: .utf8)
            try Data(count: 1920 * 2).write(to: dir.appendingPathComponent("z.img"))
            let e = try #require(formatError { try CubeReader.open(dir.appendingPathComponent("z.hdr")) })
            #expect(e.kind == .unsupported && e.field == "data type" && e.found == "6 (complex)" && e.file.hasSuffix("z.hdr"))
            try header.write(to: dir.appendingPathComponent("alone.hdr"), atomically: true, encoding: .utf8)
            let missing = try #require(formatError { try CubeReader.open(dir.appendingPathComponent("alone.hdr")) })
            #expect(missing.kind == .unknownFormat && missing.field == "data file")
        }
    }

    @Test("an HDF5 file with two 3-D datasets lists the candidates")
    func hdf5Ambiguous() throws {
        let e = try #require(formatError { try CubeReader.open(Fixture.url("hdf5_two.h5")) })
        #expect(e.field == "dataset" && e.found.contains("/a") && e.found.contains("/b"))
        let missing = try #require(formatError { try CubeReader.open(Fixture.url("hdf5_two.h5"), options: .init(dataset: "/nope")) })
        #expect(missing.field.contains("/nope"))
        let flat = try #require(formatError { try CubeReader.open(Fixture.url("hdf5_gzip.h5"), options: .init(dataset: "data/mask")) })
        #expect(flat.kind == .unsupported && flat.found.contains("2-D"))
    }

    @Test("a FITS extension that does not exist is named in the error")
    func fitsMissingExtension() throws {
        let e = try #require(formatError { try CubeReader.open(Fixture.url("fits_ext.fits"), options: .init(fitsExtension: "NOPE")) })
        #expect(e.field.contains("NOPE") && e.found.contains("status"))
        let variance = try CubeReader.open(Fixture.url("fits_ext.fits"), options: .init(fitsExtension: "VAR"))
        #expect(variance.width == 4 && variance.height == 3 && variance.channels == 2)
    }

    @Test("garbage after valid magic bytes gives a one-line printable error, not a crash",
          arguments: ["npy_f4.npy", "fits_f4.fits", "hdf5_gzip.h5"])
    func garbage(_ fixture: String) throws {
        try Fixture.withTemporaryDirectory { dir in
            let original = try Data(contentsOf: Fixture.url(fixture))
            let magic = fixture.hasSuffix(".fits") ? 9 : 8
            var corrupt = original.prefix(magic)
            corrupt.append(Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }))
            let url = dir.appendingPathComponent("bad-" + fixture)
            try corrupt.write(to: url)
            let e = try #require(formatError { try CubeReader.open(url).readAll() })
            #expect(e.file == url.path)
            #expect(e.description.unicodeScalars.allSatisfy { (0x20...0x7e).contains($0.value) }, "\(e.description)")
        }
    }

    @Test("raw files need a layout that matches their size; unknown files and missing files are named")
    func rawAndUnknown() throws {
        let url = Fixture.url("envi_bip.img")
        #expect(formatError { try CubeReader.open(url, options: .init(format: .raw)) }?.field == "layout")
        let layout = RawLayout(height: 6, width: 5, channels: 16, dataType: .float64)
        #expect(formatError { try CubeReader.open(url, options: .init(raw: layout)) }?.kind == .sizeMismatch)
        try Fixture.withTemporaryDirectory { dir in
            let mystery = dir.appendingPathComponent("mystery.bin")
            try Data(repeating: 7, count: 100).write(to: mystery)
            #expect(formatError { try CubeReader.detect(mystery) }?.kind == .unknownFormat)
            let gone = dir.appendingPathComponent("gone.npy")
            let e = try #require(formatError { try CubeReader.open(gone) })
            #expect(e.kind == .io && e.file == gone.path)
        }
    }

    @Test("NaN and Inf values are read as they are and counted by inspection")
    func nonFinite() throws {
        try Fixture.withTemporaryDirectory { dir in
            var values = Fixture.reference
            values[17] = .nan
            values[18] = .infinity
            values[19] = -.infinity
            let url = dir.appendingPathComponent("nan.npy")
            try NumPyWriter.encode(values, shape: [6, 5, 16]).write(to: url)
            let cube = try CubeReader.open(url)
            let read = try cube.readAll()
            #expect(read[17].isNaN && read[18] == .infinity && read[19] == -.infinity)
            let inspection = try CubeReader.inspect(cube)
            #expect(inspection.nanCount == 1 && inspection.infinityCount == 2)
            #expect(inspection.minimum == 0 && inspection.maximum == 100)
        }
    }

    @Test("errors describe themselves in one line naming file, field, expectation and finding")
    func errorDescription() {
        let e = CubeFormatError(.invalidHeader, file: "/d/c.hdr", field: "bands", expected: "an integer", found: "'x'")
        #expect(e.description == "/d/c.hdr: bands: expected an integer, found 'x'")
    }
}
