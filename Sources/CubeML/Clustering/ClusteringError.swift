/// Why a clustering routine refused its input. `description` is one line naming the values.
public enum ClusteringError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `k` is outside `1...points` (k-means) or the K range is empty or too large.
    case invalidK(k: Int, points: Int)
    /// An iterative k-means range outside `2 <= kMin <= kMax <= points`.
    case invalidKRange(kMin: Int, kMax: Int, points: Int)
    /// The data has no rows or no columns.
    case emptyData(rows: Int, cols: Int)
    /// `labels.count` differs from the number of data rows.
    case labelCountMismatch(labels: Int, rows: Int)
    /// A label lies outside `0..<k`.
    case labelOutOfRange(index: Int, label: Int32, k: Int)
    /// Two matrices disagree on the dimension of their rows.
    case dimensionMismatch(expected: Int, found: Int)
    /// An image shape does not match the number of labels.
    case shapeMismatch(height: Int, width: Int, labels: Int)
    /// A parameter is outside its domain.
    case invalidParameter(name: String, value: String)

    public var description: String {
        switch self {
        case let .invalidK(k, points): return "k = \(k) is impossible for \(points) point(s) (need 1 <= k <= points)"
        case let .invalidKRange(kMin, kMax, points): return "K range \(kMin)...\(kMax) is impossible for \(points) point(s) (need 2 <= k_min <= k_max <= points)"
        case let .emptyData(rows, cols): return "the data is empty (\(rows) x \(cols))"
        case let .labelCountMismatch(labels, rows): return "\(labels) label(s) for \(rows) data row(s)"
        case let .labelOutOfRange(index, label, k): return "label \(label) at index \(index) is outside 0..<\(k)"
        case let .dimensionMismatch(expected, found): return "row dimension \(found) where \(expected) was expected"
        case let .shapeMismatch(height, width, labels): return "image \(height) x \(width) does not hold \(labels) label(s)"
        case let .invalidParameter(name, value): return "invalid \(name): \(value)"
        }
    }
}
