import Testing
@testable import CubeML

/// `GaussianMixture.mostLikely`: EM from several partitions, the most likely kept.
struct GaussianMixtureStartsTests {
    /// Three round clouds (standard deviation 1, 300 points each) centred at (0, 0), (12, 0)
    /// and (0, 12), and two starts: the truth, and a local optimum EM cannot leave (the
    /// first two clouds in one component, the third cut in two by its x coordinate).
    static func threeClouds() -> (x: Matrix, truth: [Int32], poor: [Int32]) {
        var g = SeededGenerator(seed: 5)
        let centres = [(0.0, 0.0), (12.0, 0.0), (0.0, 12.0)]
        var x = Matrix(rows: 900, cols: 2)
        var truth: [Int32] = [], poor: [Int32] = []
        for c in 0..<3 {
            for i in 0..<300 {
                let r = c * 300 + i
                x[r, 0] = Float(centres[c].0 + g.nextGaussian())
                x[r, 1] = Float(centres[c].1 + g.nextGaussian())
                truth.append(Int32(c))
                poor.append(c < 2 ? 0 : (x[r, 0] < 0 ? 1 : 2))
            }
        }
        return (x, truth, poor)
    }

    @Test("EM from a poor partition stays in its local optimum, and the most likely of several starts finds the clouds whatever their order")
    func mostLikelyStartWins() throws {
        let (x, truth, poor) = Self.threeClouds()
        let stuck = try #require(GaussianMixture.fit(x, labels: poor, k: 3))
        let stuckARI = ClusteringMetrics.adjustedRandIndex(truth, stuck.labels)
        #expect(stuckARI < 0.7, "EM left the poor start (ARI \(stuckARI)): the case no longer shows a local optimum")
        for starts in [[poor, truth], [truth, poor]] {
            let best = try #require(GaussianMixture.mostLikely(x, starts: starts, k: 3, trialIterations: 5,
                                                               trialRows: 10_000, seed: 1))
            #expect(ClusteringMetrics.adjustedRandIndex(truth, best.labels) == 1)
            #expect(best.meanLogLikelihood > stuck.meanLogLikelihood + 0.1)
        }
    }

    @Test("trials on a sample of the rows pick the same optimum, and the chosen mixture then labels every row")
    func trialsOnASample() throws {
        let (x, truth, poor) = Self.threeClouds()
        let best = try #require(GaussianMixture.mostLikely(x, starts: [poor, truth], k: 3, trialIterations: 15,
                                                           trialRows: 120, seed: 3))
        #expect(best.labels.count == x.rows)
        #expect(ClusteringMetrics.adjustedRandIndex(truth, best.labels) == 1)
    }

    @Test("when no trial can run on the sample (fewer rows than components), the trials run on every row")
    func sampleTooSmallFallsBackToEveryRow() throws {
        let (x, truth, poor) = Self.threeClouds()
        let tiny = try #require(GaussianMixture.mostLikely(x, starts: [poor, truth], k: 3, trialIterations: 15,
                                                           trialRows: 3, seed: 3))
        let full = try #require(GaussianMixture.mostLikely(x, starts: [poor, truth], k: 3, trialIterations: 15,
                                                           trialRows: x.rows, seed: 3))
        #expect(tiny == full)
        #expect(ClusteringMetrics.adjustedRandIndex(truth, tiny.labels) == 1)
    }

    @Test("a fitted mixture labels its own rows as the fit did, and rows moved to a cloud's centre by that cloud")
    func modelLabelsRows() throws {
        let (x, truth, _) = Self.threeClouds()
        let fit = try #require(GaussianMixture.fit(x, labels: truth, k: 3))
        #expect(GaussianMixture.labels(x, model: fit.model) == fit.labels)
        let centres = Matrix(rows: 3, cols: 2, values: [0, 0, 12, 0, 0, 12])
        let labels = try #require(GaussianMixture.labels(centres, model: fit.model))
        #expect(labels == [fit.labels[0], fit.labels[300], fit.labels[600]])
        #expect(GaussianMixture.labels(Matrix(rows: 2, cols: 3), model: fit.model) == nil)
    }

    @Test("no start that fits the rows gives no mixture")
    func noUsableStart() {
        let (x, _, _) = Self.threeClouds()
        #expect(GaussianMixture.mostLikely(x, starts: [], k: 3, trialIterations: 5, trialRows: 100, seed: 1) == nil)
        #expect(GaussianMixture.mostLikely(x, starts: [[0, 1, 2]], k: 3, trialIterations: 5, trialRows: 100, seed: 1) == nil)
    }

    @Test("the pipeline's mixture step leaves a poor k-means partition for the most likely of its starts")
    func pipelineMixtureUsesSeveralStarts() throws {
        let (x, truth, poor) = Self.threeClouds()
        let outcome = LatentClustering.Outcome(
            labelsByK: [3: poor], centroidsByK: [3: Matrix(rows: 3, cols: 2)], chosenK: 3,
            report: KSelection(criterion: .consensus, scores: [], reason: "given"))
        let refined = try LatentClustering(parameters: SegmentationParameters())
            .mixtureRefined(outcome, embeddings: x, isCancelled: { false })
        #expect(refined.keptKMeans.isEmpty)
        #expect(ClusteringMetrics.adjustedRandIndex(truth, refined.outcome.labelsByK[3]!) == 1)
    }
}
