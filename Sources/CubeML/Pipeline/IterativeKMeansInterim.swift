// Interim IKMeans so the pipeline runs end to end; replaced by Clustering/IterativeKMeans.
import Foundation

enum IterativeKMeans {
    struct PerK: Sendable { var k: Int; var labels: [Int32]; var centroids: Matrix; var score: KScore }
    struct Result: Sendable { var results: [PerK]; var chosenK: Int; var selection: KSelection }

    static func run(_ x: Matrix, kRange: ClosedRange<Int>, restarts: Int, iterations: Int, silhouetteSample: Int,
                    criterion: KCriterion, seed: UInt64, isCancelled: @Sendable () -> Bool) throws -> Result {
        var out: [PerK] = []
        for k in kRange where k <= x.rows {
            if isCancelled() { throw SegmentationError.cancelled }
            let r = try KMeans.fit(x, k: k, restarts: restarts, iterations: iterations, seed: seed)
            let s = x.rows <= silhouetteSample
                ? try Silhouette.exact(x: x, labels: r.labels, k: k)
                : try Silhouette.sampled(x: x, labels: r.labels, k: k, sampleSize: silhouetteSample, seed: seed)
            let ch = try CalinskiHarabasz.score(x: x, labels: r.labels, k: k)
            let db = try DaviesBouldin.score(x: x, labels: r.labels, k: k)
            out.append(PerK(k: k, labels: r.labels, centroids: r.centroids,
                            score: KScore(k: k, silhouette: s, calinskiHarabasz: ch, daviesBouldin: db, inertia: r.inertia)))
        }
        let best: PerK
        switch criterion {
        case .silhouette: best = out.max { $0.score.silhouette < $1.score.silhouette }!
        case .calinskiHarabasz: best = out.max { $0.score.calinskiHarabasz < $1.score.calinskiHarabasz }!
        case .daviesBouldin: best = out.min { $0.score.daviesBouldin < $1.score.daviesBouldin }!
        }
        let reason = String(format: "K = %d has the best %@ (silhouette %.3f)", best.k, criterion.rawValue, best.score.silhouette)
        return Result(results: out, chosenK: best.k, selection: KSelection(criterion: criterion, scores: out.map(\.score), reason: reason))
    }

    static func batchSilhouette(_ x: Matrix, kRange: ClosedRange<Int>, seed: UInt64) -> Double {
        var best = -1.0
        for k in kRange where k < x.rows {
            guard let r = try? KMeans.fit(x, k: k, restarts: 1, iterations: 10, seed: seed),
                  let s = try? Silhouette.exact(x: x, labels: r.labels, k: k) else { continue }
            best = max(best, s)
        }
        return best
    }
}
