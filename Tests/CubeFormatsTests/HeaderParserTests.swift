import Foundation
import Testing
@testable import CubeFormats

@Suite struct HeaderParserTests {
    func npyBytes(version: UInt8, _ header: String) -> [UInt8] {
        let h = Array(header.utf8)
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        if version == 1 {
            out += [UInt8(h.count & 0xff), UInt8(h.count >> 8)]
        } else {
            out += [UInt8(h.count & 0xff), UInt8((h.count >> 8) & 0xff), 0, 0]
        }
        return out + h
    }

    @Test("the npy header parser reads what NumPyWriter writes")
    func npyRoundTrip() throws {
        let data = NumPyWriter.encode([Float](repeating: 1, count: 24), shape: [2, 3, 4])
        let header = try NumPyHeader.parse(data)
        #expect(header.shape == [2, 3, 4] && header.dataType == .float32 && header.byteOrder == .little && !header.fortranOrder)
        #expect(header.dataOffset == data.count - 96 && header.dataOffset % 64 == 0)
    }

    @Test("npy v2 and v3 headers, old long-integer suffixes, double quotes and odd spacing parse")
    func npyVariants() throws {
        let v2Text = "{\"descr\":\">u2\",\"fortran_order\":True,\"shape\":(3L,4L,5L)}\n"
        let v2 = try NumPyHeader.parse(npyBytes(version: 2, v2Text))
        #expect(v2.majorVersion == 2 && v2.shape == [3, 4, 5] && v2.byteOrder == .big && v2.dataType == .uint16 && v2.fortranOrder)
        #expect(v2.dataOffset == 12 + v2Text.utf8.count)
        let v3 = try NumPyHeader.parse(npyBytes(version: 3, "{'descr': '|u1', 'shape': (7,), 'fortran_order': False, 'naïve': 'é'}"))
        #expect(v3.shape == [7] && v3.dataType == .uint8)
    }

    @Test("npy headers with bad magic, versions, lengths, dtypes or dicts are rejected with the field named")
    func npyRejections() {
        func field(_ bytes: [UInt8]) -> String? {
            do { _ = try NumPyHeader.parse(bytes); return nil } catch let e as CubeFormatError { return e.field } catch { return "?" }
        }
        #expect(field(Array("NUMPY".utf8)) == "magic")
        #expect(field([0x93] + Array("NUMPY".utf8) + [4, 0, 0, 0]) == "version")
        #expect(field([0x93] + Array("NUMPY".utf8) + [1, 0, 200, 0] + Array("{}".utf8)) == "header")
        #expect(field(npyBytes(version: 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 1, 1)}")) == "descr")
        #expect(field(npyBytes(version: 1, "{'descr': '<c16', 'fortran_order': False, 'shape': (1, 1, 1)}")) == "descr")
        #expect(field(npyBytes(version: 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, -1, 1)}")) == "shape")
        #expect(field(npyBytes(version: 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}")) == "fortran_order")
        #expect(field(npyBytes(version: 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)")) == "header")
        #expect(field(npyBytes(version: 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}")) == "header")
        #expect(field(npyBytes(version: 1, String(repeating: "(", count: 100))) == "header")
    }

    @Test("ENVI headers: case-insensitive keys, comments, multi-line braces, defaults")
    func enviParse() throws {
        let text = """
        ENVI
        description = {
          a cube, with = signs }
        Samples = 5
        LINES   = 6
        bands = 3
        ; a comment
        data type = 12
        interleave = BIL
        byte order = 1
        wavelength = {1.5,
         2.5, 3.5}
        wavelength units = keV
        """
        let h = try ENVIHeader.parse(text)
        #expect(h.samples == 5 && h.lines == 6 && h.bands == 3 && h.headerOffset == 0)
        #expect(h.dataType == .uint16 && h.interleave == .bil && h.byteOrder == .big)
        #expect(h.wavelengths == [1.5, 2.5, 3.5] && h.wavelengthUnits == "keV")
        #expect(h.fields["description"] == "a cube, with = signs")
    }

    @Test("ENVI headers missing fields or with bad values name the field")
    func enviRejections() {
        func field(_ text: String) -> String? {
            do { _ = try ENVIHeader.parse(text); return nil } catch let e as CubeFormatError { return e.field } catch { return "?" }
        }
        let base = "ENVI\nsamples = 2\nlines = 2\nbands = 2\ndata type = 4\n"
        #expect(field(base) == nil)
        #expect(field("NOT ENVI\n") == "first line")
        #expect(field("ENVI\nlines = 2\nbands = 2\ndata type = 4\n") == "samples")
        #expect(field(base + "interleave = bsx\n") == "interleave")
        #expect(field(base + "byte order = 2\n") == "byte order")
        #expect(field(base + "wavelength = {1, 2, 3}\n") == "wavelength")
        #expect(field(base + "wavelength = {1, x}\n") == "wavelength")
        #expect(field(base + "description = { never closed\n") == "description")
        #expect(field("ENVI\nsamples = 2\nlines = 2\nbands = 2\ndata type = 99\n") == "data type")
    }

    @Test("RPL headers: tab or space separated, case-insensitive, Oxford INCA lines, comments")
    func rplParse() throws {
        let h = try RPLHeader.parse(";comment\nkey\tvalue\nWidth\t4\nheight 3\nDEPTH\t8\nData-Length\t2\ndata-type\tsigned\nbyte-order\tbig-endian\nrecord-by\timage ; trailing\n")
        #expect(h.width == 4 && h.height == 3 && h.depth == 8 && h.dataType == .int16 && h.byteOrder == .big && h.interleave == .bsq)
        let inca = try RPLHeader.parse("(MLX::width : 2)\n(MLX::height : 2)\n(MLX::depth : 4)\n(MLX::offset : 0)\n(MLX::data-length : 4)\n(MLX::data-type : float)\n(MLX::byte-order : little-endian)\n(MLX::record-by : vector)\n")
        #expect(inca.width == 2 && inca.dataType == .float32 && inca.interleave == .bip)
    }

    @Test("RPL headers with unsupported types or bad record-by name the field")
    func rplRejections() {
        func field(_ text: String) -> String? {
            do { _ = try RPLHeader.parse(text); return nil } catch let e as CubeFormatError { return e.field } catch { return "?" }
        }
        let base = "width 2\nheight 2\ndepth 4\n"
        #expect(field(base + "data-length 3\ndata-type signed\nrecord-by vector\n") == "data-type/data-length")
        #expect(field(base + "data-length 2\ndata-type signed\nrecord-by diagonal\n") == "record-by")
        #expect(field(base + "data-length 2\ndata-type signed\nrecord-by dont-care\n") == "record-by")
        #expect(field(base + "data-length 2\ndata-type signed\nbyte-order middle\nrecord-by vector\n") == "byte-order")
        #expect(field("width 2\nheight x\ndepth 4\ndata-length 1\ndata-type signed\n") == "height")
    }

    @Test("half-precision bits convert to the right floats, subnormals and specials included")
    func halfFloats() {
        #expect(ElementConversion.halfToFloat(0x3c00) == 1)
        #expect(ElementConversion.halfToFloat(0xc000) == -2)
        #expect(ElementConversion.halfToFloat(0x7bff) == 65504)
        #expect(ElementConversion.halfToFloat(0x0001) == 0x1p-24)
        #expect(ElementConversion.halfToFloat(0x7c00) == .infinity)
        #expect(ElementConversion.halfToFloat(0xfc00) == -.infinity)
        #expect(ElementConversion.halfToFloat(0x7e00).isNaN)
        #expect(ElementConversion.halfToFloat(0x8000).sign == .minus)
    }
}
