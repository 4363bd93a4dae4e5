/// How `BLAS.gemm` splits a product op(A) (m x k) times op(B) (k x n) into blocks that
/// workers compute apart: contiguous runs of C's rows (or, for short and wide products, of
/// its columns). The blocks depend on the shape only, never on the thread budget, so every
/// output element is computed by the same call whichever worker runs it.
struct GemmBlocks: Equatable {
    /// Multiply-adds below which a product stays one block (a block of this size takes
    /// about a millisecond on one core; smaller ones cost more to hand out than they save).
    static let minimumWork = 1 << 22
    /// Most blocks per product: enough to even out two to eight workers.
    static let maximumBlocks = 8
    /// Rows (or columns) per block are a multiple of this.
    static let granule = 16

    /// True: blocks of C's rows; false: blocks of its columns.
    let alongRows: Bool
    /// Rows (or columns) per block; the last block may be shorter.
    let size: Int
    /// Number of blocks (1: the product is not split).
    let count: Int
    /// C's rows (or columns) in all.
    let extent: Int

    init(m: Int, n: Int, k: Int) {
        alongRows = m >= n || m >= 64
        extent = alongRows ? m : n
        let work = m * n * k
        let wanted = min(Self.maximumBlocks, work / Self.minimumWork, extent / Self.granule)
        guard wanted > 1 else {
            size = extent
            count = 1
            return
        }
        let perBlock = (extent + wanted - 1) / wanted
        size = (perBlock + Self.granule - 1) / Self.granule * Self.granule
        count = (extent + size - 1) / size
    }

    /// The rows (or columns) of block `index`.
    func range(_ index: Int) -> Range<Int> {
        (index * size)..<min(extent, (index + 1) * size)
    }
}
