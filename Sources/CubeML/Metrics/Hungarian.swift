/// The Hungarian algorithm (Kuhn-Munkres with potentials, O(n^2 m)) for rectangular
/// assignment problems.
public enum Hungarian {
    /// A minimum-cost assignment for a row-major (rows x cols) cost matrix: every row of the
    /// smaller side is matched to a distinct element of the larger side. Returns, for each
    /// row, its column, or -1 when rows > cols and the row is left unmatched.
    public static func minimumCostAssignment(cost: [Double], rows: Int, cols: Int) -> [Int] {
        precondition(cost.count == rows * cols, "cost has \(cost.count) entries, not \(rows) x \(cols)")
        if rows == 0 || cols == 0 { return [Int](repeating: -1, count: rows) }
        if rows > cols {
            // Solve the transpose (cols <= rows) and invert the matching.
            var transposed = [Double](repeating: 0, count: rows * cols)
            for r in 0..<rows { for c in 0..<cols { transposed[c * rows + r] = cost[r * cols + c] } }
            let colToRow = minimumCostAssignment(cost: transposed, rows: cols, cols: rows)
            var out = [Int](repeating: -1, count: rows)
            for (c, r) in colToRow.enumerated() where r >= 0 { out[r] = c }
            return out
        }
        // rows <= cols. 1-based potentials formulation (e-maxx): u rows, v cols, p[j] = row
        // matched to column j, way[j] = previous column on the augmenting path.
        let n = rows, m = cols
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: m + 1)
        var p = [Int](repeating: 0, count: m + 1), way = [Int](repeating: 0, count: m + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            var minv = [Double](repeating: .infinity, count: m + 1)
            var used = [Bool](repeating: false, count: m + 1)
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...m where !used[j] {
                    let cur = cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j]
                    if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...m {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var out = [Int](repeating: -1, count: n)
        for j in 1...m where p[j] > 0 { out[p[j] - 1] = j - 1 }
        return out
    }
}
