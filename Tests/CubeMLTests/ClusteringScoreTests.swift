import Testing
@testable import CubeML

/// scikit-learn 1.9.1 reference for the 10-point set below:
/// ```python
/// x = np.array([[0.0, 0.0], [0.5, 0.1], [0.2, 0.8], [4.0, 4.0], [4.5, 3.9], [3.8, 4.6], [4.2, 4.1],
///               [9.0, 0.0], [0.3, 0.3], [8.5, 0.7]]); l = [0, 0, 0, 1, 1, 1, 1, 2, 0, 2]
/// silhouette_score(x, l), calinski_harabasz_score(x, l), davies_bouldin_score(x, l)
/// # 0.8898677485033657 326.76608695652175 0.12282261737709373
/// ```
struct ClusteringScoreTests {
    static let x = Matrix(rows: 10, cols: 2, values: [0, 0, 0.5, 0.1, 0.2, 0.8, 4, 4, 4.5, 3.9, 3.8, 4.6, 4.2, 4.1, 9, 0, 0.3, 0.3, 8.5, 0.7])
    static let labels: [Int32] = [0, 0, 0, 1, 1, 1, 1, 2, 0, 2]

    @Test func scoresMatchScikitLearnOnASmallSet() throws {
        #expect(abs(try Silhouette.exact(x: Self.x, labels: Self.labels, k: 3) - 0.8898677485033657) < 1e-5)
        #expect(abs(try CalinskiHarabasz.score(x: Self.x, labels: Self.labels, k: 3) - 326.76608695652175) < 1e-3)
        #expect(abs(try DaviesBouldin.score(x: Self.x, labels: Self.labels, k: 3) - 0.12282261737709373) < 1e-6)
    }

    @Test func emptyClusterLabelsAreIgnoredByEveryScore() throws {
        // Same partition with labels 0, 2, 4 out of k = 5.
        let sparse = Self.labels.map { $0 * 2 }
        #expect(abs(try Silhouette.exact(x: Self.x, labels: sparse, k: 5) - 0.8898677485033657) < 1e-5)
        #expect(abs(try CalinskiHarabasz.score(x: Self.x, labels: sparse, k: 5) - 326.76608695652175) < 1e-3)
        #expect(abs(try DaviesBouldin.score(x: Self.x, labels: sparse, k: 5) - 0.12282261737709373) < 1e-6)
    }

    @Test func exactSilhouetteAgreesWithTheNaiveDoubleReferenceAcrossTiles() throws {
        // 1,300 points in 3-D: several row and column tiles, a singleton cluster, an empty one,
        // overlapping clusters (negative s(i) for some points), and an offset far from 0.
        var (x, labels) = ClusteringTestData.blobs(sizes: [600, 450, 249, 1], spreads: [2, 1.5, 3, 1], dim: 3, span: 2, seed: 9)
        for t in 0..<x.storage.count { x.storage[t] += 50 }
        let k = 5
        let fast = try Silhouette.exact(x: x, labels: labels, k: k)
        let naive = ClusteringTestData.naiveSilhouette(x, labels, k: k)
        #expect(abs(fast - naive) < 1e-4)
        let some = [0, 17, 640, 1299, 1000]
        let perPoint = try Silhouette.samples(x: x, labels: labels, k: k, indices: some)
        let naivePoints = ClusteringTestData.naiveSilhouetteSamples(x, labels, k: k)
        for (q, i) in some.enumerated() { #expect(abs(perPoint[q] - naivePoints[i]) < 1e-4) }
        let singleton = try #require(labels.firstIndex(of: 3))
        #expect(try Silhouette.samples(x: x, labels: labels, k: k, indices: [singleton]) == [0])
    }

    @Test func theSymmetricAllPairsPathAgreesWithThePerQueryPath() throws {
        // exact() credits each pair tile to both sides; samples() computes every query row on
        // its own. Both must give the same s(i).
        let (x, labels) = ClusteringTestData.blobs(sizes: [900, 400, 700], spreads: [1, 2, 1.5], dim: 6, span: 2, seed: 12)
        let exact = try Silhouette.exact(x: x, labels: labels, k: 3)
        let perQuery = try Silhouette.samples(x: x, labels: labels, k: 3, indices: Array(0..<x.rows))
        #expect(abs(exact - perQuery.reduce(0, +) / Double(x.rows)) < 1e-6) // Float partial sums in another order
    }

    @Test func sampledSilhouetteIsExactWithAFullSampleAndCloseWithAPartialOne() throws {
        let (x, labels) = ClusteringTestData.blobs(sizes: [2500, 1000, 300, 30], spreads: [1, 2, 1, 0.5], dim: 4, span: 4, seed: 10)
        let exact = try Silhouette.exact(x: x, labels: labels, k: 4)
        #expect(try Silhouette.sampled(x: x, labels: labels, k: 4, sampleSize: 10_000, seed: 1) == exact)
        let estimate = try Silhouette.sampled(x: x, labels: labels, k: 4, sampleSize: 800, seed: 1)
        #expect(abs(estimate - exact) < 0.02)
    }

    @Test func stratifiedSampleKeepsSmallClustersAndHonoursTheBudget() {
        var labels = [Int32](repeating: 0, count: 5000)
        for i in 0..<20 { labels[i * 7] = 1 }       // 20 points
        for i in 0..<300 { labels[i * 11 + 3] = 2 } // about 300 points (a few may overwrite cluster 1)
        let plan = Silhouette.stratifiedSample(labels: labels, k: 3, sampleSize: 500, seed: 2)
        var counts = [0, 0, 0]
        for l in labels { counts[Int(l)] += 1 }
        var taken = [0, 0, 0]
        for i in plan.indices { taken[Int(labels[i])] += 1 }
        #expect(taken[1] == counts[1]) // every point of the small cluster
        #expect(taken[2] >= 50)
        #expect(plan.indices.count == 500)
        #expect(Set(plan.indices).count == 500)
        for c in 0..<3 { #expect(abs(plan.weight[c] - Double(counts[c]) / Double(taken[c])) < 1e-12) }
    }

    @Test func aSingleNonEmptyClusterHasNoSilhouette() {
        let x = Matrix(rows: 4, cols: 1, values: [0, 1, 2, 3])
        #expect(throws: ClusteringError.invalidK(k: 1, points: 4)) { try Silhouette.exact(x: x, labels: [1, 1, 1, 1], k: 2) }
        #expect(throws: ClusteringError.labelOutOfRange(index: 2, label: 2, k: 2)) { try Silhouette.exact(x: x, labels: [0, 1, 2, 1], k: 2) }
    }
}
