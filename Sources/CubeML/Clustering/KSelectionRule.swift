import Foundation

/// How `IterativeKMeans` picks K from the scores of every K tried.
///
/// `.criterion` applies one of the shared `KCriterion`s faithfully (best silhouette, highest
/// Calinski-Harabasz, lowest Davies-Bouldin). The other cases are CubeSeg's own rules; their
/// `KSelection.criterion` is reported as the criterion they are built on.
public enum KSelectionRule: Sendable, Equatable {
    case criterion(KCriterion)
    /// The largest K whose silhouette is within `tolerance` of the best silhouette: the
    /// silhouette's bias towards few, coarse clusters is traded for detail when the finer
    /// partition is (almost) as well separated.
    case silhouetteTolerance(Double)
    /// Recursive silhouette: split the data at the best-silhouette K, then split each cluster
    /// again (k-means over 2...remaining budget on its rows) while its best silhouette is at
    /// least `threshold`; K is the number of leaves, clamped to the range. Finds the sub-
    /// clusters of well-separated super-groups, where the flat silhouette stops at K = 2.
    /// Needs the data: decided by `IterativeKMeans.run` / `IterativeKMeans.choose`.
    /// Studied value: 0.45 (see the study in the clustering report).
    case recursiveSilhouette(threshold: Double)

    /// CubeSeg's recommended rule (the best in our K-recovery study): recursive silhouette, 0.45.
    public static let recommended = KSelectionRule.recursiveSilhouette(threshold: 0.45)

    /// The `KCriterion` written into `KSelection.criterion`.
    public var reportedCriterion: KCriterion {
        switch self {
        case .criterion(.auto): return .consensus
        case .criterion(let c): return c
        case .silhouetteTolerance: return .silhouette
        case .recursiveSilhouette: return .recursiveSilhouette
        }
    }

    /// The chosen K and a one-sentence reason, for the rules that need only the scores
    /// (nil for `.recursiveSilhouette`, which needs the data). Ks whose scores are undefined
    /// are skipped (if all are, the smallest K is returned with a reason saying so).
    public func choose(_ clusterings: [KClustering]) -> (k: Int, reason: String)? {
        precondition(!clusterings.isEmpty, "no K to choose from")
        let defined = clusterings.filter(\.scoresDefined)
        let range = "K = \(clusterings.first!.k)...\(clusterings.last!.k)"
        guard !defined.isEmpty else {
            return (clusterings[0].k, "no K in \(range) has defined scores (too few distinct points); K = \(clusterings[0].k) is reported")
        }
        func f(_ v: Double) -> String { Self.format(v) }
        switch self {
        case .recursiveSilhouette, .criterion(.recursiveSilhouette):
            return nil
        case .criterion(.consensus), .criterion(.auto):
            return Self.consensus(defined, range: range)
        case .criterion(.silhouette):
            let best = Self.best(defined) { $0.score.silhouette }
            return (best.k, "K = \(best.k) has the highest silhouette (\(f(best.score.silhouette))) in \(range)")
        case .criterion(.calinskiHarabasz):
            let best = Self.best(defined) { $0.score.calinskiHarabasz }
            let edge = best.k == clusterings.last!.k && defined.count > 1
                ? "; it is the largest K tried, so the index may rise further (a larger k_max would show it)" : ""
            return (best.k, "K = \(best.k) has the highest Calinski-Harabasz index (\(f(best.score.calinskiHarabasz))) in \(range)\(edge)")
        case .criterion(.daviesBouldin):
            let best = Self.best(defined) { -$0.score.daviesBouldin }
            return (best.k, "K = \(best.k) has the lowest Davies-Bouldin index (\(f(best.score.daviesBouldin))) in \(range)")
        case .silhouetteTolerance(let tolerance):
            let best = Self.best(defined) { $0.score.silhouette }
            let chosen = defined.last { $0.score.silhouette >= best.score.silhouette - tolerance }!
            if chosen.k == best.k {
                return (best.k, "K = \(best.k) has the highest silhouette (\(f(best.score.silhouette))) in \(range) and no larger K is within \(f(tolerance)) of it")
            }
            return (chosen.k, "K = \(chosen.k) is the largest K whose silhouette (\(f(chosen.score.silhouette))) is within \(f(tolerance)) of the best (\(f(best.score.silhouette)) at K = \(best.k))")
        }
    }

