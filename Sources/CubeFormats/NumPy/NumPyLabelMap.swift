import Foundation

/// Reads a ground-truth label map: a 2-D (height, width) NumPy array of integers (any
/// integer dtype, either byte order, C or Fortran order), returned row major as Int32.
public enum NumPyLabelMap {
    /// - Throws: `CubeFormatError` naming the file and what did not fit (dimensions,
    ///   dtype, size).
    public static func read(_ url: URL, height: Int, width: Int) throws -> [Int32] {
        let file = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CubeFormatError(.io, file: file, field: "file", expected: "a readable .npy file", found: "\(error)")
        }
        let header = try NumPyHeader.parse(data.prefix(65_536))
        guard header.shape.count == 2 || (header.shape.count == 3 && header.shape[2] == 1) else {
            throw CubeFormatError(.unsupported, file: file, field: "shape", expected: "a 2-D (height, width) label map",
                                  found: "\(header.shape)")
        }
        guard header.shape[0] == height, header.shape[1] == width else {
            throw CubeFormatError(.sizeMismatch, file: file, field: "shape", expected: "(\(height), \(width)) like the cube",
                                  found: "\(header.shape)")
        }
        guard !header.dataType.isFloatingPoint else {
            throw CubeFormatError(.unsupported, file: file, field: "descr", expected: "an integer dtype", found: header.descr)
        }
        let count = height * width
        let bytes = count * header.dataType.byteSize
        guard data.count >= header.dataOffset + bytes else {
            throw CubeFormatError(.sizeMismatch, file: file, field: "data", expected: "\(bytes) bytes of labels",
                                  found: "\(max(0, data.count - header.dataOffset)) bytes")
        }
        var values = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            values.withUnsafeMutableBufferPointer { dst in
                ElementConversion.convert(raw.baseAddress! + header.dataOffset, count: count, type: header.dataType,
                                          byteOrder: header.byteOrder, to: dst.baseAddress!, stride: 1)
            }
        }
        var labels = values.map { Int32($0) }
        if header.fortranOrder {  // stored column major: transpose to row major
            labels = (0..<count).map { i in labels[(i % width) * height + i / width] }
        }
        return labels
    }
}
