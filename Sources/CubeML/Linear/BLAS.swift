import COpenBLAS
import Dispatch
import Synchronization

/// The one Swift file that imports OpenBLAS (and the LAPACK inside it). Every dense product
/// in CubeSeg goes through `BLAS.gemm`; no C type escapes this file.
///
/// Products give the same bits whatever the thread budget. OpenBLAS's own threads do not:
/// its multi-threaded sgemm sums in another order than its single-threaded one (measured:
/// a 512 x 512 x 1024 product differs in the last bits between 1 and 2 threads), so a
/// training that changed thread count with the machine's load (`ContentionGovernor`) gave
/// another network on a busy machine than on a quiet one. OpenBLAS therefore always runs on
/// one thread, and `gemm` splits a large product itself into blocks of output rows (or
/// columns) whose sizes depend on the product's shape only (`GemmBlocks`); the budget only
/// decides how many of CubeSeg's workers compute those blocks.
public enum BLAS {
    /// The thread budget: how many workers every later product and CubeML's parallel loops
    /// use (process-wide). OpenBLAS itself stays on one thread.
    public static func setThreads(_ n: Int) {
        budget.store(max(1, n), ordering: .relaxed)
    }

    /// The current thread budget (initially OpenBLAS's default: `OPENBLAS_NUM_THREADS` or
    /// the machine's cores).
    public static var threads: Int { budget.load(ordering: .relaxed) }

    /// The budget, read from OpenBLAS's default before pinning OpenBLAS to one thread: the
    /// first use of `BLAS` does both, before any product.
    private static let budget: Atomic<Int> = {
        let initial = max(1, Int(openblas_get_num_threads()))
        openblas_set_num_threads(1)
        return Atomic(initial)
    }()

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

    /// `gemm` after its checks: runs the blocks of `GemmBlocks` for this shape, on up to
    /// `ParallelBlocks.workers` workers when there are several blocks and the caller is not
    /// already one of CubeML's parallel workers. Each block is one single-threaded sgemm, so the result is
    /// the same bits however the blocks are dealt out.
    @usableFromInline
    static func sgemmRaw(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        let workers = ParallelBlocks.workers  // reads `threads`: the first use pins OpenBLAS to one thread
        let plan = GemmBlocks(m: m, n: n, k: k)
        guard plan.count > 1 else {
            sgemmBlock(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        let run = { (block: Int) in
            let range = plan.range(block)
            if plan.alongRows {
                // Rows r of op(A) and of C: A's row r, or A's column r when transposed.
                let ap = transA ? a + range.lowerBound : a + range.lowerBound * lda
                sgemmBlock(transA, transB, range.count, n, k, alpha, ap, lda, b, ldb, beta, c + range.lowerBound * ldc, ldc)
            } else {
                // Columns j of op(B) and of C: B's column j, or B's row j when transposed.
                let bp = transB ? b + range.lowerBound * ldb : b + range.lowerBound
                sgemmBlock(transA, transB, m, range.count, k, alpha, a, lda, bp, ldb, beta, c + range.lowerBound, ldc)
            }
        }
        let used = min(workers, plan.count)
        if used <= 1 || ParallelRegion.isInside {
            for block in 0..<plan.count { run(block) }
            return
        }
        // Blocks write disjoint parts of C and concurrentPerform returns after all of them.
        nonisolated(unsafe) let shared = run
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: used) { _ in
            ParallelRegion.inside {
                while case let block = next.add(1, ordering: .relaxed).oldValue, block < plan.count { shared(block) }
            }
        }
    }

    /// One single-threaded sgemm call, row major.
    private static func sgemmBlock(
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
        _ = threads  // pins OpenBLAS (and the BLAS inside LAPACK) to one thread
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
