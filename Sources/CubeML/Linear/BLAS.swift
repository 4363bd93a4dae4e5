import COpenBLAS

/// The one Swift file that imports OpenBLAS (and the LAPACK inside it). Every dense product
/// in CubeSeg goes through `BLAS.gemm`; no C type escapes this file.
public enum BLAS {
    /// Sets the number of threads OpenBLAS uses for every later call (process-wide).
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The kernel OpenBLAS chose for this CPU, e.g. "Haswell", "SkylakeX", "Zen".
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// `C = alpha * op(A) * op(B) + beta * C` in single precision, all matrices row major.
    ///
    /// - Parameters:
    ///   - transA: use Aᵀ. `A` is stored as (m x k) when false, (k x m) when true.
    ///   - transB: use Bᵀ. `B` is stored as (k x n) when false, (n x k) when true.
    ///   - m, n, k: the product's shape: op(A) is (m x k), op(B) is (k x n), C is (m x n).
    ///   - a, lda: A's storage and its row stride (elements).
    ///   - b, ldb: B's storage and its row stride.
    ///   - c, ldc: C's storage and its row stride.
    @inlinable
    public static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // BLAS leaves C * beta; make that explicit so callers need no special case.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
            return
        }
        sgemmRaw(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @usableFromInline
    static func sgemmRaw(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The `count` largest eigenvalues of the symmetric `n x n` matrix `a` (row major; only
    /// its values matter, both triangles equal) with their eigenvectors, through LAPACK's
    /// `dsyevr` in double precision.
    ///
    /// - Returns: `values` in descending order (length `count`) and `vectors`, row major
    ///   (`count x n`): row i is the unit eigenvector of `values[i]`. Nil when LAPACK reports
    ///   a failure (it does not converge) or `count` is outside 1...n.
    public static func symmetricEigen(_ a: [Double], n: Int, largest count: Int) -> (values: [Double], vectors: [Double])? {
        guard n > 0, (1...n).contains(count), a.count == n * n else { return nil }
        var matrix = a  // row major = column major for a symmetric matrix
        var nn = Int32(n), lda = Int32(n), ldz = Int32(n)
        var il = Int32(n - count + 1), iu = Int32(n)
        var vl = 0.0, vu = 0.0, abstol = 0.0
        var found: Int32 = 0, info: Int32 = 0
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * count)
        var support = [Int32](repeating: 0, count: 2 * count)
        // Workspace query, then the solve.
        var workSize = 0.0, iworkSize: Int32 = 0, query: Int32 = -1
        dsyevr_("V", "I", "U", &nn, &matrix, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &ldz, &support,
                &workSize, &query, &iworkSize, &query, &info, 1, 1, 1)
        guard info == 0 else { return nil }
        var lwork = Int32(workSize.rounded(.up)), liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevr_("V", "I", "U", &nn, &matrix, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &ldz, &support,
                &work, &lwork, &iwork, &liwork, &info, 1, 1, 1)
        guard info == 0, Int(found) == count else { return nil }
        // LAPACK gives ascending values, vectors as columns of z (column major = rows here).
        var values = [Double](repeating: 0, count: count)
        var vectors = [Double](repeating: 0, count: count * n)
        for i in 0..<count {
            let src = count - 1 - i
            values[i] = w[src]
            for j in 0..<n { vectors[i * n + j] = z[src * n + j] }
        }
        return (values, vectors)
    }
}
