import Testing
@testable import CubeML

/// The Potts/ICM step on partitions a Gaussian mixture drew.
struct MixtureSpatialTests {
    /// A 40 x 40 map, left half a tight class (standard deviation 0.2 about (0, 0)), right
    /// half a wide one (standard deviation 2 about (3, 0)); one embedding row per pixel. A
    /// quarter of the wide class lies nearer the tight class's centre than its own, where
    /// only the mixture's shapes tell them apart.
    static func tightAndWide() -> (z: Matrix, truth: [Int32]) {
        var g = SeededGenerator(seed: 11)
        let h = 40, w = 40
        var z = Matrix(rows: h * w, cols: 2)
        var truth = [Int32](repeating: 0, count: h * w)
        for p in 0..<(h * w) {
            let wide = p % w >= w / 2
            truth[p] = wide ? 1 : 0
            let (cx, s) = wide ? (3.0, 2.0) : (0.0, 0.2)
            z[p, 0] = Float(cx + s * g.nextGaussian())
            z[p, 1] = Float(s * g.nextGaussian())
        }
        return (z, truth)
    }

    @Test("ICM on given costs gives what the centroid form gives when the costs are the distances to the centroids")
    func costFormMatchesCentroidForm() throws {
        let m = ClusteringSpatialTests.noisyMap(seed: 3)
        let signal = m.labels.indices.filter { m.labels[$0] >= 0 }
        var rowOf = [Int](repeating: -1, count: m.labels.count)
        for p in signal { rowOf[p] = p }
        let cost = SpatialRegularizer.dataCost(embeddings: m.embeddings, rowOf: rowOf, signal: signal, labels: m.labels,
                                               centroids: m.centroids)
        let byCentroids = try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, embeddings: m.embeddings,
                                                     centroids: m.centroids, beta: 5, iterations: 10)
        let byCost = try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, cost: cost, k: 2, beta: 5, iterations: 10)
        #expect(byCost == byCentroids)
        #expect(ClusteringSpatialTests.errors(byCost, m.truth) < ClusteringSpatialTests.errors(m.labels, m.truth) / 2)
        #expect(throws: ClusteringError.self) {
            try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, cost: Array(cost.dropLast()), k: 2, beta: 5, iterations: 1)
        }
    }

    @Test("a mixture's partition regularised in space keeps its clusters' shapes instead of becoming k-means's")
    func mixturePartitionKeepsItsShapes() throws {
        let (z, truth) = Self.tightAndWide()
        let fit = try #require(GaussianMixture.fit(z, labels: truth, k: 2))
        let mixtureARI = ClusteringMetrics.adjustedRandIndex(truth, fit.labels)
        #expect(mixtureARI > 0.9, "the mixture itself separates the classes: \(mixtureARI)")
        var p = SegmentationParameters()
        p.spatialBeta = 0.5
        let clustering = LatentClustering(parameters: p)
        let pixels = (0..<Int32(z.rows)).map { $0 }
        var outcome = LatentClustering.Outcome(
            labelsByK: [2: fit.labels], centroidsByK: [2: fit.centroids], chosenK: 2,
            report: KSelection(criterion: .consensus, scores: [], reason: "given"))
        outcome.mixtureByK[2] = fit.model
        let kept = try clustering.regularised(outcome, embeddings: z, pixelIndex: pixels, height: 40, width: 40).labelsByK[2]!
        // Without the mixture, the same step labels by distance to the centroids.
        outcome.mixtureByK = [:]
        let byCentroids = try clustering.regularised(outcome, embeddings: z, pixelIndex: pixels, height: 40, width: 40).labelsByK[2]!
        let keptARI = ClusteringMetrics.adjustedRandIndex(truth, kept)
        let centroidARI = ClusteringMetrics.adjustedRandIndex(truth, byCentroids)
        #expect(keptARI >= mixtureARI, "ICM on the mixture's costs: \(keptARI), the mixture alone \(mixtureARI)")
        #expect(centroidARI < keptARI - 0.1, "distances to the centroids redraw the partition: \(centroidARI) against \(keptARI)")
    }

    @Test("renumbering the clusters drops the mixtures, whose components keep the old numbers")
    func renumberingDropsTheMixtures() throws {
        let (z, truth) = Self.tightAndWide()
        let fit = try #require(GaussianMixture.fit(z, labels: truth, k: 2))
        var outcome = LatentClustering.Outcome(
            labelsByK: [2: fit.labels], centroidsByK: [2: fit.centroids], chosenK: 2,
            report: KSelection(criterion: .consensus, scores: [], reason: "given"))
        outcome.mixtureByK[2] = fit.model
        #expect(LatentClustering(parameters: SegmentationParameters()).consistentlyNumbered(outcome, anchor: nil).mixtureByK.isEmpty)
    }
}
