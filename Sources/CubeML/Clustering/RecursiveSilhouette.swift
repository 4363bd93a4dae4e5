/// The `.recursiveSilhouette` K-selection rule: a divisive use of the silhouette.
///
/// The root split is the best-silhouette K of the flat run. Each resulting cluster with at
/// least `minimumRows` rows is clustered again (k-means for K = 2...min(budget, rows / 10),
/// 2 restarts, 30 Lloyd iterations) and split at its best-silhouette K when that silhouette is
/// at least `threshold`; recursion continues inside the parts. A single Gaussian blob's best
/// 2-means silhouette stays below about 0.4, so true clusters stop splitting, while the
/// sub-clusters of well-separated groups (which make the flat silhouette prefer K = 2) are
/// found. The chosen K is the number of leaves, clamped to kMin...kMax; its labels are the
/// flat k-means labels of that K. Cost: about one extra flat run spread over the subsets.
struct RecursiveSilhouette {
    let settings: IterativeKMeans
    let threshold: Double
    static let minimumRows = 40

    func choose(_ clusterings: [KClustering], data x: Matrix, isCancelled: () -> Bool) throws -> (k: Int, reason: String) {
        let defined = clusterings.filter(\.scoresDefined)
        guard !defined.isEmpty else { return KSelectionRule.criterion(.silhouette).choose(clusterings)! }
        let root = KSelectionRule.best(defined) { $0.score.silhouette }
        var leaves = 0
        var seed = settings.seed &+ 0xC0FFEE
        for part in parts(x, labels: root.labels, k: root.k) {
            leaves += try countLeaves(part, budget: settings.kMax - root.k + 1, seed: &seed, isCancelled: isCancelled)
        }
        let k = min(settings.kMax, max(settings.kMin, leaves))
        let f = KSelectionRule.format
        let why = leaves == root.k
            ? "no cluster of the best-silhouette split (K = \(root.k), \(f(root.score.silhouette))) splits again with a silhouette >= \(f(threshold))"
            : "the best-silhouette split (K = \(root.k), \(f(root.score.silhouette))) has sub-clusters with silhouette >= \(f(threshold)), \(leaves) in all"
        return (k, "K = \(k) by recursive silhouette: \(why)" + (k != leaves ? " (clamped to \(settings.kMin)...\(settings.kMax))" : ""))
    }

    /// Leaves under one cluster's rows `x`, allowed at most `budget` of them.
    private func countLeaves(_ x: Matrix, budget: Int, seed: inout UInt64, isCancelled: () -> Bool) throws -> Int {
        let kMax = min(budget, x.rows / 10)
        guard x.rows >= Self.minimumRows, kMax >= 2 else { return 1 }
        if isCancelled() { throw SegmentationError.cancelled }
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        let sub = IterativeKMeans(kMin: 2, kMax: kMax, restarts: 2, iterations: 30, tolerance: settings.tolerance,
                                  silhouetteSample: settings.silhouetteSample, seed: seed)
        let defined = try sub.clusterAll(x, isCancelled: isCancelled).filter(\.scoresDefined)
        guard !defined.isEmpty else { return 1 }
        let best = KSelectionRule.best(defined) { $0.score.silhouette }
        guard best.score.silhouette >= threshold else { return 1 }
        var total = 0
        for part in parts(x, labels: best.labels, k: best.k) {
            total += try countLeaves(part, budget: budget - best.k + 1, seed: &seed, isCancelled: isCancelled)
        }
        return total
    }

    /// Rows of each label, in label order.
    private func parts(_ x: Matrix, labels: [Int32], k: Int) -> [Matrix] {
        var members = [[Int]](repeating: [], count: k)
        for (i, l) in labels.enumerated() { members[Int(l)].append(i) }
        return members.map { x.gatherRows($0) }
    }
}
