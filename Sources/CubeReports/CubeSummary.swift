import CubeFormats

/// What a segmented cube was, as recorded in `report.json` under `cube`.
/// JSON keys: name, format, height, width, channels, dtype, axis_unit, sha256 (omitted when nil).
public struct CubeSummary: Sendable, Codable, Equatable {
    /// A name for people, usually the file name.
    public var name: String
    /// The reader that read it, e.g. "fits", "hdf5", "npy".
    public var format: String
    public var height: Int
    public var width: Int
    public var channels: Int
    /// The stored sample type, e.g. "float32", "uint16".
    public var dtype: String
    /// Unit of the spectral axis, e.g. "eV", "channel".
    public var axisUnit: String
    /// SHA-256 of the file's bytes, lowercase hex, when the caller computed it.
    public var sha256: String?

    public init(name: String, format: String, height: Int, width: Int, channels: Int, dtype: String,
                axisUnit: String, sha256: String? = nil) {
        self.name = name; self.format = format; self.height = height; self.width = width
        self.channels = channels; self.dtype = dtype; self.axisUnit = axisUnit; self.sha256 = sha256
    }

    /// The summary of `cube` (format and dtype from its `SourceInfo`, unit from its axis).
    public init(name: String, cube: Datacube, sha256: String? = nil) {
        self.init(name: name, format: cube.info.format, height: cube.height, width: cube.width,
                  channels: cube.channels, dtype: cube.info.dataType, axisUnit: cube.axis.unit.rawValue, sha256: sha256)
    }

    enum CodingKeys: String, CodingKey {
        case name, format, height, width, channels, dtype, axisUnit = "axis_unit", sha256
    }
}
