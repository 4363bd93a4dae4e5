import CubeFormats
import Foundation

// STAND-IN: delete when CubeFormats' CubeReader lands (see LiveEngine.swift). Reads only
// little-endian float32, C-order, 3-D `.npy` files, into memory.
enum StandInNpyReader {
    static func open(_ url: URL) throws -> Datacube {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) }
        catch { throw CubeOpenFailure.unusable("cannot read the file: \(error.localizedDescription)") }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard data.count >= 10, Array(data.prefix(6)) == magic else { throw CubeOpenFailure.unknownFormat("not a .npy file") }
        let major = data[data.startIndex + 6]
        let headerStart = major == 1 ? 10 : 12
        guard data.count >= headerStart else { throw CubeOpenFailure.unusable("truncated .npy header") }
        let headerLength = major == 1
            ? Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8
            : Int(data[data.startIndex + 8]) | Int(data[data.startIndex + 9]) << 8 | Int(data[data.startIndex + 10]) << 16 | Int(data[data.startIndex + 11]) << 24
        guard data.count >= headerStart + headerLength,
              let header = String(data: data.subdata(in: headerStart..<(headerStart + headerLength)), encoding: .ascii)
        else { throw CubeOpenFailure.unusable("truncated .npy header") }
        guard header.contains("'<f4'") else { throw CubeOpenFailure.unusable("only little-endian float32 (<f4) is read for now: \(header)") }
        guard header.contains("'fortran_order': False") else { throw CubeOpenFailure.unusable("Fortran-order arrays are not read") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw CubeOpenFailure.unusable("no shape in .npy header")
        }
        let dims = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 3, dims.allSatisfy({ $0 > 0 }) else { throw CubeOpenFailure.unusable("shape \(dims) is not (height, width, channels)") }
        let count = dims[0] * dims[1] * dims[2]
        let offset = headerStart + headerLength
        guard data.count - offset == count * 4 else {
            throw CubeOpenFailure.unusable("\(data.count - offset) data bytes for shape \(dims) (expected \(count * 4))")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset...])) }
        }
        return Datacube(height: dims[0], width: dims[1], channels: dims[2], values: values,
                        info: SourceInfo(format: "npy", dataType: "float32", path: url.path))
    }
}
