import Foundation

/// Writes NumPy `.npy` version 1.0 files (C order, little endian): Float32 cubes and
/// Int32 / UInt8 label maps. Encoding is kept apart from I/O: `encode` returns bytes.
public enum NumPyWriter {
    /// The .npy bytes of `values` with `shape` (row major); `descr` is the NumPy type string.
    static func encode(descr: String, shape: [Int], body: Data) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // magic (6) + version (2) + header length (2) + header + '\n' is a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
        out.append(contentsOf: Array(header.utf8))
        out.append(body)
        return out
    }

    /// .npy bytes of a Float32 array of `shape` (row-major values).
    public static func encode(_ values: [Float], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "shape does not match values")
        let body = values.withUnsafeBufferPointer { p in Data(buffer: p) }  // little endian on our targets
        return encode(descr: "<f4", shape: shape, body: body)
    }

    /// .npy bytes of an Int32 array of `shape`.
    public static func encode(_ values: [Int32], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "shape does not match values")
        let body = values.withUnsafeBufferPointer { p in Data(buffer: p) }
        return encode(descr: "<i4", shape: shape, body: body)
    }

    /// Writes `data` to `url` atomically (temporary name, then rename).
    public static func write(_ data: Data, to url: URL) throws {
        try data.write(to: url, options: .atomic)
    }
}
