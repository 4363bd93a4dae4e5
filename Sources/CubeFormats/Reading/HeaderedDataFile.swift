import Foundation

/// What the two-file formats (ENVI, Lispix RPL) share: a small text header read whole, and a
/// headerless data file checked against the geometry the header gives, then read through
/// `DenseFileStorage`.
enum HeaderedDataFile {
    /// The header at `url` as text; a file over `maximumLength` bytes is not a header.
    static func readText(_ url: URL, maximumLength: Int) throws -> String {
        let file = try BinaryFile(path: url.path)
        guard file.size <= maximumLength else {
            throw CubeFormatError(.invalidHeader, file: url.path, field: "header", expected: "at most \(maximumLength) bytes",
                                  found: "\(file.size) bytes")
        }
        return String(decoding: try file.prefix(file.size), as: UTF8.self)
    }

    /// Storage over `data` for the (height, width, channels) cube that `header` describes;
    /// throws when the geometry is impossible (`field` names the header keys) or the data
    /// file's size disagrees with it.
    static func storage(data: URL, header: URL, height: Int, width: Int, channels: Int, type: CubeDataType,
                        byteOrder: ByteOrder, offset: Int, order: AxisOrder, field: String) throws -> DenseFileStorage {
        let file = try BinaryFile(path: data.path)
        let bytes = try CubeGeometry.validate(height: height, width: width, channels: channels, type: type,
                                              file: header.path, field: field)
        try CubeGeometry.requireFileSize(file.size, offset: offset, dataBytes: bytes, file: data.path,
                                         field: "size given by \(header.lastPathComponent)")
        return DenseFileStorage(file: file, offset: offset, type: type, byteOrder: byteOrder,
                                height: height, width: width, channels: channels, order: order)
    }
}
