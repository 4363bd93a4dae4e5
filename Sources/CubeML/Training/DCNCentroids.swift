/// The DCN term's centroids between refreshes (k x L, row major), with per-centroid counts
/// for DCN's running-mean update c_k += (z - c_k) / count_k.
struct DCNCentroids {
    let latent: Int
    private(set) var centroids: [Float] = []
    private(set) var counts: [Float] = []
    var count: Int { counts.count }

    init(latent: Int) { self.latent = latent }

    /// New centroids (k x L); counts start at the number of `sample` rows (n x L) nearest to
    /// each (at least 1).
    mutating func reset(centroids c: Matrix, sample: Matrix) {
        centroids = c.storage
        counts = [Float](repeating: 1, count: c.rows)
        var assignment = [Int32](repeating: 0, count: sample.rows)
        sample.storage.withUnsafeBufferPointer { s in
            centroids.withUnsafeBufferPointer { cb in
                assignment.withUnsafeMutableBufferPointer { ab in
                    _ = DCNTerm.compute(z: s.baseAddress!, rows: sample.rows, dims: latent, centroids: cb.baseAddress!,
                                        count: c.rows, gamma: 0, gradient: nil, assignments: ab.baseAddress!)
                }
            }
        }
        for a in assignment { counts[Int(a)] += 1 }
    }

    /// Moves each centroid towards the rows of `mu` (rows x L) assigned to it.
    mutating func update(mu: UnsafePointer<Float>, assignments: UnsafePointer<Int32>, rows: Int) {
        let l = latent
        centroids.withUnsafeMutableBufferPointer { c in
            for i in 0..<rows {
                let k = Int(assignments[i])
                counts[k] += 1
                let rate = 1 / counts[k]
                for t in 0..<l { c[k * l + t] += (mu[i * l + t] - c[k * l + t]) * rate }
            }
        }
    }

    /// Runs `body` with the step target (nil when inactive or empty).
    func withTarget<R>(active: Bool, gamma: Float, _ body: (AutoencoderGraph.DCNTarget?) -> R) -> R {
        guard active, !counts.isEmpty else { return body(nil) }
        return centroids.withUnsafeBufferPointer { c in
            body(AutoencoderGraph.DCNTarget(centroids: c.baseAddress!, count: counts.count, gamma: gamma))
        }
    }
}
