import Foundation
import Testing
@testable import CubeML

/// The K criteria of the consensus on cases whose answer is known.
@Suite("K criteria")
struct KCriteriaTests {
    private func clustering(_ k: Int, silhouette: Double = 0, ch: Double = 0, db: Double = 1, inertia: Double = 1,
                            coherence: Double? = nil) -> KClustering {
        KClustering(k: k, labels: [], centroids: Matrix(rows: k, cols: 1),
                    score: KScore(k: k, silhouette: silhouette, calinskiHarabasz: ch, daviesBouldin: db, inertia: inertia,
                                  spatialCoherence: coherence),
                    scoresDefined: true, iterations: 1)
    }

    @Test("the elbow of an inertia curve that falls steeply until K = 4 and slowly after is K = 4")
    func elbowFindsTheBend() {
        let inertia: [Int: Double] = [2: 1000, 3: 400, 4: 100, 5: 90, 6: 82, 7: 76, 8: 71]
        let c = (2...8).map { clustering($0, inertia: inertia[$0]!) }
        #expect(KSelectionRule.elbow(c) == 4)
        // A flat curve has no elbow: the first K.
        #expect(KSelectionRule.elbow((2...5).map { clustering($0, inertia: 50) }) == 2)
    }

    @Test("the spatial vote is the largest K within 0.02 of the most coherent map, and absent without coherence")
    func spatialVote() {
        let values: [Int: Double] = [2: 0.950, 3: 0.955, 4: 0.938, 5: 0.930, 6: 0.70]
        #expect(KSelectionRule.spatialVote((2...6).map { clustering($0, coherence: values[$0]!) }) == 4)
        #expect(KSelectionRule.spatialVote((2...6).map { clustering($0) }) == nil)
    }

    @Test("the consensus is the median of the Calinski-Harabasz, elbow and spatial votes, and names every criterion")
    func consensusIsTheMedianVote() throws {
        // silhouette 2, Calinski-Harabasz 6, Davies-Bouldin 5, elbow 5 (bend), spatial 7.
        let sil: [Int: Double] = [2: 0.9, 3: 0.5, 4: 0.5, 5: 0.6, 6: 0.55, 7: 0.4]
        let ch: [Int: Double] = [2: 10, 3: 20, 4: 30, 5: 40, 6: 50, 7: 45]
        let db: [Int: Double] = [2: 0.9, 3: 0.8, 4: 0.7, 5: 0.3, 6: 0.5, 7: 0.9]
        let inertia: [Int: Double] = [2: 1000, 3: 700, 4: 400, 5: 100, 6: 95, 7: 91]
        let coherence: [Int: Double] = [2: 0.95, 3: 0.94, 4: 0.95, 5: 0.95, 6: 0.945, 7: 0.949]
        let c = (2...7).map { clustering($0, silhouette: sil[$0]!, ch: ch[$0]!, db: db[$0]!, inertia: inertia[$0]!, coherence: coherence[$0]!) }
        let (k, reason) = try #require(KSelectionRule.criterion(.consensus).choose(c))
        #expect(k == 6)  // median of 6, 5, 7
        for name in ["Calinski-Harabasz 6", "inertia elbow 5", "spatial coherence 7", "silhouette 2", "Davies-Bouldin 5"] {
            #expect(reason.contains(name), "\(reason)")
        }
        // Without spatial coherence, two votes (6, 5): the smaller.
        let flat = (2...7).map { clustering($0, silhouette: sil[$0]!, ch: ch[$0]!, db: db[$0]!, inertia: inertia[$0]!) }
        #expect(KSelectionRule.criterion(.consensus).choose(flat)?.k == 5)
    }

