import Foundation

/// Opens ENVI cubes: a `.hdr` text header plus a headerless data file, given either file.
enum ENVIReader {
    /// Data file extensions tried next to a header, in order (after the bare base name).
    static let dataExtensions = ["img", "dat", "raw", "bsq", "bil", "bip", "bin", "envi"]

    static func open(_ url: URL, companion: URL?) throws -> Datacube {
        let (headerURL, dataURL) = try locate(url, companion: companion)
        let header: ENVIHeader
        do {
            header = try ENVIHeader.parse(try HeaderedDataFile.readText(headerURL, maximumLength: ENVIHeader.maximumLength))
        } catch let e as CubeFormatError {
            throw e.attributed(to: headerURL.path)
        }
        let storage = try HeaderedDataFile.storage(
            data: dataURL, header: headerURL, height: header.lines, width: header.samples, channels: header.bands,
            type: header.dataType, byteOrder: header.byteOrder, offset: header.headerOffset,
            order: header.interleave.axisOrder, field: "lines/samples/bands")
        var axis: SpectralAxis?
        if let w = header.wavelengths { axis = SpectralUnitName.axis(values: w, unitName: header.wavelengthUnits) }
        let info = SourceInfo(format: CubeFormat.envi.rawValue, dataType: header.dataType.rawValue, path: dataURL.path, details: [
            "header": headerURL.path, "interleave": header.interleave.rawValue, "byteOrder": header.byteOrder.rawValue,
            "headerOffset": String(header.headerOffset),
        ])
        return Datacube(height: header.lines, width: header.samples, channels: header.bands, axis: axis, info: info, storage: storage)
    }

    /// True when the file starts with the ENVI header magic.
    static func isHeader(_ prefix: [UInt8]) -> Bool { prefix.starts(with: Array("ENVI".utf8)) }

    /// (header, data) for `url` being either of the two.
    static func locate(_ url: URL, companion: URL?) throws -> (URL, URL) {
        let isHeader = (try? BinaryFile(path: url.path).prefix(4)).map(isHeader) ?? false
        let fm = FileManager.default
        if isHeader {
            if let companion { return (url, companion) }
            let base = url.pathExtension.lowercased() == "hdr" ? url.deletingPathExtension() : url
            let candidates = [base] + dataExtensions.flatMap { [base.appendingPathExtension($0), base.appendingPathExtension($0.uppercased())] }
            guard let data = candidates.first(where: { $0 != url && fm.fileExists(atPath: $0.path) }) else {
                throw CubeFormatError(.unknownFormat, file: url.path, field: "data file",
                                      expected: "a data file next to the header (\(base.lastPathComponent) or with extension \(dataExtensions.joined(separator: "/")))",
                                      found: "none; pass the data file as companion")
            }
            return (url, data)
        }
        if let companion { return (companion, url) }
        guard let header = headerCandidates(for: url).first(where: { fm.fileExists(atPath: $0.path) }) else {
            throw CubeFormatError(.unknownFormat, file: url.path, field: "header file", expected: "an ENVI .hdr next to the data file",
                                  found: "none; pass the .hdr as companion")
        }
        return (header, url)
    }

    /// `cube.hdr` and `cube.img.hdr` for data file `cube.img`.
    static func headerCandidates(for data: URL) -> [URL] {
        [data.deletingPathExtension().appendingPathExtension("hdr"), data.appendingPathExtension("hdr"),
         data.deletingPathExtension().appendingPathExtension("HDR")]
    }
}
