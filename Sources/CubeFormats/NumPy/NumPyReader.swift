import Foundation

/// Opens `.npy` files as cubes: a 3-D array in any supported dtype, byte order, C or
/// Fortran order; stored dimensions (rows, cols, channels) unless `axisOrder` says otherwise.
enum NumPyReader {
    static func open(_ url: URL, axisOrder: AxisOrder?) throws -> Datacube {
        let file = try BinaryFile(path: url.path)
        let header: NumPyHeader
        do {
            let head = try file.prefix(12)
            var length = 0
            if head.count >= 12 {
                length = head[6] == 1 ? Int(head[8]) | Int(head[9]) << 8 : Int(head[8]) | Int(head[9]) << 8 | Int(head[10]) << 16 | Int(head[11]) << 24
            }
            header = try NumPyHeader.parse(try file.prefix(12 + min(length, NumPyHeader.maximumHeaderLength)))
        } catch let e as CubeFormatError {
            throw e.attributed(to: url.path)
        }
        guard header.shape.count == 3 else {
            throw CubeFormatError(.unsupported, file: url.path, field: "shape",
                                  expected: "a 3-D array (height, width, channels)",
                                  found: "\(header.shape.count)-D shape \(header.shape)")
        }
        let order = axisOrder ?? .yxc
        // Fortran order stores the shape's dimensions reversed (first index fastest).
        // The cube axis of each shape entry, then of each stored dimension.
        let shapeAxes = order.cubeAxes
        let storedAxes = header.fortranOrder ? shapeAxes.reversed() : shapeAxes
        var size = [0, 0, 0]
        for (axis, n) in zip(shapeAxes, header.shape) { size[axis] = n }
        let bytes = try CubeGeometry.validate(height: size[0], width: size[1], channels: size[2], type: header.dataType,
                                              file: url.path, field: "shape")
        try CubeGeometry.requireFileSize(file.size, offset: header.dataOffset, dataBytes: bytes, file: url.path, field: "shape")
        guard let storedOrder = AxisOrder(rawValue: String(storedAxes.map { Array("yxc")[$0] })) else {
            preconditionFailure("axis permutation")
        }
        let storage = DenseFileStorage(file: file, offset: header.dataOffset, type: header.dataType, byteOrder: header.byteOrder,
                                       height: size[0], width: size[1], channels: size[2], order: storedOrder)
        let info = SourceInfo(format: CubeFormat.npy.rawValue, dataType: header.dataType.rawValue, path: url.path, details: [
            "descr": header.descr, "version": "\(header.majorVersion).\(header.minorVersion)",
            "order": header.fortranOrder ? "fortran" : "c", "axisOrder": order.rawValue, "shape": "\(header.shape)",
        ])
        return Datacube(height: size[0], width: size[1], channels: size[2], info: info, storage: storage)
    }
}
