import Foundation

/// What CubeSeg sees in a cube, computed in one pass over row blocks: format, shape,
/// stored type, spectral axis summary, value range, empty pixels and non-finite values.
public struct CubeInspection: Sendable, Codable, Equatable, CustomStringConvertible {
    public struct AxisSummary: Sendable, Codable, Equatable {
        public var unit: SpectralAxis.Unit
        public var quantity: SpectralAxis.Quantity
        public var first: Double
        public var last: Double
    }

    public var format: String
    public var path: String?
    public var height: Int
    public var width: Int
    public var channels: Int
    public var dataType: String
    public var axis: AxisSummary
    /// Smallest and largest finite value (nil when no value is finite).
    public var minimum: Float?
    public var maximum: Float?
    /// Fraction of pixels whose spectrum is all zero, in [0, 1].
    public var emptyPixelFraction: Double
    public var nanCount: Int
    public var infinityCount: Int
    public var details: [String: String]

    public var description: String {
        var lines = [
            "format:   \(format)" + (path.map { " (\($0))" } ?? ""),
            "shape:    \(height) x \(width) pixels x \(channels) channels (height x width x channels)",
            "dtype:    \(dataType)",
            "axis:     \(axis.quantity.rawValue), \(axis.first) ... \(axis.last) \(axis.unit.rawValue)",
            "range:    " + (minimum.map { "\($0) ... \(maximum!)" } ?? "no finite value"),
            String(format: "empty:    %.2f%% of pixels have an all-zero spectrum", emptyPixelFraction * 100),
            "nonfinite: \(nanCount) NaN, \(infinityCount) Inf",
        ]
        for key in details.keys.sorted() { lines.append("\(key): \(details[key]!)") }
        return lines.joined(separator: "\n")
    }
}

extension CubeReader {
    /// Reads `cube` once, block by block, and summarises it.
    public static func inspect(_ cube: Datacube) throws -> CubeInspection {
        var lo = Float.infinity, hi = -Float.infinity
        var nan = 0, inf = 0, empty = 0
        let c = cube.channels
        try cube.forEachRowBlock { _, values in
            let pixels = values.count / c
            for p in 0..<pixels {
                var allZero = true
                for k in (p * c)..<((p + 1) * c) {
                    let v = values[k]
                    if v.isFinite {
                        lo = min(lo, v)
                        hi = max(hi, v)
                        if v != 0 { allZero = false }
                    } else {
                        allZero = false
                        if v.isNaN { nan += 1 } else { inf += 1 }
                    }
                }
                if allZero { empty += 1 }
            }
        }
        let axis = cube.axis
        return CubeInspection(
            format: cube.info.format, path: cube.info.path, height: cube.height, width: cube.width, channels: cube.channels,
            dataType: cube.info.dataType,
            axis: .init(unit: axis.unit, quantity: axis.quantity, first: axis.values.first ?? 0, last: axis.values.last ?? 0),
            minimum: lo <= hi ? lo : nil, maximum: lo <= hi ? hi : nil,
            emptyPixelFraction: Double(empty) / Double(cube.pixelCount), nanCount: nan, infinityCount: inf,
            details: cube.info.details)
    }
}
