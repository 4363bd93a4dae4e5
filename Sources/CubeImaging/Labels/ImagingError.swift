/// Why a label map or intensity map cannot become an image.
public enum ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value count is not `width * height` (or a dimension is not positive).
    case sizeMismatch(count: Int, width: Int, height: Int)
    /// A label is below -1 or above `maximum` (pixel (x, y)).
    case labelOutOfRange(label: Int32, x: Int, y: Int, maximum: Int)
    /// Percentiles must satisfy 0 <= lower < upper <= 100.
    case invalidPercentiles(lower: Double, upper: Double)
    /// A plot needs at least one series with at least two points and matching lengths.
    case invalidPlotData(String)

    public var description: String {
        switch self {
        case let .sizeMismatch(c, w, h): return "\(c) value(s) do not fill a \(w) x \(h) image"
        case let .labelOutOfRange(l, x, y, m): return "label \(l) at pixel (\(x), \(y)) is outside -1 ... \(m)"
        case let .invalidPercentiles(l, u): return "percentiles \(l) and \(u) must satisfy 0 <= lower < upper <= 100"
        case let .invalidPlotData(s): return "cannot plot: \(s)"
        }
    }
}
