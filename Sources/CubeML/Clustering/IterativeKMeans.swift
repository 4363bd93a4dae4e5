/// The clustering of one K in an iterative k-means run.
public struct KClustering: Sendable, Equatable {
    public var k: Int
    /// Label of every row of the clustered data, 0..<k.
    public var labels: [Int32]
    /// Centroids (k x d, row major).
    public var centroids: Matrix
    /// Silhouette (exact or stratified-sample estimate), Calinski-Harabasz, Davies-Bouldin, inertia.
    public var score: KScore
    /// False when the scores are undefined (fewer than two distinct non-empty clusters, or as
    /// many clusters as points); such a K is reported with silhouette -1, CH 0, DB 0 and is
    /// never chosen while a defined K exists.
    public var scoresDefined: Bool
    /// Lloyd iterations of the kept restart.
    public var iterations: Int

    public init(k: Int, labels: [Int32], centroids: Matrix, score: KScore, scoresDefined: Bool, iterations: Int) {
        self.k = k; self.labels = labels; self.centroids = centroids; self.score = score
        self.scoresDefined = scoresDefined; self.iterations = iterations
    }
}

/// Every K's clustering, and the K chosen.
public struct IterativeKMeansResult: Sendable, Equatable {
    /// One entry per K tried, ascending K.
    public var clusterings: [KClustering]
    public var chosenK: Int
    /// The rule's name (as `KSelection.criterion` for the paper's criteria), all scores and a
    /// sentence saying why.
    public var selection: KSelection

    /// The clustering of `k`, if it was tried.
    public func clustering(k: Int) -> KClustering? { clusterings.first { $0.k == k } }
    /// The chosen K's clustering.
    public var chosen: KClustering { clustering(k: chosenK)! }
}

/// "Iterative k-means" (the paper's IKMeans): k-means for every K in a range, scored, with
/// every K's labels and centroids kept and one K chosen by a rule.
///
/// A value type of settings; `run` is a pure function (safe from several threads). Each
/// k-means and score uses every core.
public struct IterativeKMeans: Sendable, Equatable {
    public var kMin: Int
    public var kMax: Int
    /// k-means restarts per K (lowest inertia kept) and Lloyd iterations per restart.
    public var restarts: Int
    public var iterations: Int
    /// k-means convergence tolerance (see `KMeans.fit`).
    public var tolerance: Double
    /// Exact silhouette up to this many rows, stratified-sample estimate of this size above.
    public var silhouetteSample: Int
    public var seed: UInt64

    public init(kMin: Int = 2, kMax: Int = 10, restarts: Int = 3, iterations: Int = 50, tolerance: Double = 1e-4,
                silhouetteSample: Int = 20_000, seed: UInt64 = 0) {
        self.kMin = kMin; self.kMax = kMax; self.restarts = restarts; self.iterations = iterations
        self.tolerance = tolerance; self.silhouetteSample = silhouetteSample; self.seed = seed
    }

    /// The settings of a segmentation run (`kMin`, `kMax`, `kmeansRestarts`, `lloydIterations`,
    /// `silhouetteSample`, `seed`).
    public init(parameters p: SegmentationParameters) {
        self.init(kMin: p.kMin, kMax: p.kMax, restarts: p.kmeansRestarts, iterations: p.lloydIterations,
                  silhouetteSample: p.silhouetteSample, seed: p.seed)
    }

    /// Clusters the rows of `x` (n x d) for every K in kMin...kMax and chooses K by `criterion`.
    /// - Parameters:
    ///   - progress: called after each K with (Ks done, Ks in total).
    ///   - isCancelled: polled before each K; when it returns true the run throws
    ///     `SegmentationError.cancelled`.
    /// - Throws: `ClusteringError.invalidKRange` for an impossible range (need 2 <= kMin <= kMax <= n),
    ///   `.emptyData`, `SegmentationError.cancelled`.
    public func run(_ x: Matrix, criterion: KCriterion, progress: (Int, Int) -> Void = { _, _ in },
                    isCancelled: () -> Bool = { false }) throws -> IterativeKMeansResult {
        try run(x, rule: KSelectionRule(criterion), progress: progress, isCancelled: isCancelled)
    }

