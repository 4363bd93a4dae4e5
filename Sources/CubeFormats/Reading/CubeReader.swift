import Foundation

/// The entry point shared by the CLI and the service: format detection and opening.
public enum CubeReader {
    /// The format of `url` judged by content: NumPy, HDF5 and FITS magic bytes, an ENVI or
    /// ripple header, else an ENVI `.hdr` or `.rpl` next to a data file. Raw files have no
    /// signature: name the format (and layout) explicitly.
    public static func detect(_ url: URL) throws -> CubeFormat {
        let prefix = try BinaryFile(path: url.path).prefix(4096)
        if prefix.starts(with: [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]) { return .npy }
        if HDF5File.isHDF5(prefix) { return .hdf5 }
        if FITSReader.isFITS(prefix) { return .fits }
        if ENVIReader.isHeader(prefix) { return .envi }
        if RPLReader.isHeader(prefix) { return .rpl }
        let fm = FileManager.default
        if ENVIReader.headerCandidates(for: url).contains(where: { fm.fileExists(atPath: $0.path) }) { return .envi }
        if ["rpl", "RPL"].contains(where: { fm.fileExists(atPath: url.deletingPathExtension().appendingPathExtension($0).path) }) {
            return .rpl
        }
        throw CubeFormatError(.unknownFormat, file: url.path, field: "format",
                              expected: "NumPy, HDF5 or FITS magic bytes, an ENVI or RPL header, or a .hdr/.rpl next to the file",
                              found: "none of them (for a headerless file give format raw and its layout)")
    }

    /// Opens `url` as a cube in the format given by `options.format`, else the detected one
    /// (`raw` when only `options.raw` is given). Throws `CubeFormatError` naming the file,
    /// the field, what was expected and what was found; never reads the data eagerly.
    public static func open(_ url: URL, options: CubeOpenOptions = .init()) throws -> Datacube {
        let cube = try openAsStored(url, options: options)
        guard let calibration = options.axis else { return cube }
        return cube.replacingAxis(try calibration.axis(channels: cube.channels, file: url.lastPathComponent))
    }

    /// The cube with the axis its file gives.
    private static func openAsStored(_ url: URL, options: CubeOpenOptions) throws -> Datacube {
        let format = try options.format ?? (options.raw != nil ? .raw : detect(url))
        switch format {
        case .npy: return try NumPyReader.open(url, axisOrder: options.axisOrder)
        case .raw: return try RawReader.open(url, layout: options.raw)
        case .envi: return try ENVIReader.open(url, companion: options.companion)
        case .rpl: return try RPLReader.open(url, companion: options.companion)
        case .fits: return try FITSReader.open(url, extensionName: options.fitsExtension)
        case .hdf5: return try HDF5Reader.open(url, dataset: options.dataset, axisOrder: options.axisOrder)
        }
    }
}
