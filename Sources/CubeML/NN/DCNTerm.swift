/// The k-means-friendly clustering term of DCN (Yang et al. 2017) on a latent batch:
///
///     C = gamma * (1/n) Σ_i |z_i - c_a(i)|²,   a(i) = argmin_k |z_i - c_k|²,
///     dC/dz_i = 2 gamma (z_i - c_a(i)) / n
///
/// (sum over the L dimensions, mean over the n rows; the assignment is held fixed, as in
/// DCN's alternating scheme). z is (n x L), centroids (k x L), both row major.
enum DCNTerm {
    /// Returns C; ADDS dC/dz to `gradient` when given; writes a(i) into `assignments` when given.
    static func compute(z: UnsafePointer<Float>, rows n: Int, dims l: Int, centroids c: UnsafePointer<Float>, count k: Int,
                        gamma: Float, gradient: UnsafeMutablePointer<Float>?,
                        assignments: UnsafeMutablePointer<Int32>?) -> Double {
        guard n > 0, k > 0 else { return 0 }
        var total: Double = 0
        let factor = 2 * gamma / Float(n)
        for i in 0..<n {
            let zi = z + i * l
            var best = 0
            var bestD = Float.infinity
            for j in 0..<k {
                let cj = c + j * l
                var d: Float = 0
                for t in 0..<l { let u = zi[t] - cj[t]; d += u * u }
                if d < bestD { bestD = d; best = j }
            }
            total += Double(bestD)
            assignments?[i] = Int32(best)
            if let gradient {
                let cb = c + best * l
                for t in 0..<l { gradient[i * l + t] += factor * (zi[t] - cb[t]) }
            }
        }
        return Double(gamma) * total / Double(n)
    }
}
