import Testing
@testable import CubeML

struct ClusteringSpatialTests {
    /// A 40 x 40 map: left half class 0, right half class 1, a background stripe (row 0) of -1;
    /// embeddings near centroid (0, 0) or (1, 0) with Gaussian noise, and 8% salt pixels whose
    /// embedding sits near the other class's centroid. Labels are the nearest centroids.
    static func noisyMap(seed: UInt64) -> (truth: [Int32], labels: [Int32], embeddings: Matrix, centroids: Matrix) {
        let h = 40, w = 40
        var g = SeededGenerator(seed: seed)
        let centroids = Matrix(rows: 2, cols: 2, values: [0, 0, 1, 0])
        var truth = [Int32](repeating: 0, count: h * w)
        var labels = truth
        var z = Matrix(rows: h * w, cols: 2)
        for p in 0..<(h * w) {
            let y = p / w, x = p % w
            if y == 0 { truth[p] = -1; labels[p] = -1; continue }
            truth[p] = x < w / 2 ? 0 : 1
            let salt = g.nextDouble() < 0.08
            let source = salt ? 1 - Int(truth[p]) : Int(truth[p])
            for j in 0..<2 { z[p, j] = centroids[source, j] + Float(0.25 * g.nextGaussian()) }
            let d0 = z[p, 0] * z[p, 0] + z[p, 1] * z[p, 1]
            let d1 = (z[p, 0] - 1) * (z[p, 0] - 1) + z[p, 1] * z[p, 1]
            labels[p] = d0 <= d1 ? 0 : 1
        }
        return (truth, labels, z, centroids)
    }

    static func errors(_ a: [Int32], _ truth: [Int32]) -> Int { zip(a, truth).filter { $0 != $1 }.count }

    @Test func pottsRegularisationCleansSaltNoise() throws {
        let m = Self.noisyMap(seed: 1)
        let before = Self.errors(m.labels, m.truth)
        #expect(before > 80)
        let after = try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, embeddings: m.embeddings,
                                               centroids: m.centroids, beta: 10, iterations: 5)
        // A salt pixel at the wrong centroid costs about 1 / sigma^2 >= 16 to flip (more with
        // noise); 4 disagreeing neighbours x 10 outweigh most of them. Measured: 163 -> 16 at
        // beta 8, 3 at beta 12, 0 at beta 20 (the straight boundary does not move).
        #expect(Self.errors(after, m.truth) * 5 < before)
        let eight = try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, embeddings: m.embeddings,
                                               centroids: m.centroids, beta: 5, iterations: 5, neighbourhood: .eight)
        #expect(Self.errors(eight, m.truth) * 5 < before)
    }

    @Test func betaZeroLeavesTheLabelsUnchanged() throws {
        let m = Self.noisyMap(seed: 2)
        #expect(try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, embeddings: m.embeddings,
                                           centroids: m.centroids, beta: 0, iterations: 5) == m.labels)
    }

    @Test func aSmallBetaOnlyFlipsPixelsWithWeakEvidence() throws {
        // With a tiny beta the data term dominates: almost nothing moves.
        let m = Self.noisyMap(seed: 3)
        let after = try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, embeddings: m.embeddings,
                                               centroids: m.centroids, beta: 0.01, iterations: 5)
        #expect(Self.errors(after, m.labels) < 10)
    }

    @Test func backgroundStaysBackgroundAndSignalOnlyEmbeddingsWork() throws {
        let m = Self.noisyMap(seed: 4)
        let signal = m.labels.indices.filter { m.labels[$0] >= 0 }
        let full = try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, embeddings: m.embeddings,
                                              centroids: m.centroids, beta: 10, iterations: 5)
        let compact = try SpatialRegularizer.icm(labels: m.labels, height: 40, width: 40, embeddings: m.embeddings.gatherRows(signal),
                                                 centroids: m.centroids, beta: 10, iterations: 5)
        #expect(full == compact)
        for p in 0..<40 { #expect(full[p] == -1) }
        #expect(full.allSatisfy { $0 >= -1 && $0 < 2 })
    }

    @Test func backgroundDoesNotVote() throws {
        // One pixel of class 1 (evidence slightly favouring 1) surrounded by background: no
        // neighbour votes, so the data term alone decides and it stays 1.
        let labels: [Int32] = [-1, -1, -1, -1, 1, -1, -1, -1, -1, 0]
        let z = Matrix(rows: 2, cols: 1, values: [0.6, 0])
        let c = Matrix(rows: 2, cols: 1, values: [0, 1])
        let out = try SpatialRegularizer.icm(labels: labels, height: 1, width: 10, embeddings: z, centroids: c, beta: 50, iterations: 3)
        #expect(out == labels)
    }

    @Test func inconsistentShapesAreRejected() {
        let c = Matrix(rows: 2, cols: 1, values: [0, 1])
        #expect(throws: ClusteringError.shapeMismatch(height: 2, width: 2, labels: 3)) {
            try SpatialRegularizer.icm(labels: [0, 1, 0], height: 2, width: 2, embeddings: Matrix(rows: 3, cols: 1), centroids: c, beta: 1, iterations: 1)
        }
        #expect(throws: ClusteringError.labelOutOfRange(index: 1, label: 2, k: 2)) {
            try SpatialRegularizer.icm(labels: [0, 2], height: 1, width: 2, embeddings: Matrix(rows: 2, cols: 1), centroids: c, beta: 1, iterations: 1)
        }
    }
}
