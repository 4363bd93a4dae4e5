import Testing
@testable import CubeML

struct ClusteringKMeansTests {
    @Test func kMeansRecoversWellSeparatedBlobsOfUnequalSizes() throws {
        let (x, truth) = ClusteringTestData.blobs(sizes: [400, 150, 40, 900, 60], spreads: [0.5, 0.3, 0.8, 1.0, 0.4], dim: 4, seed: 1)
        let result = try KMeans.fit(x, k: 5, restarts: 3, iterations: 100, seed: 7)
        #expect(ClusteringMetrics.adjustedRandIndex(truth, result.labels) == 1)
        #expect(result.centroids.rows == 5 && result.centroids.cols == 4)
        #expect(result.iterations >= 1)
    }

    @Test func inertiaIsTheSumOfSquaredDistancesToTheAssignedCentroids() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [300, 300, 300], spreads: [2, 2, 2], dim: 3, span: 3, seed: 2)
        let r = try KMeans.fit(x, k: 4, restarts: 1, iterations: 30, seed: 1)
        var direct = 0.0
        for i in 0..<x.rows {
            for j in 0..<3 { let t = Double(x[i, j]) - Double(r.centroids[Int(r.labels[i]), j]); direct += t * t }
        }
        #expect(abs(direct - r.inertia) <= 1e-5 * direct)
    }

    @Test func labelsAreTheNearestCentroidsAndCentroidsTheMeansAtConvergence() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [500, 500, 500, 500], spreads: [3, 3, 3, 3], dim: 5, span: 4, seed: 3)
        let r = try KMeans.fit(x, k: 6, restarts: 1, iterations: 500, tolerance: 0, seed: 5)
        #expect(r.iterations < 500) // stopped because labels stopped changing
        // Nearest centroid, checked in Double against every centroid.
        for i in 0..<x.rows {
            var best = 0, bestD = Double.infinity
            for c in 0..<6 {
                var s = 0.0
                for j in 0..<5 { let t = Double(x[i, j]) - Double(r.centroids[c, j]); s += t * t }
                if s < bestD { bestD = s; best = c }
            }
            let own = Int(r.labels[i])
            var ownD = 0.0
            for j in 0..<5 { let t = Double(x[i, j]) - Double(r.centroids[own, j]); ownD += t * t }
            #expect(own == best || abs(ownD - bestD) < 1e-4 * max(1, bestD))
        }
        // Fixed point: each centroid is the mean of its points.
        for c in 0..<6 {
            let members = (0..<x.rows).filter { r.labels[$0] == Int32(c) }
            #expect(!members.isEmpty)
            for j in 0..<5 {
                let mean = members.reduce(0.0) { $0 + Double(x[$1, j]) } / Double(members.count)
                #expect(abs(mean - Double(r.centroids[c, j])) < 1e-4)
            }
        }
    }

    @Test func predictGivesTheFittedLabels() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [200, 200, 200], spreads: [1, 1, 1], dim: 2, seed: 4)
        let r = try KMeans.fit(x, k: 3, restarts: 2, iterations: 50, seed: 3)
        #expect(try KMeans.predict(x, centroids: r.centroids) == r.labels)
    }

    @Test func theSameSeedGivesTheSameResultAndRestartsNeverHurt() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [3000, 2000, 1000, 500, 9000], spreads: [2, 2, 2, 2, 2], dim: 6, span: 3, seed: 5)
        let a = try KMeans.fit(x, k: 5, restarts: 1, iterations: 20, seed: 42)
        let b = try KMeans.fit(x, k: 5, restarts: 1, iterations: 20, seed: 42)
        #expect(a == b)
        let best = try KMeans.fit(x, k: 5, restarts: 4, iterations: 20, seed: 42)
        #expect(best.inertia <= a.inertia) // restart 0 is the same run as `a`
    }

    @Test func anEmptiedClusterIsReseededFromTheFarthestPoint() throws {
        let (x, _) = ClusteringTestData.blobs(sizes: [100, 100], spreads: [1, 1], dim: 2, seed: 6)
        // The third initial centroid is far from everything: it gets no point in the first step.
        var initial = x.gatherRows([0, 1, 0])
        initial[2, 0] = 1e4; initial[2, 1] = 1e4
        let r = try KMeans.lloyd(x, initial: initial, iterations: 50)
        var counts = [0, 0, 0]
        for l in r.labels { counts[Int(l)] += 1 }
        #expect(counts.allSatisfy { $0 > 0 })
        #expect(r.centroids[2, 0] < 100)
    }

    @Test func kEqualToTheNumberOfDistinctPointsGivesZeroInertia() throws {
        let x = Matrix(rows: 6, cols: 2, values: [0, 0, 1, 0, 0, 1, 5, 5, 5, 6, 9, 9])
        let r = try KMeans.fit(x, k: 6, restarts: 1, iterations: 10, seed: 0)
        #expect(Set(r.labels).count == 6)
        #expect(r.inertia == 0)
    }

    @Test func textbookSeedingAlsoRecoversBlobs() throws {
        let (x, truth) = ClusteringTestData.blobs(sizes: [300, 300, 300], spreads: [0.5, 0.5, 0.5], dim: 3, seed: 8)
        let r = try KMeans.fit(x, k: 3, restarts: 3, iterations: 50, seed: 1, localTrials: 1)
        #expect(ClusteringMetrics.adjustedRandIndex(truth, r.labels) == 1)
    }

    @Test func impossibleArgumentsAreRejectedWithTheirValues() {
        let x = Matrix(rows: 3, cols: 2, values: [0, 0, 1, 1, 2, 2])
        #expect(throws: ClusteringError.invalidK(k: 4, points: 3)) { try KMeans.fit(x, k: 4) }
        #expect(throws: ClusteringError.invalidK(k: 0, points: 3)) { try KMeans.fit(x, k: 0) }
        #expect(throws: ClusteringError.emptyData(rows: 0, cols: 2)) { try KMeans.fit(Matrix(rows: 0, cols: 2), k: 1) }
        #expect(throws: ClusteringError.dimensionMismatch(expected: 3, found: 2)) {
            try KMeans.predict(x, centroids: Matrix(rows: 2, cols: 3))
        }
    }
}
