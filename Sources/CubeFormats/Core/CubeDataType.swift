/// The element type of stored cube values, independent of any file format's spelling
/// (`<f4`, ENVI `data type = 4`, FITS `BITPIX = -32`, ...). Every type converts to Float32.
public enum CubeDataType: String, Sendable, Codable, CaseIterable {
    case bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float16, float32, float64

    /// Bytes per stored element.
    public var byteSize: Int {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16, .float16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        }
    }

    /// True for float16/32/64 (values that may be NaN or infinite).
    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }
}

/// Byte order of multi-byte stored elements.
public enum ByteOrder: String, Sendable, Codable, CaseIterable {
    case little, big

    /// The byte order of the machine running this code.
    public static var native: ByteOrder { 1.littleEndian == 1 ? .little : .big }
}

/// How a raw cube's values are ordered on disk (ENVI/RPL vocabulary):
/// - `bsq`: band sequential, stored as (channels, height, width);
/// - `bil`: band interleaved by line, (height, channels, width);
/// - `bip`: band interleaved by pixel, (height, width, channels), i.e. pixel-major.
public enum Interleave: String, Sendable, Codable, CaseIterable {
    case bsq, bil, bip

    /// The order of stored dimensions, outermost first.
    public var axisOrder: AxisOrder {
        switch self {
        case .bsq: .cyx
        case .bil: .ycx
        case .bip: .yxc
        }
    }
}

/// The order in which a stored 3-D array holds the image rows (`y`), columns (`x`) and
/// channels (`c`), outermost (slowest varying, first in a NumPy/HDF5 shape) first.
/// `yxc` is (rows, cols, channels), the default; `cyx` is channel-first (FITS as NumPy sees it).
public enum AxisOrder: String, Sendable, Codable, CaseIterable {
    case yxc, ycx, xyc, xcy, cyx, cxy

    /// For each stored dimension (outermost first), which cube axis it holds:
    /// 0 = y (rows), 1 = x (cols), 2 = c (channels).
    public var cubeAxes: [Int] {
        rawValue.map { ch in ch == "y" ? 0 : ch == "x" ? 1 : 2 }
    }
}
