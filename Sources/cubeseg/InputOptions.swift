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

    /// The flags as the one `CubeOpenRequest` (the service takes the same fields), checked
    /// there; a bad value names its flag.
    func openOptions() throws -> CubeOpenOptions {
        var request = CubeOpenRequest(format: format, dtype: dtype, byteOrder: byteOrder, interleave: interleave,
                                      headerOffset: headerOffset, dataset: dataset, fitsExtension: fitsExtension)
        if let shape {
            let dims = shape.lowercased().split(separator: "x").map { Int($0) }
            guard dims.count == 3, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw ValidationError("--shape must be HEIGHTxWIDTHxCHANNELS with positive numbers, not \"\(shape)\"")
            }
            request.shape = dims.map { $0! }
        }
        do { return try request.options(companion: companion.map { URL(fileURLWithPath: $0) }) }
        catch { throw ValidationError("--\(error.field.replacingOccurrences(of: "_", with: "-")) \(error.reason)") }
    }
}