    /// The spatial vote: the largest K whose map is within this of the most coherent map's
    /// spatial coherence (splitting a material by noise scatters labels and costs coherence).
    /// 0.02 since 2026-12-03 (0.01 before): on the cubes the consensus decides (continua and
    /// bands), drawn afresh for the measurement (48 airborne scenes, 15 IFU cubes), the true
    /// K on 15 against 13, too many clusters on 8 either way, within 0.02 of PCA + k-means
    /// given the true K on 53 against 52; 0.05 gained more ARI but chose too many clusters on
    /// 17 and the true K on 11 (README, "Continua and bands: a spatial vote within 0.02").
    public static let coherenceTolerance = 0.02

    /// The consensus: the median of the Ks chosen by the Calinski-Harabasz index, the
    /// inertia elbow and the spatial coherence (of two votes, without an image, the
    /// smaller), but 3 where that median is 2 and some vote says more (and K = 3 was
    /// tried), with a sentence that lists the votes and the silhouette's and
    /// Davies-Bouldin's choices for information. Chosen when these three were the best single
    /// criteria on the quality suite; measured since on 69 cubes of both simulators and two
    /// real scenes (README, "Choosing K"), their median still finds the true K most often
    /// (35), against 33 and 34 with Davies-Bouldin or the silhouette as the third voter, 33
    /// for the elbow alone, 28 for Calinski-Harabasz alone, 11 for the spatial vote alone
    /// and 24 for the median of all five. The floor of 3 (2026-12-03): on continua and bands,
    /// which `auto` leaves to the consensus, Calinski-Harabasz and the spatial vote favour
    /// the first, coarsest split; on 7 of 48 airborne scenes drawn afresh (3-11 classes)
    /// both said 2 and the elbow 5-7, and K = 3 scored better on 5 of them (0.157 -> 0.244
    /// ... 0.477 -> 0.700), worse on 2 (by 0.026 and 0.003) (README, "Continua and bands").
    static func consensus(_ c: [KClustering], range: String) -> (k: Int, reason: String) {
        var votes: [(String, Int)] = [
            ("Calinski-Harabasz", best(c) { $0.score.calinskiHarabasz }.k),
            ("inertia elbow", elbow(c)),
        ]
        if let spatial = spatialVote(c) { votes.append(("spatial coherence", spatial)) }
        let sorted = votes.map(\.1).sorted()
        let median = sorted[(sorted.count - 1) / 2]
        let list = votes.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let others = "silhouette \(best(c) { $0.score.silhouette }.k), Davies-Bouldin \(best(c) { -$0.score.daviesBouldin }.k)"
        if median == 2, sorted.last! > 2, c.contains(where: { $0.k == 3 }) {
            return (3, "K = 3: the median of the criteria's choices in \(range) is 2 (\(list); not voting: \(others)), but not every vote says 2, and 2 is where Calinski-Harabasz and the spatial vote begin on an image whose regions grade into one another; K = 2's map is kept with the others")
        }
        return (median, "K = \(median) is the median of the criteria's choices in \(range) (\(list); not voting: \(others))")
    }

    /// The largest K whose spatial coherence is within `coherenceTolerance` of the best;
    /// nil when the scores carry no spatial coherence.
    public static func spatialVote(_ c: [KClustering]) -> Int? {
        let values = c.compactMap { x in x.score.spatialCoherence.map { (x.k, $0) } }
        guard values.count == c.count, let top = values.map(\.1).max() else { return nil }
        return values.filter { $0.1 >= top - coherenceTolerance }.map(\.0).max()
    }

    /// The elbow of log(inertia) over K: the K farthest below the chord from the first to
    /// the last K, both axes scaled to [0, 1] ("kneedle"). The first K when there is no curve.
    public static func elbow(_ c: [KClustering]) -> Int {
        guard c.count >= 3 else { return c[0].k }
        let k0 = Double(c.first!.k), k1 = Double(c.last!.k)
        let y0 = log(max(c.first!.score.inertia, 1e-300)), y1 = log(max(c.last!.score.inertia, 1e-300))
        guard y0 > y1 else { return c[0].k }
        var bestK = c[0].k, bestGain = -Double.infinity
        for x in c {
            let gain = (y0 - log(max(x.score.inertia, 1e-300))) / (y0 - y1) - (Double(x.k) - k0) / (k1 - k0)
            if gain > bestGain { bestGain = gain; bestK = x.k }
        }
        return bestK
    }

    static func format(_ v: Double) -> String { String(format: abs(v) >= 1000 ? "%.1f" : "%.3f", v) }

    /// The clustering with the largest `key` (ties: the smallest K).
    static func best(_ c: [KClustering], by key: (KClustering) -> Double) -> KClustering {
        var best = c[0]
        for x in c.dropFirst() where key(x) > key(best) { best = x }
        return best
    }
}
