/// Per-cluster counts and centroids of labelled rows, shared by the Calinski-Harabasz and
/// Davies-Bouldin scores. Only non-empty clusters count (scikit-learn re-encodes labels).
struct ClusterStatistics {
    /// Labels in 0..<k that have at least one row, ascending.
    let present: [Int]
    /// Rows per cluster label (length k).
    let counts: [Int]
    /// Mean of each cluster label's rows (k x d, row major, Double; zero for empty clusters).
    let centroids: [Double]
    /// Mean of all rows (length d).
    let mean: [Double]

    init(x: Matrix, labels: [Int32], k: Int) {
        let n = x.rows, d = x.cols
        var counts = [Int](repeating: 0, count: k)
        var sums = [Double](repeating: 0, count: k * d)
        var mean = [Double](repeating: 0, count: d)
        x.storage.withUnsafeBufferPointer { p in
            for i in 0..<n {
                let c = Int(labels[i])
                counts[c] += 1
                for j in 0..<d {
                    let v = Double(p[i * d + j])
                    sums[c * d + j] += v
                    mean[j] += v
                }
            }
        }
        for j in 0..<d { mean[j] /= Double(n) }
        for c in 0..<k where counts[c] > 0 { for j in 0..<d { sums[c * d + j] /= Double(counts[c]) } }
        self.present = (0..<k).filter { counts[$0] > 0 }
        self.counts = counts
        self.centroids = sums
        self.mean = mean
    }
}
