/// How coherent a label map is in space: Cohen's kappa of the agreement between
/// horizontally and vertically adjacent pixels, (p_same - p_chance) / (1 - p_chance), where
/// p_same is the fraction of adjacent signal-pixel pairs with equal labels and p_chance =
/// sum_k share_k^2 the fraction expected if the same labels were scattered at random.
/// 1 for a map of solid regions, about 0 for salt and pepper.
public struct ImageGrid: Sendable, Equatable {
    public var height: Int
    public var width: Int
    /// The pixel (row-major index into height x width) of every clustered point.
    public var pixelIndex: [Int32]

    public init(height: Int, width: Int, pixelIndex: [Int32]) {
        self.height = height; self.width = width; self.pixelIndex = pixelIndex
    }

    /// The spatial coherence (kappa above) of `labels` (one per point, 0..<k); nil when no
    /// two points are adjacent or every point has the same label.
    public func spatialCoherence(_ labels: [Int32], k: Int) -> Double? {
        precondition(labels.count == pixelIndex.count, "one label per point")
        var map = [Int32](repeating: -1, count: height * width)
        for (i, p) in pixelIndex.enumerated() { map[Int(p)] = labels[i] }
        var pairs = 0, same = 0
        for y in 0..<height {
            for x in 0..<width {
                let a = map[y * width + x]
                guard a >= 0 else { continue }
                if x + 1 < width, map[y * width + x + 1] >= 0 { pairs += 1; if map[y * width + x + 1] == a { same += 1 } }
                if y + 1 < height, map[(y + 1) * width + x] >= 0 { pairs += 1; if map[(y + 1) * width + x] == a { same += 1 } }
            }
        }
        guard pairs > 0 else { return nil }
        var counts = [Int](repeating: 0, count: max(k, 1))
        for l in labels where l >= 0 && Int(l) < counts.count { counts[Int(l)] += 1 }
        let n = Double(labels.count)
        let chance = counts.reduce(0.0) { $0 + (Double($1) / n) * (Double($1) / n) }
        guard chance < 1 else { return nil }
        return (Double(same) / Double(pairs) - chance) / (1 - chance)
    }
}
