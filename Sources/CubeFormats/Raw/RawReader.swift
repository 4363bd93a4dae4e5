import Foundation

/// Opens headerless binary cubes with a caller-given `RawLayout`.
enum RawReader {
    static func open(_ url: URL, layout: RawLayout?) throws -> Datacube {
        guard let layout else {
            throw CubeFormatError(.unknownFormat, file: url.path, field: "layout",
                                  expected: "a raw layout (shape, dtype, byte order, interleave, offset) from the caller", found: "none")
        }
        let file = try BinaryFile(path: url.path)
        guard layout.headerOffset >= 0 else {
            throw CubeFormatError(.invalidHeader, file: url.path, field: "header offset", expected: ">= 0", found: "\(layout.headerOffset)")
        }
        let bytes = try CubeGeometry.validate(height: layout.height, width: layout.width, channels: layout.channels,
                                              type: layout.dataType, file: url.path, field: "layout shape")
        try CubeGeometry.requireFileSize(file.size, offset: layout.headerOffset, dataBytes: bytes, file: url.path, field: "layout")
        let storage = DenseFileStorage(file: file, offset: layout.headerOffset, type: layout.dataType, byteOrder: layout.byteOrder,
                                       height: layout.height, width: layout.width, channels: layout.channels,
                                       order: layout.interleave.axisOrder)
        let info = SourceInfo(format: CubeFormat.raw.rawValue, dataType: layout.dataType.rawValue, path: url.path, details: [
            "interleave": layout.interleave.rawValue, "byteOrder": layout.byteOrder.rawValue, "headerOffset": String(layout.headerOffset),
        ])
        return Datacube(height: layout.height, width: layout.width, channels: layout.channels, info: info, storage: storage)
    }
}