    @Test("the consensus takes K = 3 where its median is 2 but another vote says more, and keeps 2 where every vote says 2")
    func consensusLooksPastTheFirstSplit() throws {
        // Calinski-Harabasz 2, elbow 5, spatial 2: the median is 2.
        let ch: [Int: Double] = [2: 90, 3: 60, 4: 50, 5: 45, 6: 40, 7: 35]
        let inertia: [Int: Double] = [2: 1000, 3: 700, 4: 400, 5: 100, 6: 95, 7: 91]
        let coherence: [Int: Double] = [2: 0.95, 3: 0.90, 4: 0.88, 5: 0.85, 6: 0.80, 7: 0.78]
        let c = (2...7).map { clustering($0, ch: ch[$0]!, inertia: inertia[$0]!, coherence: coherence[$0]!) }
        let (k, reason) = try #require(KSelectionRule.criterion(.consensus).choose(c))
        #expect(k == 3)
        #expect(reason.contains("median of the criteria's choices in K = 2...7 is 2"), "\(reason)")
        #expect(reason.contains("inertia elbow 5"), "\(reason)")
        // Every vote 2 (no K falls below the chord of log inertia, so its elbow is 2): K = 2.
        let late: [Int: Double] = [2: 1000, 3: 990, 4: 980, 5: 970, 6: 960, 7: 100]
        let two = (2...7).map { clustering($0, ch: ch[$0]!, inertia: late[$0]!, coherence: coherence[$0]!) }
        #expect(KSelectionRule.elbow(two) == 2)
        #expect(KSelectionRule.criterion(.consensus).choose(two)?.k == 2)
        // Without K = 3 among those tried, the median stands.
        let from4 = [clustering(2, ch: 90, inertia: 1000, coherence: 0.95)]
            + (4...7).map { clustering($0, ch: ch[$0]!, inertia: inertia[$0]!, coherence: coherence[$0]!) }
        #expect(KSelectionRule.criterion(.consensus).choose(from4)?.k == 2)
    }

    @Test("on five well-separated blobs every criterion and the consensus find K = 5")
    func blobsGiveTheirK() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [120, 80, 150, 60, 100], spreads: [0.5, 0.5, 0.6, 0.4, 0.5], dim: 3, span: 40, seed: 12)
        let settings = IterativeKMeans(kMin: 2, kMax: 9, restarts: 3, iterations: 100, seed: 1)
        let all = try settings.clusterAll(x)
        for criterion in [KCriterion.consensus, .silhouette, .calinskiHarabasz, .daviesBouldin] {
            #expect(KSelectionRule.criterion(criterion).choose(all)?.k == 5, "\(criterion)")
        }
        #expect(KSelectionRule.elbow(all) == 5)
    }

    @Test("Calinski-Harabasz highest at the largest K tried says the index may rise further, and nowhere else")
    func calinskiHarabaszAtTheEdge() throws {
        let rising = (2...6).map { clustering($0, ch: Double($0) * 10) }
        let (k, reason) = try #require(KSelectionRule.criterion(.calinskiHarabasz).choose(rising))
        #expect(k == 6)
        #expect(reason.contains("largest K tried") && reason.contains("k_max"), "\(reason)")
        let peaked = (2...6).map { clustering($0, ch: $0 == 4 ? 100 : 10) }
        let inside = try #require(KSelectionRule.criterion(.calinskiHarabasz).choose(peaked))
        #expect(inside.k == 4)
        #expect(!inside.reason.contains("largest K tried"), "\(inside.reason)")
    }

    @Test("spatial coherence: 1 for solid regions' neighbours, 2/3 for two halves of a 4 x 4 map, -1 for a checkerboard")
    func spatialCoherenceValues() throws {
        let grid = ImageGrid(height: 4, width: 4, pixelIndex: (0..<16).map(Int32.init))
        let halves: [Int32] = (0..<16).map { ($0 % 4) < 2 ? 0 : 1 }
        #expect(abs(try #require(grid.spatialCoherence(halves, k: 2)) - 2.0 / 3.0) < 1e-12)
        let checker: [Int32] = (0..<16).map { Int32((($0 % 4) + ($0 / 4)) % 2) }
        #expect(abs(try #require(grid.spatialCoherence(checker, k: 2)) + 1) < 1e-12)
        #expect(grid.spatialCoherence([Int32](repeating: 0, count: 16), k: 1) == nil)
        // Background pixels (not in pixelIndex) break no pair: the left half only, one label.
        let left = ImageGrid(height: 4, width: 4, pixelIndex: (0..<16).filter { $0 % 4 < 2 }.map(Int32.init))
        #expect(left.spatialCoherence([Int32](repeating: 0, count: 8), k: 1) == nil)
    }
}