    /// As `run(_:criterion:)` with any `KSelectionRule`.
    public func run(_ x: Matrix, rule: KSelectionRule, progress: (Int, Int) -> Void = { _, _ in },
                    isCancelled: () -> Bool = { false }) throws -> IterativeKMeansResult {
        let clusterings = try clusterAll(x, progress: progress, isCancelled: isCancelled)
        let (k, reason) = try choose(clusterings, data: x, rule: rule, isCancelled: isCancelled)
        let scores = clusterings.map(\.score)
        return IterativeKMeansResult(clusterings: clusterings, chosenK: k,
                                     selection: KSelection(criterion: rule.reportedCriterion, scores: scores, reason: reason))
    }

    /// The K that `rule` picks among `clusterings` (the result of `clusterAll(data)`), and why.
    /// - Throws: `SegmentationError.cancelled` (recursive rule only).
    public func choose(_ clusterings: [KClustering], data x: Matrix, rule: KSelectionRule,
                       isCancelled: () -> Bool = { false }) throws -> (k: Int, reason: String) {
        if let plain = rule.choose(clusterings) { return plain }
        guard case .recursiveSilhouette(let threshold) = rule else { preconditionFailure("unhandled rule \(rule)") }
        return try RecursiveSilhouette(settings: self, threshold: threshold).choose(clusterings, data: x, isCancelled: isCancelled)
    }

    /// k-means and scores for every K, without choosing.
    public func clusterAll(_ x: Matrix, progress: (Int, Int) -> Void = { _, _ in },
                           isCancelled: () -> Bool = { false }) throws -> [KClustering] {
        guard x.rows > 0, x.cols > 0 else { throw ClusteringError.emptyData(rows: x.rows, cols: x.cols) }
        guard kMin >= 2, kMin <= kMax, kMax <= x.rows else { throw ClusteringError.invalidKRange(kMin: kMin, kMax: kMax, points: x.rows) }
        var out: [KClustering] = []
        let total = kMax - kMin + 1
        for k in kMin...kMax {
            if isCancelled() { throw SegmentationError.cancelled }
            let fit = try KMeans.fit(x, k: k, restarts: restarts, iterations: iterations, tolerance: tolerance,
                                     seed: seed &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15)
            out.append(score(x, fit: fit, k: k))
            progress(out.count, total)
        }
        return out
    }

    /// Scores one fitted K.
    func score(_ x: Matrix, fit: KMeansResult, k: Int) -> KClustering {
        do {
            let silhouette = x.rows <= silhouetteSample
                ? try Silhouette.exact(x: x, labels: fit.labels, k: k)
                : try Silhouette.sampled(x: x, labels: fit.labels, k: k, sampleSize: silhouetteSample, seed: seed &+ UInt64(k))
            let ch = try CalinskiHarabasz.score(x: x, labels: fit.labels, k: k)
            let db = try DaviesBouldin.score(x: x, labels: fit.labels, k: k)
            return KClustering(k: k, labels: fit.labels, centroids: fit.centroids,
                               score: KScore(k: k, silhouette: silhouette, calinskiHarabasz: ch, daviesBouldin: db, inertia: fit.inertia),
                               scoresDefined: true, iterations: fit.iterations)
        } catch {
            return KClustering(k: k, labels: fit.labels, centroids: fit.centroids,
                               score: KScore(k: k, silhouette: -1, calinskiHarabasz: 0, daviesBouldin: 0, inertia: fit.inertia),
                               scoresDefined: false, iterations: fit.iterations)
        }
    }

    /// The paper's per-batch training term input: the best silhouette over `kRange` of a quick
    /// k-means (1 restart, 10 Lloyd iterations) of `mu` (batch x L). Ks above the batch size
    /// are skipped; returns -1 when no K has a defined silhouette. Exact silhouette (batches
    /// are small).
    public static func batchSilhouette(_ mu: Matrix, kRange: ClosedRange<Int>, seed: UInt64) -> Double {
        var best = -1.0
        for k in kRange where k >= 2 && k < mu.rows {
            guard let fit = try? KMeans.fit(mu, k: k, restarts: 1, iterations: 10, seed: seed &+ UInt64(k)),
                  let s = try? Silhouette.exact(x: mu, labels: fit.labels, k: k) else { continue }
            best = max(best, s)
        }
        return best
    }
}
