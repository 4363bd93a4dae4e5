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
    @Option(help: "Raw data: byte order, little or big.")
    var byteOrder: String = "little"
    @Option(help: "Raw data: interleave, bsq, bil or bip.")
    var interleave: String = "bip"
    @Option(help: "Raw data: bytes to skip before the first value.")
    var headerOffset: Int = 0
    @Option(help: "HDF5: path of the dataset to read.")
    var dataset: String?
    @Option(help: "FITS: EXTNAME or 0-based index of the HDU to read.")
    var fitsExtension: String?
    @Option(help: "The other file of a two-file format (ENVI data file, RPL .raw).")
    var companion: String?

    func openOptions() throws -> CubeOpenOptions {
        var o = CubeOpenOptions(dataset: dataset, fitsExtension: fitsExtension,
                                companion: companion.map { URL(fileURLWithPath: $0) })
        if let format {
            guard let f = CubeFormat(rawValue: format.lowercased()) else {
                throw ValidationError("--format must be one of \(CubeFormat.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(format)\"")
            }
            o.format = f
        }
        if shape != nil || dtype != nil || o.format == .raw {
            guard let shape, let dtype else { throw ValidationError("raw data needs both --shape HxWxC and --dtype") }
            let dims = shape.lowercased().split(separator: "x").compactMap { Int($0) }
            guard dims.count == 3, dims.allSatisfy({ $0 > 0 }) else {
                throw ValidationError("--shape must be HEIGHTxWIDTHxCHANNELS with positive numbers, not \"\(shape)\"")
            }
            guard let type = CubeDataType(rawValue: dtype.lowercased()) else {
                throw ValidationError("--dtype must be one of \(CubeDataType.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(dtype)\"")
            }
            guard let order = ByteOrder(rawValue: byteOrder.lowercased()) else {
                throw ValidationError("--byte-order must be little or big, not \"\(byteOrder)\"")
            }
            guard let il = Interleave(rawValue: interleave.lowercased()) else {
                throw ValidationError("--interleave must be bsq, bil or bip, not \"\(interleave)\"")
            }
            o.format = .raw
            o.raw = RawLayout(height: dims[0], width: dims[1], channels: dims[2], dataType: type,
                              byteOrder: order, interleave: il, headerOffset: headerOffset)
        }
        return o
    }
}
