/// The Calinski-Harabasz index (variance ratio criterion), scikit-learn's definition:
/// `[B / (m - 1)] / [W / (n - m)]` with B the between-cluster dispersion
/// `sum_c n_c |mu_c - mu|^2`, W the within-cluster dispersion `sum_i |x_i - mu_{c(i)}|^2`,
/// m the number of non-empty clusters and n the number of rows; 1 when W = 0. Higher is
/// better. O(n d), Double accumulation.
public enum CalinskiHarabasz {
    /// The score of rows of `x` (n x d) labelled `labels` (0..<k).
    /// - Throws: `ClusteringError` for mismatched labels, or m outside 2...n-1.
    public static func score(x: Matrix, labels: [Int32], k: Int) throws -> Double {
        try Silhouette.validate(x: x, labels: labels, k: k)
        let stats = ClusterStatistics(x: x, labels: labels, k: k)
        let n = x.rows, d = x.cols, m = stats.present.count
        guard m >= 2, m < n else { throw ClusteringError.invalidK(k: m, points: n) }
        var between = 0.0
        for c in stats.present {
            var s = 0.0
            for j in 0..<d { let t = stats.centroids[c * d + j] - stats.mean[j]; s += t * t }
            between += Double(stats.counts[c]) * s
        }
        var within = 0.0
        x.storage.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let c = Int(labels[i])
                for j in 0..<d { let t = Double(p[i * d + j]) - stats.centroids[c * d + j]; within += t * t }
            }
        }
        guard within > 0 else { return 1 }
        return between * Double(n - m) / (within * Double(m - 1))
    }
}
