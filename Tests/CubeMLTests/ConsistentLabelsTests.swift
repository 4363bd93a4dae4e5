import Testing
@testable import CubeML

@Suite struct ConsistentLabelsTests {
    @Test("a region keeps its number from K to K + 1 and the new cluster gets number K with its parent")
    func splitKeepsNumbers() {
        // K = 2: left half 0, right half 1. K = 3 numbers them arbitrarily: right half 0,
        // the left half split into 2 (top) and 1 (bottom).
        let k2: [Int32] = [0, 0, 1, 1, 0, 0, 1, 1]
        let k3: [Int32] = [2, 2, 0, 0, 1, 1, 0, 0]
        let r = ConsistentLabels.renumbering([2: k2, 3: k3])
        #expect(r.permutation[2] == [0, 1])
        let relabelled = ConsistentLabels.apply(r.permutation[3]!, to: k3)
        // The right half keeps 1; the bigger-overlap left part keeps 0 and the other is new: 2.
        #expect(relabelled.enumerated().allSatisfy { i, l in [2, 3, 6, 7].contains(i) ? l == 1 : l != 1 })
        #expect(Set(relabelled) == [0, 1, 2])
        #expect(r.parents[2] == [nil, nil])
        #expect(r.parents[3] == [0, 1, 0])
    }

    @Test("renumbering follows a chain of K and leaves background alone")
    func chain() {
        let k2: [Int32] = [-1, 0, 0, 0, 1, 1, 1, 1]
        let k3: [Int32] = [-1, 1, 1, 1, 0, 0, 0, 2]
        let k4: [Int32] = [-1, 3, 0, 0, 2, 2, 2, 1]
        let r = ConsistentLabels.renumbering([2: k2, 3: k3, 4: k4])
        let m3 = ConsistentLabels.apply(r.permutation[3]!, to: k3)
        let m4 = ConsistentLabels.apply(r.permutation[4]!, to: k4)
        #expect(m3 == [-1, 0, 0, 0, 1, 1, 1, 2])
        #expect(m4 == [-1, 3, 0, 0, 1, 1, 1, 2])
        #expect(r.parents[4] == [0, 1, 2, 0])
    }

    @Test("an anchor K keeps its numbers and the Ks below it are left as they are")
    func anchor() {
        let k2: [Int32] = [1, 1, 0, 0, 0]
        let k3: [Int32] = [2, 1, 0, 0, 0]
        let k4: [Int32] = [3, 1, 0, 0, 2]
        let r = ConsistentLabels.renumbering([2: k2, 3: k3, 4: k4], anchor: 3)
        #expect(r.permutation[2] == [0, 1] && r.permutation[3] == [0, 1, 2])
        #expect(ConsistentLabels.apply(r.permutation[4]!, to: k4) == [2, 1, 0, 0, 3])
    }

    @Test("centroid rows move with their labels")
    func centroids() {
        let c = Matrix(rows: 3, cols: 2, values: [0, 0, 1, 1, 2, 2])
        let moved = ConsistentLabels.apply([2, 0, 1], toRows: c)
        #expect(moved.storage == [1, 1, 2, 2, 0, 0])
    }
}
