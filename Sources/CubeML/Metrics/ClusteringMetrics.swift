import Foundation

/// Agreement between a reference labelling and a clustering, with scikit-learn's
/// definitions. Labels are arbitrary Int32 values (-1 is an ordinary label here: drop
/// background items first if they should not count). Both arrays must have equal length.
public enum ClusteringMetrics {
    /// Adjusted Rand index (Hubert & Arabie), `sklearn.metrics.adjusted_rand_score`: 1 for
    /// identical partitions (up to renaming), about 0 for independent ones, may be negative.
    public static func adjustedRandIndex(_ truth: [Int32], _ predicted: [Int32]) -> Double {
        let table = ContingencyTable(truth: truth, predicted: predicted)
        let n = Double(table.total)
        var sumSquares = 0.0
        for v in table.counts { sumSquares += Double(v) * Double(v) }
        let sumRowSquares = table.rowSums.reduce(0.0) { $0 + Double($1) * Double($1) }
        let sumColSquares = table.colSums.reduce(0.0) { $0 + Double($1) * Double($1) }
        // Pair confusion matrix (ordered pairs), as sklearn.metrics.cluster.pair_confusion_matrix.
        let tp = sumSquares - n
        let fp = sumColSquares - sumSquares
        let fn = sumRowSquares - sumSquares
        let tn = n * n - fp - fn - sumSquares
        if fn == 0 && fp == 0 { return 1 }
        return 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))
    }

    /// Normalised mutual information with the arithmetic-mean normaliser,
    /// `sklearn.metrics.normalized_mutual_info_score` (default): `MI / ((H(U) + H(V)) / 2)`,
    /// natural logarithms; 1 when both labellings have a single (or no) class.
    public static func normalizedMutualInformation(_ truth: [Int32], _ predicted: [Int32]) -> Double {
        let table = ContingencyTable(truth: truth, predicted: predicted)
        if table.rows == table.cols && table.rows <= 1 { return 1 }
        let mi = mutualInformation(table)
        if mi == 0 { return 0 }
        let normaliser = max((entropy(table.rowSums) + entropy(table.colSums)) / 2, Double.ulpOfOne)
        return mi / normaliser
    }

    /// Mutual information (nats) of a contingency table, clipped at 0.
    public static func mutualInformation(_ table: ContingencyTable) -> Double {
        let n = Double(table.total)
        let rowSums = table.rowSums.map(Double.init), colSums = table.colSums.map(Double.init)
        var mi = 0.0
        for r in 0..<table.rows {
            for c in 0..<table.cols {
                let v = Double(table[r, c])
                guard v > 0 else { continue }
                let term = v / n * (log(v) + log(n) - log(rowSums[r]) - log(colSums[c]))
                if abs(term) >= Double.ulpOfOne { mi += term }
            }
        }
        return max(0, mi)
    }

    /// Best accuracy over one-to-one matchings of predicted clusters to truth classes (Hungarian
    /// assignment on the contingency table maximising matched items), divided by the item
    /// count. With more clusters than classes the extra clusters count as errors, and vice
    /// versa. 1 for an empty labelling.
    public static func matchedAccuracy(_ truth: [Int32], _ predicted: [Int32]) -> Double {
        let table = ContingencyTable(truth: truth, predicted: predicted)
        guard table.total > 0 else { return 1 }
        let maxCount = Double(table.counts.max() ?? 0)
        let cost = table.counts.map { maxCount - Double($0) }
        let match = Hungarian.minimumCostAssignment(cost: cost, rows: table.rows, cols: table.cols)
        var matched = 0
        for (r, c) in match.enumerated() where c >= 0 { matched += table[r, c] }
        return Double(matched) / Double(table.total)
    }

    /// Shannon entropy (nats) of class sizes.
    static func entropy(_ sizes: [Int]) -> Double {
        let n = Double(sizes.reduce(0, +))
        guard n > 0 else { return 1 }
        var h = 0.0
        for s in sizes where s > 0 { let p = Double(s) / n; h -= p * log(p) }
        return h
    }
}
