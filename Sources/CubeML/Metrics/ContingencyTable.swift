/// Counts of (truth, predicted) label pairs. Labels are arbitrary Int32 values (-1 included);
/// rows are the distinct truth labels ascending, columns the distinct predicted ones.
public struct ContingencyTable: Sendable, Equatable {
    /// Distinct truth labels, ascending (row order).
    public let truthLabels: [Int32]
    /// Distinct predicted labels, ascending (column order).
    public let predictedLabels: [Int32]
    /// Row-major (truthLabels.count x predictedLabels.count) counts.
    public let counts: [Int]
    /// Number of labelled items.
    public let total: Int

    public var rows: Int { truthLabels.count }
    public var cols: Int { predictedLabels.count }

    /// Builds the table; both arrays must have the same length (checked by callers).
    public init(truth: [Int32], predicted: [Int32]) {
        precondition(truth.count == predicted.count, "contingency of \(truth.count) vs \(predicted.count) labels")
        let t = Array(Set(truth)).sorted(), p = Array(Set(predicted)).sorted()
        var ti: [Int32: Int] = [:], pi: [Int32: Int] = [:]
        for (i, v) in t.enumerated() { ti[v] = i }
        for (i, v) in p.enumerated() { pi[v] = i }
        var counts = [Int](repeating: 0, count: t.count * p.count)
        for i in 0..<truth.count { counts[ti[truth[i]]! * p.count + pi[predicted[i]]!] += 1 }
        truthLabels = t; predictedLabels = p; self.counts = counts; total = truth.count
    }

    public subscript(row: Int, col: Int) -> Int { counts[row * cols + col] }

    /// Row sums (truth class sizes).
    public var rowSums: [Int] { (0..<rows).map { r in (0..<cols).reduce(0) { $0 + self[r, $1] } } }
    /// Column sums (predicted cluster sizes).
    public var colSums: [Int] { (0..<cols).map { c in (0..<rows).reduce(0) { $0 + self[$1, c] } } }
}
