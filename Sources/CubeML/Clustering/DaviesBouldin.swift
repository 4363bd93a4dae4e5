/// The Davies-Bouldin index, scikit-learn's definition: with `s_c` the mean Euclidean
/// distance of cluster c's rows to its centroid and `M_ab` the distance between centroids,
/// `DB = mean over clusters a of max_{b != a} (s_a + s_b) / M_ab` (a pair of coinciding
/// centroids is ignored; 0 when every s_c or every M_ab is 0). Lower is better. O(n d + m^2 d).
public enum DaviesBouldin {
    /// The score of rows of `x` (n x d) labelled `labels` (0..<k).
    /// - Throws: `ClusteringError` for mismatched labels, or m outside 2...n-1 non-empty clusters.
    public static func score(x: Matrix, labels: [Int32], k: Int) throws -> Double {
        try Silhouette.validate(x: x, labels: labels, k: k)
        let stats = ClusterStatistics(x: x, labels: labels, k: k)
        let n = x.rows, d = x.cols, m = stats.present.count
        guard m >= 2, m < n else { throw ClusteringError.invalidK(k: m, points: n) }
        var spread = [Double](repeating: 0, count: k)
        x.storage.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let c = Int(labels[i])
                var s = 0.0
                for j in 0..<d { let t = Double(p[i * d + j]) - stats.centroids[c * d + j]; s += t * t }
                spread[c] += s.squareRoot()
            }
        }
        for c in stats.present { spread[c] /= Double(stats.counts[c]) }
        var anySpread = false, anySeparation = false
        var total = 0.0
        for a in stats.present {
            if spread[a] > 0 { anySpread = true }
            var worst = 0.0
            for b in stats.present where b != a {
                var s = 0.0
                for j in 0..<d { let t = stats.centroids[a * d + j] - stats.centroids[b * d + j]; s += t * t }
                let separation = s.squareRoot()
                guard separation > 0 else { continue }
                anySeparation = true
                worst = max(worst, (spread[a] + spread[b]) / separation)
            }
            total += worst
        }
        guard anySpread, anySeparation else { return 0 }
        return total / Double(m)
    }
}
