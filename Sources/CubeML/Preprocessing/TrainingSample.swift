/// Random subsamples of pixels for training.
public enum TrainingSample {
    /// Stream of `SeededGenerator` reserved for training subsamples.
    static let stream: UInt64 = 0x7375_6273_616D_706C  // "subsampl"

    /// `min(count, n)` distinct indices drawn uniformly without replacement from `0..<n`,
    /// sorted increasing. The same `(count, n, seed)` always gives the same indices.
    /// `count >= n` returns every index; `count <= 0` returns none.
    public static func indices(count: Int, of n: Int, seed: UInt64) -> [Int] {
        guard n > 0, count > 0 else { return [] }
        if count >= n { return Array(0..<n) }
        var rng = SeededGenerator(seed: seed, stream: stream)
        if count * 4 < n {
            // Sparse: Floyd's algorithm, O(count) memory.
            var chosen = Set<Int>(minimumCapacity: count)
            for j in (n - count)..<n {
                let t = rng.nextInt(below: j + 1)
                if !chosen.insert(t).inserted { chosen.insert(j) }
            }
            return chosen.sorted()
        }
        // Dense: partial Fisher-Yates over all indices.
        var all = Array(0..<n)
        all.withUnsafeMutableBufferPointer { a in
            for i in 0..<count {
                let j = i + rng.nextInt(below: n - i)
                a.swapAt(i, j)
            }
        }
        return Array(all[0..<count]).sorted()
    }
}
