import Foundation
import Testing
@testable import CubeFormats

@Suite struct SpectralAxisReadingTests {
    @Test("ENVI wavelengths and units become the axis")
    func envi() throws {
        let axis = try CubeReader.open(Fixture.url("envi_bsq.hdr")).axis
        #expect(axis.unit == .nm && axis.quantity == .wavelength)
        #expect(axis.values == (0..<16).map { 400 + 10 * Double($0) })
    }

    @Test("FITS linear WAVE axis comes from CRVAL3, CDELT3, CRPIX3 and CUNIT3")
    func fitsLinear() throws {
        let axis = try CubeReader.open(Fixture.url("fits_u16.fits")).axis
        #expect(axis.unit == .angstrom && axis.quantity == .wavelength)
        #expect(axis.values == (0..<16).map { 4000 + 2.5 * Double($0) })
    }

    @Test("FITS WAVE-LOG axis grows geometrically from CRVAL3")
    func fitsLog() throws {
        let axis = try CubeReader.open(Fixture.url("fits_ext.fits"), options: CubeOpenOptions(fitsExtension: "FLUX")).axis
        #expect(axis.unit == .angstrom)
        for (i, v) in axis.values.enumerated() {
            #expect(abs(v - 5000 * exp(Double(i) / 5000)) < 1e-9)
        }
    }

    @Test("a FITS WAVE axis in metres without CUNIT3 is converted to nm; CD3_3 overrides CDELT3")
    func fitsDefaults() {
        let keys = ["CTYPE3": "WAVE", "CRVAL3": "5.0E-07", "CD3_3": "1.0E-09", "CDELT3": "3", "CRPIX3": "2"]
        let axis = FITSSpectralWCS.axis(count: 3) { keys[$0] }
        #expect(axis.unit == .nm)
        #expect(zip(axis.values, [499.0, 500, 501]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(FITSSpectralWCS.axis(count: 4) { _ in nil } == .channelIndex(4))
        let freq = FITSSpectralWCS.axis(count: 2) { ["CTYPE3": "FREQ", "CRVAL3": "1.5", "CDELT3": "0.5", "CUNIT3": "GHz"][$0] }
        #expect(freq.unit == .hz && freq.values == [1.5e9, 2.0e9])
    }

    @Test("a HyperSpy .hspy file opens with its calibrated energy axis and the reference values")
    func hyperspy() throws {
        let cube = try CubeReader.open(Fixture.url("hyperspy.hspy"))
        #expect(cube.info.details["hyperspy"] == "/Experiments/fixture")
        #expect((cube.height, cube.width, cube.channels) == (6, 5, 16))
        #expect(cube.axis.unit == .keV && cube.axis.quantity == .energy)
        #expect(zip(cube.axis.values, (0..<16).map { 0.1 + 0.02 * Double($0) }).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(try cube.readAll() == Fixture.reference)
    }

    @Test("an axis given by start, step and unit replaces a NumPy file's channel index")
    func givenAxis() throws {
        let options = try CubeOpenRequest(axisStart: 1.5, axisStep: 0.25, axisUnit: "eV").options()
        let axis = try CubeReader.open(Fixture.url("reference.npy"), options: options).axis
        #expect(axis.unit == .eV && axis.quantity == .energy)
        #expect(axis.values == (0..<16).map { 1.5 + 0.25 * Double($0) })
    }

    @Test("an axis request that cannot be used names its field")
    func badAxisRequests() {
        #expect(throws: CubeOpenRequest.Invalid(field: "axis_step", reason: "axis_start and axis_step go together (channel i is at start + i * step)")) {
            try CubeOpenRequest(axisStart: 1).options()
        }
        #expect((try? CubeOpenRequest(axisStart: 0, axisStep: 0).options()) == nil)
        do { _ = try CubeOpenRequest(axisStart: 0, axisStep: 1, axisUnit: "furlongs").options(); Issue.record("furlongs accepted") }
        catch { #expect(error.field == "axis_unit" && error.reason.contains("keV")) }
    }

    @Test("an axis file of numbers or JSON is read; a file with the wrong length is refused when opening")
    func axisFiles() throws {
        try Fixture.withTemporaryDirectory { dir in
            let text = dir.appendingPathComponent("axis.txt")
            try (0..<16).map { String(500 + 2 * $0) }.joined(separator: "\n").write(to: text, atomically: true, encoding: .utf8)
            let fromText = try AxisCalibration.read(text, unit: "nm")
            var options = CubeOpenOptions()
            options.axis = fromText
            let axis = try CubeReader.open(Fixture.url("reference.npy"), options: options).axis
            #expect(axis.unit == .nm && axis.values == (0..<16).map { 500 + 2 * Double($0) })

            let linear = SpectralAxis.linear(count: 16, start: 0.5, step: 0.01, unit: .keV, quantity: .energy)
            let json = AxisCalibration.sidecarURL(for: dir.appendingPathComponent("cube.npy"))
            #expect(json.lastPathComponent == "cube_axis.json")
            try AxisCalibration.encode(linear).write(to: json)
            options.axis = try AxisCalibration.read(json)
            #expect(abs((options.axis?.step ?? 0) - 0.01) < 1e-12 && options.axis?.values == nil)
            let read = try CubeReader.open(Fixture.url("reference.npy"), options: options).axis
            #expect(read.unit == .keV && zip(read.values, linear.values).allSatisfy { abs($0 - $1) < 1e-12 })

            options.axis = AxisCalibration(values: [1, 2, 3], unit: "nm")
            #expect(throws: CubeFormatError.self) { try CubeReader.open(Fixture.url("reference.npy"), options: options) }
        }
    }

    @Test("NeXus NXdata @axes gives the energy axis with its @units")
    func nexus() throws {
        let cube = try CubeReader.open(Fixture.url("hdf5_nexus.h5"))
        #expect(cube.info.details["dataset"] == "/entry/data/counts")
        #expect(cube.axis.unit == .keV && cube.axis.quantity == .energy)
        #expect(zip(cube.axis.values, (0..<16).map { 0.5 + 0.02 * Double($0) }).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test("a channel-first NeXus signal is recognised by the units of its axes")
    func nexusChannelFirst() throws {
        let cube = try CubeReader.open(Fixture.url("hdf5_nexus_cyx.h5"))
        #expect(cube.info.details["axisOrder"] == "cyx")
        #expect(cube.axis.unit == .eV && cube.axis.values == (0..<16).map { 100 + 10 * Double($0) })
    }

    @Test("RPL depth-origin, depth-scale and depth-units give an eV axis; ev-per-chan alone starts at 0")
    func rpl() throws {
        let axis = try CubeReader.open(Fixture.url("rpl_vector.rpl")).axis
        #expect(axis.unit == .eV && axis.values == (0..<16).map { -20 + 10 * Double($0) })
        let header = try RPLHeader.parse("width 2\nheight 2\ndepth 3\ndata-length 1\ndata-type unsigned\nrecord-by vector\nev-per-chan 5\n")
        #expect(header.axis() == .linear(count: 3, start: 0, step: 5, unit: .eV, quantity: .energy))
    }

    @Test("files without axis information give channel indices")
    func none() throws {
        #expect(try CubeReader.open(Fixture.url("npy_f4.npy")).axis == .channelIndex(16))
        #expect(try CubeReader.open(Fixture.url("hdf5_gzip.h5")).axis == .channelIndex(16))
    }
}
