import Foundation

/// Grayscale previews of a scalar map, e.g. the total intensity of each pixel of a cube.
public enum IntensityImage {
    /// The transform applied before stretching.
    public enum Scale: String, Sendable, Codable, CaseIterable {
        /// The values as they are.
        case linear
        /// log10 of positive values; zero, negative and non-finite values are black.
        case log
        /// Square root of max(value, 0).
        case sqrt
    }

    /// An 8-bit grayscale PNG of `values` (row major, `width * height`): transformed by
    /// `scale`, then stretched linearly so that the `lowerPercentile` of the finite
    /// transformed values is black (0) and the `upperPercentile` is white (255), clipping
    /// outside. Non-finite values are black. See `grayLevels` for the exact mapping.
    public static func grayscale(values: [Float], width: Int, height: Int, scale: Scale = .linear,
                                 lowerPercentile: Double = 1, upperPercentile: Double = 99,
                                 text: [PNG.TextEntry] = [], encoder: PNG.Encoder = PNG.Encoder()) throws -> [UInt8] {
        guard width > 0, height > 0, values.count == width * height else {
            throw ImagingError.sizeMismatch(count: values.count, width: width, height: height)
        }
        let grey = try grayLevels(values, scale: scale, lowerPercentile: lowerPercentile, upperPercentile: upperPercentile)
        return try encoder.encode(.grayscale(width: width, height: height, pixels: grey, text: text))
    }

    /// The grey level of every value: t = scale(v); lo, hi = the percentiles of the finite
    /// t (linear interpolation between order statistics, as NumPy's default); grey =
    /// round(255 * clamp((t - lo) / (hi - lo), 0, 1)). When hi == lo, values above lo are
    /// white and the others black (so a constant map is black). Non-finite t is black.
    public static func grayLevels(_ values: [Float], scale: Scale, lowerPercentile: Double = 1,
                                  upperPercentile: Double = 99) throws -> [UInt8] {
        guard 0 <= lowerPercentile, lowerPercentile < upperPercentile, upperPercentile <= 100 else {
            throw ImagingError.invalidPercentiles(lower: lowerPercentile, upper: upperPercentile)
        }
        let transformed: [Double] = values.map { v in
            let d = Double(v)
            switch scale {
            case .linear: return d
            case .log: return d > 0 ? log10(d) : .nan
            case .sqrt: return d.isFinite ? max(d, 0).squareRoot() : .nan
            }
        }
        let finite = transformed.filter(\.isFinite).sorted()
        guard !finite.isEmpty else { return [UInt8](repeating: 0, count: values.count) }
        let lo = percentile(finite, lowerPercentile), hi = percentile(finite, upperPercentile)
        return transformed.map { t in
            guard t.isFinite else { return 0 }
            if hi <= lo { return t > lo ? 255 : 0 }
            let u = min(1, max(0, (t - lo) / (hi - lo)))
            return UInt8((u * 255).rounded())
        }
    }

    /// The `p`-th percentile (0...100) of ascending `sorted`, interpolating linearly.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p / 100 * Double(sorted.count - 1)
        let i = Int(position.rounded(.down)), f = position - Double(i)
        return i + 1 < sorted.count ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}
