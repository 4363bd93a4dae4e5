import ArgumentParser
import CubeFormats
import Foundation

/// How to read the input file, when detection by content needs help.
struct InputOptions: ParsableArguments {
    @Option(help: "Format, overriding detection: \(CubeFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String?
    @Option(help: "Raw data: shape as HEIGHTxWIDTHxCHANNELS, e.g. 256x256x1024.")
    var shape: String?
    @Option(help: "Raw data: element type, e.g. float32, uint16, int32.")
    var dtype: String?
    @Option(help: "Raw data: byte order, little (default) or big.")
    var byteOrder: String?
    @Option(help: "Raw data: interleave, bsq, bil or bip (default).")
    var interleave: String?
    @Option(help: "Raw data: bytes to skip before the first value (default 0).")
    var headerOffset: Int?
    @Option(help: "HDF5: path of the dataset to read.")
    var dataset: String?
    @Option(help: "FITS: EXTNAME or 0-based index of the HDU to read.")
    var fitsExtension: String?
    @Option(help: "The other file of a two-file format (ENVI data file, RPL .raw).")
    var companion: String?
    @Option(help: "Spectral axis: coordinate of channel 0 (with --axis-step), for files that carry no axis (npy, raw).")
    var axisStart: Double?
    @Option(help: "Spectral axis: coordinate step per channel (with --axis-start).")
    var axisStep: Double?
    @Option(help: "Spectral axis unit: \(AxisCalibration.unitNames).")
    var axisUnit: String?
    @Option(help: "Spectral axis from a file: JSON {\"start\", \"step\", \"unit\"} or {\"values\", \"unit\"}, or numbers, one per channel. Default: CUBE_axis.json beside CUBE when it exists (cubeseg synth writes one).")
    var axisFile: String?

    /// The flags as the one `CubeOpenRequest` (the service takes the same fields), checked
    /// there; a bad value names its flag.
    ///
    /// The axis: `--axis-start/--axis-step/--axis-unit`, else `--axis-file`, else the
    /// `CUBE_axis.json` beside `cube` (`AxisCalibration.sidecarURL`), else the file's own.
    func openOptions(cube: URL) throws -> CubeOpenOptions {
        var request = CubeOpenRequest(format: format, dtype: dtype, byteOrder: byteOrder, interleave: interleave,
                                      headerOffset: headerOffset, dataset: dataset, fitsExtension: fitsExtension,
                                      axisStart: axisStart, axisStep: axisStep, axisUnit: axisUnit)
        if let shape {
            let dims = shape.lowercased().split(separator: "x").map { Int($0) }
            guard dims.count == 3, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--shape must be HEIGHTxWIDTHxCHANNELS with positive numbers, not \"\(shape)\"")
            }
            request.shape = dims.map { $0! }
        }
        var options: CubeOpenOptions
        do { options = try request.options(companion: companion.map { URL(fileURLWithPath: $0) }) }
        catch { throw ValidationError("--\(error.field.replacingOccurrences(of: "_", with: "-")) \(error.reason)") }
        guard options.axis == nil else {
            if axisFile != nil { throw ValidationError("give --axis-file or --axis-start/--axis-step, not both") }
            return options
        }
        let sidecar = AxisCalibration.sidecarURL(for: cube)
        let file = axisFile.map { URL(fileURLWithPath: $0) } ?? (FileManager.default.fileExists(atPath: sidecar.path) ? sidecar : nil)
        if let file {
            let calibration = try AxisCalibration.read(file, unit: axisUnit)
            do { try calibration.validate() }
            catch { throw ValidationError("--axis-file \(file.lastPathComponent): \(error.reason)") }
            options.axis = calibration
        }
        return options
    }
}
