import Foundation

/// How to open a cube, as people give it: the `cubeseg segment` flags, the query (or form)
/// fields of `POST /v1/cubes`, and the JSON stored with each uploaded cube so that workers
/// open it the same way. Plain values, checked in one place (`options(companion:)`), which
/// turns them into the readers' `CubeOpenOptions`.
public struct CubeOpenRequest: Sendable, Codable, Equatable {
    /// One of `CubeFormat`'s names; nil: detect from the bytes.
    public var format: String?
    /// Raw data only: (height, width, channels).
    public var shape: [Int]?
    /// Raw data only: one of `CubeDataType`'s names (`float32`, `uint16`, ...).
    public var dtype: String?
    /// Raw data only: `little` (the default) or `big`.
    public var byteOrder: String?
    /// Raw data only: `bsq`, `bil` or `bip` (the default).
    public var interleave: String?
    /// Raw data only: bytes before the first value (default 0).
    public var headerOffset: Int?
    /// HDF5 only: the dataset path.
    public var dataset: String?
    /// FITS only: EXTNAME or 0-based index of the HDU.
    public var fitsExtension: String?
    /// The spectral axis, for files that carry none (NumPy, raw) or to override the file's:
    /// channel i is at `axisStart + i * axisStep`, in `axisUnit` (see `AxisCalibration`).
    public var axisStart: Double?
    public var axisStep: Double?
    public var axisUnit: String?

    public init(format: String? = nil, shape: [Int]? = nil, dtype: String? = nil, byteOrder: String? = nil,
                interleave: String? = nil, headerOffset: Int? = nil, dataset: String? = nil, fitsExtension: String? = nil,
                axisStart: Double? = nil, axisStep: Double? = nil, axisUnit: String? = nil) {
        self.axisStart = axisStart; self.axisStep = axisStep; self.axisUnit = axisUnit
        self.format = format; self.shape = shape; self.dtype = dtype; self.byteOrder = byteOrder
        self.interleave = interleave; self.headerOffset = headerOffset; self.dataset = dataset; self.fitsExtension = fitsExtension
    }

    /// Format names, as `format` takes them.
    public static let knownFormats: Set<String> = Set(CubeFormat.allCases.map(\.rawValue))

    /// A value that cannot be used, with the field's snake_case name (`dtype`, `shape`, ...).
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var field: String
        public var reason: String
        public var description: String { "\(field): \(reason)" }
        public init(field: String, reason: String) { self.field = field; self.reason = reason }
    }

    /// The readers' options. `companion`: the other file of a two-file format, when the
    /// caller knows it (the command line; the service stores both files side by side).
    public func options(companion: URL? = nil) throws(Invalid) -> CubeOpenOptions {
        var o = CubeOpenOptions(dataset: dataset, fitsExtension: fitsExtension, companion: companion)
        if axisStart != nil || axisStep != nil || axisUnit != nil {
            let calibration = AxisCalibration(start: axisStart, step: axisStep, unit: axisUnit)
            try calibration.validate()
            o.axis = calibration
        }
        if let format {
            guard let f = CubeFormat(rawValue: format.lowercased()) else {
                throw Invalid(field: "format", reason: "must be one of \(Self.names(CubeFormat.self)), not \"\(format)\"")
            }
            o.format = f
        }
        let rawGiven = shape != nil || dtype != nil
        // byte_order, interleave and header_offset describe raw data only; other formats say
        // it in their own headers.
        guard rawGiven || o.format == .raw else { return o }
        guard let shape else { throw Invalid(field: "shape", reason: "raw data needs shape (height, width, channels) and dtype") }
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw Invalid(field: "shape", reason: "must be three positive numbers (height, width, channels), not \(shape)")
        }
        guard let dtype else { throw Invalid(field: "dtype", reason: "raw data needs dtype and shape") }
        guard let type = CubeDataType(rawValue: dtype.lowercased()) else {
            throw Invalid(field: "dtype", reason: "must be one of \(Self.names(CubeDataType.self)), not \"\(dtype)\"")
        }
        guard let order = ByteOrder(rawValue: (byteOrder ?? "little").lowercased()) else {
            throw Invalid(field: "byte_order", reason: "must be little or big, not \"\(byteOrder ?? "")\"")
        }
        guard let layout = Interleave(rawValue: (interleave ?? "bip").lowercased()) else {
            throw Invalid(field: "interleave", reason: "must be bsq, bil or bip, not \"\(interleave ?? "")\"")
        }
        guard (headerOffset ?? 0) >= 0 else { throw Invalid(field: "header_offset", reason: "must be >= 0, not \(headerOffset!)") }
        o.format = .raw
        o.raw = RawLayout(height: shape[0], width: shape[1], channels: shape[2], dataType: type,
                          byteOrder: order, interleave: layout, headerOffset: headerOffset ?? 0)
        return o
    }

    private static func names<T: RawRepresentable & CaseIterable>(_: T.Type) -> String where T.RawValue == String {
        T.allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// The snake_case field names (query parameters, form fields, JSON keys), in one place.
    public static let fieldNames: [String] = CodingKeys.allCases.map(\.rawValue)

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, shape, dtype, byteOrder = "byte_order", interleave, headerOffset = "header_offset", dataset
        case fitsExtension = "fits_extension", axisStart = "axis_start", axisStep = "axis_step", axisUnit = "axis_unit"
    }
}
