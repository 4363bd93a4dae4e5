/// Numbers the clusters of successive K so that a region keeps its number, and so its
/// colour, from one K to the next, and records where each cluster came from (the split tree).
///
/// From the anchor K upwards, each K's clusters are matched to the previous K's by the
/// Hungarian algorithm on their shared pixels: a matched cluster takes the number of the
/// previous cluster it matches, the clusters left over (K - K_prev of them) take the numbers
/// K_prev, K_prev + 1, ... in decreasing size. A cluster's parent is the previous K's cluster
/// it shares most pixels with. Ks below the anchor keep their numbers and have no parent.
public enum ConsistentLabels {
    /// The renumbering of every K: `permutation[k][old] = new` and
    /// `parents[k][new]` = the parent's number at the previous K (nil at the anchor and below).
    public struct Renumbering: Sendable, Equatable {
        public var permutation: [Int: [Int]]
        public var parents: [Int: [Int?]]
    }

    /// - Parameters:
    ///   - labelsByK: for each K, one label in 0..<K per point (the same points for every K).
    ///   - anchor: the K whose numbers stay (nil: the smallest K).
    public static func renumbering(_ labelsByK: [Int: [Int32]], anchor: Int? = nil) -> Renumbering {
        let ks = labelsByK.keys.sorted()
        var permutation: [Int: [Int]] = [:]
        var parents: [Int: [Int?]] = [:]
        guard let first = ks.first else { return Renumbering(permutation: [:], parents: [:]) }
        let anchorK = anchor.flatMap { labelsByK[$0] == nil ? nil : $0 } ?? first
        for k in ks where k <= anchorK {
            permutation[k] = Array(0..<k)
            parents[k] = [Int?](repeating: nil, count: k)
        }
        var previousK = anchorK
        var previous = labelsByK[anchorK]!
        for k in ks where k > anchorK {
            let labels = labelsByK[k]!
            // shared[a * k + b]: points in previous cluster a (renumbered) and this K's cluster b.
            var shared = [Int](repeating: 0, count: previousK * k)
            var sizes = [Int](repeating: 0, count: k)
            for (a, b) in zip(previous, labels) where a >= 0 && b >= 0 && Int(a) < previousK && Int(b) < k {
                shared[Int(a) * k + Int(b)] += 1
                sizes[Int(b)] += 1
            }
            // Rows: previous clusters (fewer or as many), columns: this K's; minimise -shared.
            let match = Hungarian.minimumCostAssignment(cost: shared.map { -Double($0) }, rows: previousK, cols: k)
            var map = [Int](repeating: -1, count: k)
            for (a, b) in match.enumerated() where b >= 0 { map[b] = a }
            var next = previousK
            for b in (0..<k).filter({ map[$0] < 0 }).sorted(by: { (sizes[$0], -$0) > (sizes[$1], -$1) }) {
                map[b] = next; next += 1
            }
            var parent = [Int?](repeating: nil, count: k)
            for b in 0..<k {
                var best = 0
                for a in 0..<previousK where shared[a * k + b] > shared[best * k + b] { best = a }
                parent[map[b]] = previousK > 0 ? best : nil
            }
            permutation[k] = map
            parents[k] = parent
            previous = labels.map { $0 >= 0 && Int($0) < k ? Int32(map[Int($0)]) : $0 }
            previousK = k
        }
        return Renumbering(permutation: permutation, parents: parents)
    }

    /// `labels` with each value `l >= 0` replaced by `permutation[l]`; negatives stay.
    public static func apply(_ permutation: [Int], to labels: [Int32]) -> [Int32] {
        labels.map { $0 >= 0 && Int($0) < permutation.count ? Int32(permutation[Int($0)]) : $0 }
    }

    /// The rows of `centroids` (K x L) reordered so that row `permutation[old]` is old row `old`.
    public static func apply(_ permutation: [Int], toRows centroids: Matrix) -> Matrix {
        var out = Matrix(rows: centroids.rows, cols: centroids.cols)
        let l = centroids.cols
        for (old, new) in permutation.enumerated() where old < centroids.rows && new < centroids.rows {
            for j in 0..<l { out.storage[new * l + j] = centroids.storage[old * l + j] }
        }
        return out
    }
}
