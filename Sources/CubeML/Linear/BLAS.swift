import COpenBLAS

/// The one Swift file that imports OpenBLAS. Every dense product in CubeSeg goes through
/// `BLAS.gemm`; no C type escapes this file.
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
}
