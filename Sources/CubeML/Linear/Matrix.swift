/// A dense row-major Float32 matrix: element (i, j) is `storage[i * cols + j]`.
///
/// A value type over one contiguous `[Float]`. Hot loops should take
/// `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer` once per call and never
/// index element by element through the subscript in an inner loop.
public struct Matrix: Sendable, Equatable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    /// Row-major storage, `rows * cols` elements.
    public var storage: [Float]

    /// A zero-filled (rows x cols) matrix.
    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "negative matrix shape")
        self.rows = rows
        self.cols = cols
        self.storage = [Float](repeating: 0, count: rows * cols)
    }

    /// Wraps row-major values; `values.count` must be `rows * cols`.
    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "matrix storage \(values.count) != \(rows) x \(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = values
    }

    /// A (rows x cols) matrix filled with `value`.
    public init(rows: Int, cols: Int, repeating value: Float) {
        self.rows = rows
        self.cols = cols
        self.storage = [Float](repeating: value, count: rows * cols)
    }

    public var count: Int { storage.count }

    @inlinable
    public subscript(i: Int, j: Int) -> Float {
        get { storage[i * cols + j] }
        set { storage[i * cols + j] = newValue }
    }

    /// A copy of row `i` (length `cols`).
    public func row(_ i: Int) -> [Float] { Array(storage[(i * cols)..<((i + 1) * cols)]) }

    /// Rows `indices` gathered into a new (indices.count x cols) matrix.
    public func gatherRows<C: Collection>(_ indices: C) -> Matrix where C.Element == Int {
        var out = Matrix(rows: indices.count, cols: cols)
        let c = cols
        storage.withUnsafeBufferPointer { src in
            out.storage.withUnsafeMutableBufferPointer { dst in
                var r = 0
                for i in indices {
                    dst.baseAddress!.advanced(by: r * c).update(from: src.baseAddress!.advanced(by: i * c), count: c)
                    r += 1
                }
            }
        }
        return out
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, values: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Changes the shape keeping the storage (row-major reinterpretation).
    public mutating func reshape(rows: Int, cols: Int) {
        precondition(rows * cols == storage.count, "reshape changes element count")
        self.rows = rows
        self.cols = cols
    }

    /// Squared Euclidean norm of every row, length `rows`.
    public func rowSquaredNorms() -> [Float] {
        var out = [Float](repeating: 0, count: rows)
        let c = cols
        storage.withUnsafeBufferPointer { s in
            for i in 0..<rows {
                var acc: Float = 0
                let base = i * c
                for j in 0..<c { let v = s[base + j]; acc += v * v }
                out[i] = acc
            }
        }
        return out
    }
}

extension Matrix {
    /// `self * other` (or with transposes) through `cblas_sgemm`: op(self) (m x k) times
    /// op(other) (k x n) gives a new (m x n) matrix.
    public func matmul(_ other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) -> Matrix {
        let m = transposeSelf ? cols : rows
        let k = transposeSelf ? rows : cols
        let k2 = transposeOther ? other.cols : other.rows
        let n = transposeOther ? other.rows : other.cols
        precondition(k == k2, "matmul inner dimensions \(k) != \(k2)")
        var out = Matrix(rows: m, cols: n)
        if m == 0 || n == 0 || k == 0 { return out }
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                out.storage.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                              a: a.baseAddress!, lda: cols, b: b.baseAddress!, ldb: other.cols,
                              c: c.baseAddress!, ldc: n)
                }
            }
        }
        return out
    }
}

extension Matrix {
    /// True when every row equals the first (bit for bit); true for 0 or 1 rows.
    public var rowsAllEqual: Bool {
        guard rows > 1, cols > 0 else { return true }
        return storage.withUnsafeBufferPointer { s in
            let first = UnsafeBufferPointer(rebasing: s[0..<cols])
            for r in 1..<rows where !first.elementsEqual(UnsafeBufferPointer(rebasing: s[(r * cols)..<((r + 1) * cols)])) {
                return false
            }
            return true
        }
    }
}
