import Foundation

/// The file formats CubeSeg reads.
public enum CubeFormat: String, Sendable, Codable, CaseIterable {
    case npy, raw, envi, rpl, fits, hdf5
}

/// The layout of a headerless binary cube, as given by the caller.
public struct RawLayout: Sendable, Codable, Equatable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var dataType: CubeDataType
    public var byteOrder: ByteOrder
    public var interleave: Interleave
    /// Bytes to skip before the first value.
    public var headerOffset: Int

    public init(height: Int, width: Int, channels: Int, dataType: CubeDataType,
                byteOrder: ByteOrder = .little, interleave: Interleave = .bip, headerOffset: Int = 0) {
        self.height = height
        self.width = width
        self.channels = channels
        self.dataType = dataType
        self.byteOrder = byteOrder
        self.interleave = interleave
        self.headerOffset = headerOffset
    }
}

/// Options for `CubeReader.open`. Every field is optional; nil means "work it out".
public struct CubeOpenOptions: Sendable, Equatable {
    /// Overrides format detection.
    public var format: CubeFormat?
    /// The layout of a `raw` file (required for `raw`).
    public var raw: RawLayout?
    /// HDF5 dataset path, e.g. `/entry/data/data`; default: the NeXus signal, else the
    /// only 3-D numeric dataset.
    public var dataset: String?
    /// FITS HDU: an EXTNAME (`FLUX`) or a 0-based HDU index (`1`); default: the primary
    /// HDU if it is 3-D, else the first 3-D image extension.
    public var fitsExtension: String?
    /// Order of the stored dimensions for NumPy and HDF5 arrays; default `yxc`
    /// (rows, cols, channels), or what NeXus `@axes` says.
    public var axisOrder: AxisOrder?
    /// The other file of a two-file format: the ENVI data file for a `.hdr` (or the `.hdr`
    /// for a data file), the `.raw` for an `.rpl` (or the `.rpl` for a `.raw`).
    public var companion: URL?
    /// A spectral axis replacing the file's own (NumPy and raw files carry none).
    public var axis: AxisCalibration?

    public init(format: CubeFormat? = nil, raw: RawLayout? = nil, dataset: String? = nil,
                fitsExtension: String? = nil, axisOrder: AxisOrder? = nil, companion: URL? = nil, axis: AxisCalibration? = nil) {
        self.axis = axis
        self.format = format
        self.raw = raw
        self.dataset = dataset
        self.fitsExtension = fitsExtension
        self.axisOrder = axisOrder
        self.companion = companion
    }
}
