import Testing
@testable import CubeML

/// Reference values computed with scikit-learn 1.9.1 (scipy for the assignment):
/// ```python
/// from sklearn.metrics import adjusted_rand_score as ari, normalized_mutual_info_score as nmi
/// from sklearn.metrics.cluster import contingency_matrix
/// from scipy.optimize import linear_sum_assignment
/// def acc(t, p):
///     c = contingency_matrix(t, p); r, s = linear_sum_assignment(-c); return c[r, s].sum() / len(t)
/// t = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3]; p = [1, 1, 0, 0, 2, 2, 2, 2, 3, 3, 3, -1]
/// print(ari(t, p), nmi(t, p), acc(t, p))   # 0.1864406779661017 0.5928700851298151 0.5833333333333334
/// t2 = [5, 5, 7, 7, 7, 9, 9, 9, 9, 9]; p2 = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]
/// print(ari(t2, p2), nmi(t2, p2), acc(t2, p2))   # -0.1958041958041958 0.2550164756551804 0.3
/// ```
struct MetricsTests {
    static let t: [Int32] = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3]
    static let p: [Int32] = [1, 1, 0, 0, 2, 2, 2, 2, 3, 3, 3, -1]
    static let t2: [Int32] = [5, 5, 7, 7, 7, 9, 9, 9, 9, 9]
    static let p2: [Int32] = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]

    @Test func adjustedRandIndexMatchesScikitLearn() {
        #expect(abs(ClusteringMetrics.adjustedRandIndex(Self.t, Self.p) - 0.1864406779661017) < 1e-12)
        #expect(abs(ClusteringMetrics.adjustedRandIndex(Self.t2, Self.p2) - (-0.1958041958041958)) < 1e-12)
    }

    @Test func normalizedMutualInformationMatchesScikitLearn() {
        #expect(abs(ClusteringMetrics.normalizedMutualInformation(Self.t, Self.p) - 0.5928700851298151) < 1e-12)
        #expect(abs(ClusteringMetrics.normalizedMutualInformation(Self.t2, Self.p2) - 0.2550164756551804) < 1e-12)
    }

    @Test func matchedAccuracyMatchesScikitLearnAndScipy() {
        #expect(abs(ClusteringMetrics.matchedAccuracy(Self.t, Self.p) - 0.5833333333333334) < 1e-12)
        #expect(abs(ClusteringMetrics.matchedAccuracy(Self.t2, Self.p2) - 0.3) < 1e-12)
        // Rectangular the other way round (more classes than clusters) gives the same value.
        #expect(abs(ClusteringMetrics.matchedAccuracy(Self.p2, Self.t2) - 0.3) < 1e-12)
    }

    @Test func renamingClustersLeavesEveryScoreAtItsValue() {
        let renamed = Self.p.map { Int32(40 - 3 * Int($0)) }
        #expect(abs(ClusteringMetrics.adjustedRandIndex(Self.t, renamed) - ClusteringMetrics.adjustedRandIndex(Self.t, Self.p)) < 1e-12)
        #expect(abs(ClusteringMetrics.normalizedMutualInformation(Self.t, renamed) - ClusteringMetrics.normalizedMutualInformation(Self.t, Self.p)) < 1e-12)
        #expect(abs(ClusteringMetrics.matchedAccuracy(Self.t, renamed) - ClusteringMetrics.matchedAccuracy(Self.t, Self.p)) < 1e-12)
    }

    @Test func aPermutedCopyOfTheTruthScoresOne() {
        let permuted = Self.t.map { [Int32(3), 0, 2, 1][Int($0)] }
        #expect(ClusteringMetrics.adjustedRandIndex(Self.t, permuted) == 1)
        #expect(abs(ClusteringMetrics.normalizedMutualInformation(Self.t, permuted) - 1) < 1e-12)
        #expect(ClusteringMetrics.matchedAccuracy(Self.t, permuted) == 1)
    }

    @Test func scoresAreSymmetricInTheirArguments() {
        #expect(abs(ClusteringMetrics.adjustedRandIndex(Self.t, Self.p) - ClusteringMetrics.adjustedRandIndex(Self.p, Self.t)) < 1e-12)
        #expect(abs(ClusteringMetrics.normalizedMutualInformation(Self.t, Self.p) - ClusteringMetrics.normalizedMutualInformation(Self.p, Self.t)) < 1e-12)
    }

    @Test func independentLabellingsHaveAnAdjustedRandIndexNearZero() {
        var g = SeededGenerator(seed: 3)
        let a = (0..<5000).map { _ in Int32(g.nextInt(below: 4)) }
        let b = (0..<5000).map { _ in Int32(g.nextInt(below: 5)) }
        #expect(abs(ClusteringMetrics.adjustedRandIndex(a, b)) < 0.01)
        #expect(ClusteringMetrics.normalizedMutualInformation(a, b) < 0.01)
    }

    @Test func hungarianFindsTheOptimumOfEverySmallSquareProblem() {
        // Brute force over all permutations of 5 for random integer costs.
        var g = SeededGenerator(seed: 11)
        for _ in 0..<20 {
            let cost = (0..<25).map { _ in Double(g.nextInt(below: 20)) }
            let match = Hungarian.minimumCostAssignment(cost: cost, rows: 5, cols: 5)
            #expect(Set(match).count == 5)
            let found = (0..<5).reduce(0.0) { $0 + cost[$1 * 5 + match[$1]] }
            var best = Double.infinity
            func permute(_ used: [Bool], _ row: Int, _ acc: Double) {
                if row == 5 { best = min(best, acc); return }
                for c in 0..<5 where !used[c] { var u = used; u[c] = true; permute(u, row + 1, acc + cost[row * 5 + c]) }
            }
            permute([Bool](repeating: false, count: 5), 0, 0)
            #expect(found == best)
        }
    }

    @Test func hungarianLeavesExtraRowsUnmatchedInTallProblems() {
        // 3 rows, 2 columns: row 1 is the cheapest for both columns only once.
        let cost: [Double] = [5, 9,
                              1, 1,
                              9, 4]
        let match = Hungarian.minimumCostAssignment(cost: cost, rows: 3, cols: 2)
        #expect(match.filter { $0 >= 0 }.count == 2)
        let total = match.enumerated().reduce(0.0) { $1.element >= 0 ? $0 + cost[$1.offset * 2 + $1.element] : $0 }
        #expect(total == 5) // row 1 -> col 0 (1) + row 2 -> col 1 (4)
    }
}
