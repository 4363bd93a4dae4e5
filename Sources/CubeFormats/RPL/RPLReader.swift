import Foundation

/// Opens Lispix ripple cubes: an `.rpl` header plus its `.raw` data, given either file.
enum RPLReader {
    static func open(_ url: URL, companion: URL?) throws -> Datacube {
        let (headerURL, dataURL) = try locate(url, companion: companion)
        let header: RPLHeader
        do {
            header = try RPLHeader.parse(try HeaderedDataFile.readText(headerURL, maximumLength: RPLHeader.maximumLength))
        } catch let e as CubeFormatError {
            throw e.attributed(to: e.file == "<bytes>" ? headerURL.path : e.file)
        }
        let storage = try HeaderedDataFile.storage(
            data: dataURL, header: headerURL, height: header.height, width: header.width, channels: header.depth,
            type: header.dataType, byteOrder: header.byteOrder, offset: header.offset,
            order: header.interleave.axisOrder, field: "height/width/depth")
        let info = SourceInfo(format: CubeFormat.rpl.rawValue, dataType: header.dataType.rawValue, path: dataURL.path, details: [
            "header": headerURL.path, "recordBy": header.interleave == .bip ? "vector" : "image",
            "byteOrder": header.byteOrder.rawValue,
        ])
        return Datacube(height: header.height, width: header.width, channels: header.depth, axis: header.axis(),
                        info: info, storage: storage)
    }

    /// True when a text prefix looks like a ripple header: it has width, height and depth keys.
    static func isHeader(_ prefix: [UInt8]) -> Bool {
        guard prefix.allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || $0 >= 32 }) else { return false }  // text (latin-1 or UTF-8)
        let fields = RPLHeader.parseFields(String(decoding: prefix, as: UTF8.self))
        return ["width", "height", "depth", "data-length"].allSatisfy { fields[$0] != nil }
    }

    /// (header, data) for `url` being either of the two.
    static func locate(_ url: URL, companion: URL?) throws -> (URL, URL) {
        let prefix = (try? BinaryFile(path: url.path).prefix(4096)) ?? []
        let fm = FileManager.default
        if url.pathExtension.lowercased() == "rpl" || isHeader(prefix) {
            if let companion { return (url, companion) }
            let base = url.deletingPathExtension()
            guard let data = ["raw", "RAW"].map({ base.appendingPathExtension($0) }).first(where: { fm.fileExists(atPath: $0.path) }) else {
                throw CubeFormatError(.unknownFormat, file: url.path, field: "data file", expected: "\(base.lastPathComponent).raw next to the header",
                                      found: "none; pass the .raw as companion")
            }
            return (url, data)
        }
        if let companion { return (companion, url) }
        let base = url.deletingPathExtension()
        guard let header = ["rpl", "RPL"].map({ base.appendingPathExtension($0) }).first(where: { fm.fileExists(atPath: $0.path) }) else {
            throw CubeFormatError(.unknownFormat, file: url.path, field: "header file", expected: "\(base.lastPathComponent).rpl next to the data",
                                  found: "none; pass the .rpl as companion")
        }
        return (header, url)
    }
}
