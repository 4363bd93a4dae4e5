/// InfoVAE's maximum mean discrepancy between a latent batch z (n x L) and a sample p
/// (m x L) of N(0, I), as the reference (`reference_dsc.py`) computes it:
///
///     k(a, b) = exp(-mean_d (a_d - b_d)² / L) = exp(-|a - b|² / L²)
///     MMD = mean_{ij} k(p_i, p_j) + mean_{ij} k(z_i, z_j) - 2 mean_{ij} k(p_i, z_j)
///
/// (means over all pairs, diagonal included: the biased V-statistic, as the reference).
/// Its gradient with respect to z_i:
///
///     -4 / (n² L²) Σ_j k(z_i, z_j)(z_i - z_j)  +  4 / (n m L²) Σ_j k(z_i, p_j)(z_i - p_j)
///
/// Pairwise squared distances come from Gram matrices through `BLAS.gemm`
/// (|a|² + |b|² - 2 a·b, clamped at 0); the sums Σ_j k_ij x_j are gemm too. Buffers are
/// allocated once for up to `capacity` rows of z and `priorCount` prior rows.
final class InfoVAEMMD {
    let capacity: Int
    let priorCount: Int
    let dims: Int
    private let kzz: NNBuffer, kzp: NNBuffer, kpp: NNBuffer
    private let normZ: NNBuffer, normP: NNBuffer, rowSum: NNBuffer, weighted: NNBuffer

    init(capacity: Int, priorCount: Int, dims: Int) {
        self.capacity = capacity; self.priorCount = priorCount; self.dims = dims
        kzz = NNBuffer(count: capacity * capacity)
        kzp = NNBuffer(count: capacity * priorCount)
        kpp = NNBuffer(count: priorCount * priorCount)
        normZ = NNBuffer(count: capacity); normP = NNBuffer(count: priorCount)
        rowSum = NNBuffer(count: capacity); weighted = NNBuffer(count: capacity * dims)
    }

    /// The MMD between `z` (n x L, n <= capacity) and `prior` (priorCount x L). When
    /// `gradient` is given, `scale * dMMD/dz` is ADDED to it (n x L).
    func compute(z: UnsafePointer<Float>, rows n: Int, prior p: UnsafePointer<Float>,
                 gradient: UnsafeMutablePointer<Float>?, scale: Float) -> Double {
        precondition(n <= capacity && n > 0, "MMD batch \(n) outside 1...\(capacity)")
        let m = priorCount, l = dims
        let invL2 = 1 / Float(l * l)
        squaredNorms(z, rows: n, into: normZ.pointer)
        squaredNorms(p, rows: m, into: normP.pointer)
        let meanPP = kernel(p, normP.pointer, m, p, normP.pointer, m, into: kpp.pointer, invL2: invL2)
        let meanZZ = kernel(z, normZ.pointer, n, z, normZ.pointer, n, into: kzz.pointer, invL2: invL2)
        let meanZP = kernel(z, normZ.pointer, n, p, normP.pointer, m, into: kzp.pointer, invL2: invL2)
        if let gradient {
            let nf = Float(n), mf = Float(m)
            // zz term: -4/(n² L²) (z_i Σ_j K_ij - (K z)_i)
            accumulateGradient(kernel: kzz.pointer, rows: n, cols: n, z: z, others: z,
                               factor: scale * -4 * invL2 / (nf * nf), into: gradient)
            // zp term: +4/(n m L²) (z_i Σ_j K_ij - (K p)_i)
            accumulateGradient(kernel: kzp.pointer, rows: n, cols: m, z: z, others: p,
                               factor: scale * 4 * invL2 / (nf * mf), into: gradient)
        }
        return meanPP + meanZZ - 2 * meanZP
    }

    private func squaredNorms(_ x: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>) {
        for i in 0..<rows {
            var s: Float = 0
            for d in 0..<dims { let v = x[i * dims + d]; s += v * v }
            out[i] = s
        }
    }

    /// K_ij = exp(-max(|a_i|² + |b_j|² - 2 a_i·b_j, 0) / L²) into `k` (ra x rb); returns mean K.
    private func kernel(_ a: UnsafePointer<Float>, _ na: UnsafePointer<Float>, _ ra: Int,
                        _ b: UnsafePointer<Float>, _ nb: UnsafePointer<Float>, _ rb: Int,
                        into k: UnsafeMutablePointer<Float>, invL2: Float) -> Double {
        BLAS.gemm(transA: false, transB: true, m: ra, n: rb, k: dims, alpha: -2,
                  a: a, lda: dims, b: b, ldb: dims, beta: 0, c: k, ldc: rb)
        var total: Double = 0
        for i in 0..<ra {
            let row = k + i * rb
            let ni = na[i]
            var partial: Float = 0
            for j in 0..<rb {
                let v = NNMath.exp(-max(row[j] + ni + nb[j], 0) * invL2)
                row[j] = v
                partial += v
            }
            total += Double(partial)
        }
        return total / Double(ra * rb)
    }

    /// gradient_i += factor (z_i Σ_j K_ij - Σ_j K_ij o_j) with K (rows x cols), o (cols x L).
    private func accumulateGradient(kernel k: UnsafePointer<Float>, rows: Int, cols: Int, z: UnsafePointer<Float>,
                                    others o: UnsafePointer<Float>, factor: Float,
                                    into g: UnsafeMutablePointer<Float>) {
        let w = weighted.pointer
        BLAS.gemm(m: rows, n: dims, k: cols, a: k, lda: cols, b: o, ldb: dims, beta: 0, c: w, ldc: dims)
        for i in 0..<rows {
            var s: Float = 0
            for j in 0..<cols { s += k[i * cols + j] }
            for d in 0..<dims {
                g[i * dims + d] += factor * (z[i * dims + d] * s - w[i * dims + d])
            }
        }
    }
}
