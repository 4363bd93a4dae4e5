import Testing
@testable import CubeML

struct ClusteringIterativeKMeansTests {
    /// Seven sub-clusters in two well-separated groups (the configuration where the flat
    /// silhouette prefers K = 2), from the K-selection study's "grouped" scenario.
    static func grouped(seed: UInt64) -> (Matrix, [Int32]) {
        var g = SeededGenerator(seed: seed)
        let dim = 3
        var centres: [[Double]] = []
        while centres.count < 7 {
            let group = Double(centres.count % 2)
            let c = (0..<dim).map { j in (j == 0 ? group * 40 : 0) + (g.nextDouble() * 2 - 1) * 6 }
            if centres.allSatisfy({ o in zip(o, c).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() >= 6 }) { centres.append(c) }
        }
        var labels: [Int32] = []
        var rows: [Float] = []
        for (c, centre) in centres.enumerated() {
            let size = 80 + g.nextInt(below: 300), spread = 0.5 + g.nextDouble()
            for _ in 0..<size {
                labels.append(Int32(c))
                for j in 0..<dim { rows.append(Float(centre[j] + spread * g.nextGaussian())) }
            }
        }
        return (Matrix(rows: labels.count, cols: dim, values: rows), labels)
    }

    @Test func everyKIsKeptWithLabelsCentroidsAndScores() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [300, 120, 500, 60, 200], spreads: [0.6, 0.4, 1, 0.5, 0.8], dim: 4, seed: 21)
        let ik = IterativeKMeans(kMin: 2, kMax: 8, restarts: 2, iterations: 50, seed: 3)
        var progress: [Int] = []
        let r = try ik.run(x, criterion: .silhouette, progress: { done, total in progress.append(done); #expect(total == 7) })
        #expect(r.clusterings.map(\.k) == Array(2...8))
        #expect(progress == Array(1...7))
        #expect(r.selection.scores.map(\.k) == Array(2...8))
        for c in r.clusterings {
            #expect(c.labels.count == x.rows && c.centroids.rows == c.k && c.scoresDefined)
            #expect(Set(c.labels).count == c.k)
            #expect(abs(c.score.silhouette - (try Silhouette.exact(x: x, labels: c.labels, k: c.k))) < 1e-12)
        }
        #expect(r.chosenK == 5)
        #expect(r.selection.reason.contains("K = 5") && r.selection.reason.contains("silhouette"))
    }

    @Test func eachCriterionPicksItsOwnOptimum() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [200, 200, 200, 200], spreads: [2, 2, 2, 2], dim: 2, span: 6, seed: 22)
        let ik = IterativeKMeans(kMin: 2, kMax: 6, restarts: 1, iterations: 30, seed: 1)
        let cs = try ik.clusterAll(x)
        let ch = try ik.choose(cs, data: x, rule: .criterion(.calinskiHarabasz))
        let db = try ik.choose(cs, data: x, rule: .criterion(.daviesBouldin))
        #expect(ch.k == cs.max { $0.score.calinskiHarabasz < $1.score.calinskiHarabasz }!.k)
        #expect(db.k == cs.min { $0.score.daviesBouldin < $1.score.daviesBouldin }!.k)
        #expect(db.reason.contains("Davies-Bouldin"))
    }

    @Test func silhouetteToleranceTakesTheLargestKWithinTheTolerance() {
        func clustering(_ k: Int, _ s: Double) -> KClustering {
            KClustering(k: k, labels: [], centroids: Matrix(rows: k, cols: 1),
                        score: KScore(k: k, silhouette: s, calinskiHarabasz: 1, daviesBouldin: 1, inertia: 1), scoresDefined: true, iterations: 1)
        }
        let cs = [clustering(2, 0.70), clustering(3, 0.60), clustering(4, 0.69), clustering(5, 0.685), clustering(6, 0.5)]
        #expect(KSelectionRule.criterion(.silhouette).choose(cs)!.k == 2)
        #expect(KSelectionRule.silhouetteTolerance(0.02).choose(cs)!.k == 5)
        #expect(KSelectionRule.silhouetteTolerance(0.001).choose(cs)!.k == 2)
        #expect(KSelectionRule.recommended.choose(cs) == nil) // needs the data
    }

    @Test func recursiveSilhouetteFindsSubClustersWhereTheFlatSilhouetteStopsAtTwo() throws {
        let (x, truth) = Self.grouped(seed: 5)
        let ik = IterativeKMeans(kMin: 2, kMax: 10, restarts: 3, iterations: 50, seed: 5)
        let cs = try ik.clusterAll(x)
        #expect(try ik.choose(cs, data: x, rule: .criterion(.silhouette)).k == 2)
        let recursive = try ik.choose(cs, data: x, rule: .recommended)
        #expect(recursive.k == 7)
        #expect(recursive.reason.contains("recursive silhouette"))
        #expect(ClusteringMetrics.adjustedRandIndex(truth, cs.first { $0.k == 7 }!.labels) > 0.95)
    }

    @Test func recursiveSilhouetteDoesNotSplitPlainBlobs() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [400, 150, 250, 90, 600], spreads: [1, 0.5, 1.5, 0.7, 1.2], dim: 3, seed: 23)
        let ik = IterativeKMeans(kMin: 2, kMax: 10, restarts: 2, iterations: 50, seed: 2)
        #expect(try ik.run(x, rule: .recommended).chosenK == 5)
    }

    @Test func aSampledSilhouetteIsUsedAboveTheSampleSize() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [700, 700, 700], spreads: [1, 1, 1], dim: 2, seed: 24)
        let exact = try IterativeKMeans(kMin: 3, kMax: 3, restarts: 1, iterations: 20, silhouetteSample: 10_000, seed: 1).clusterAll(x)[0]
        let sampled = try IterativeKMeans(kMin: 3, kMax: 3, restarts: 1, iterations: 20, silhouetteSample: 600, seed: 1).clusterAll(x)[0]
        #expect(exact.labels == sampled.labels)
        #expect(exact.score.silhouette != sampled.score.silhouette)
        #expect(abs(exact.score.silhouette - sampled.score.silhouette) < 0.02)
    }

    @Test func impossibleRangesAndCancellationAreReported() {
        let x = Matrix(rows: 5, cols: 1, values: [0, 1, 2, 3, 4])
        #expect(throws: ClusteringError.invalidKRange(kMin: 2, kMax: 6, points: 5)) { try IterativeKMeans(kMin: 2, kMax: 6).clusterAll(x) }
        #expect(throws: ClusteringError.invalidKRange(kMin: 1, kMax: 3, points: 5)) { try IterativeKMeans(kMin: 1, kMax: 3).clusterAll(x) }
        #expect(throws: SegmentationError.cancelled) { try IterativeKMeans(kMin: 2, kMax: 3).run(x, criterion: .silhouette, isCancelled: { true }) }
    }

    @Test func batchSilhouetteIsTheBestSilhouetteOverTheRange() {
        let (x, _) = ClusteringTestData.blobs(sizes: [150, 150, 150], spreads: [0.3, 0.3, 0.3], dim: 3, seed: 25)
        let s = IterativeKMeans.batchSilhouette(x, kRange: 2...5, seed: 1)
        let three = try! KMeans.fit(x, k: 3, restarts: 1, iterations: 10, seed: 1 &+ 3)
        #expect(s >= (try! Silhouette.exact(x: x, labels: three.labels, k: 3)))
        #expect(s > 0.8 && s <= 1)
        #expect(IterativeKMeans.batchSilhouette(Matrix(rows: 2, cols: 3), kRange: 2...4, seed: 0) == -1)
    }

    @Test func aCollapsedEmbeddingIsHandledWithoutCrashOrSkippedK() throws {
        // Early in training the latent collapses to a few values: 3 distinct points x 40 copies.
        var values: [Float] = []
        for i in 0..<120 { values += [Float(i % 3), 0.5] }
        let x = Matrix(rows: 120, cols: 2, values: values)
        let r = try IterativeKMeans(kMin: 2, kMax: 5, restarts: 2, iterations: 20, seed: 1).run(x, criterion: .silhouette)
        #expect(r.clusterings.map(\.k) == [2, 3, 4, 5])
        #expect(r.chosenK == 3)
        #expect(r.clustering(k: 3)!.score.silhouette == 1)
        // All points identical: every K keeps its entry, scores are undefined, K = kMin is reported.
        let flat = try IterativeKMeans(kMin: 2, kMax: 3, restarts: 1, iterations: 5).run(Matrix(rows: 50, cols: 2, repeating: 0.25), criterion: .silhouette)
        #expect(flat.clusterings.allSatisfy { !$0.scoresDefined } && flat.chosenK == 2)
        #expect(IterativeKMeans.batchSilhouette(Matrix(rows: 50, cols: 2, repeating: 0.25), kRange: 2...4, seed: 0) == -1)
    }

    @Test func theSegmentationParametersCarryOver() {
        var p = SegmentationParameters()
        p.kMin = 3; p.kMax = 7; p.kmeansRestarts = 4; p.lloydIterations = 12; p.silhouetteSample = 999; p.seed = 77
        let ik = IterativeKMeans(parameters: p)
        #expect(ik == IterativeKMeans(kMin: 3, kMax: 7, restarts: 4, iterations: 12, silhouetteSample: 999, seed: 77))
    }
}

struct ClusteringKSelectionRuleNameTests {
    @Test func everyNameRoundTripsAndUnknownNamesAreRejected() {
        for name in KSelectionRule.names { #expect(KSelectionRule(name: name)?.name == name) }
        #expect(KSelectionRule(name: "recursive_silhouette") == .recommended)
        #expect(KSelectionRule(name: "silhouette_tolerance", parameter: 0.05) == .silhouetteTolerance(0.05))
        #expect(KSelectionRule(name: "calinski_harabasz") == .criterion(.calinskiHarabasz))
        #expect(KSelectionRule(name: "gap") == nil)
    }
}
