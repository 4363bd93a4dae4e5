/// Checks shared by every reader: positive axes, sizes that fit in memory arithmetic, and a
/// data region that matches the file.
enum CubeGeometry {
    /// Largest cube accepted, in stored bytes (1 TiB): beyond it a header is taken as absurd.
    static let maximumBytes = 1 << 40

    /// Validates a (height, width, channels) shape of `type`; returns the stored byte count.
    /// `field` names the header field(s) holding the shape, `file` the file.
    @discardableResult
    static func validate(height: Int, width: Int, channels: Int, type: CubeDataType,
                         file: String, field: String) throws -> Int {
        let shape = "(\(height), \(width), \(channels))"
        guard height > 0, width > 0, channels > 0 else {
            throw CubeFormatError(.invalidHeader, file: file, field: field,
                                  expected: "height, width and channels all > 0", found: shape)
        }
        var total = type.byteSize
        for n in [height, width, channels] {
            let (p, overflow) = total.multipliedReportingOverflow(by: n)
            guard !overflow, p <= maximumBytes else {
                throw CubeFormatError(.invalidHeader, file: file, field: field,
                                      expected: "a cube of at most \(maximumBytes >> 30) GiB",
                                      found: "\(shape) of \(type.rawValue), more than that")
            }
            total = p
        }
        return total
    }

    /// Requires `fileSize == offset + dataBytes`, naming what disagrees.
    static func requireFileSize(_ fileSize: Int, offset: Int, dataBytes: Int, file: String, field: String) throws {
        let (expected, overflow) = offset.addingReportingOverflow(dataBytes)
        guard !overflow, fileSize == expected else {
            let what = fileSize < expected ? "truncated" : "longer than the header says"
            throw CubeFormatError(.sizeMismatch, file: file, field: field,
                                  expected: "\(expected) bytes (\(offset) header + \(dataBytes) data)",
                                  found: "\(fileSize) bytes (\(what))")
        }
    }
}
