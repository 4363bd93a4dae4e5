import CubeML
import Foundation

/// Poisson deviates: inversion by sequential search for small means, Hörmann's PTRS
/// (transformed rejection with squeeze, as in NumPy) for means >= 10. Both exact.
enum Poisson {
    static func sample(_ lambda: Double, using rng: inout SeededGenerator) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda < 10 { return inversion(lambda, using: &rng) }
        return ptrs(lambda, using: &rng)
    }

    /// Sequential search of the CDF; O(lambda) per draw.
    static func inversion(_ lambda: Double, using rng: inout SeededGenerator) -> Int {
        var p = exp(-lambda)
        var cdf = p
        let u = rng.nextDouble()
        var k = 0
        while u > cdf {
            k += 1
            p *= lambda / Double(k)
            cdf += p
            if p < 1e-300 && cdf < u { break }  // numerical tail: u is beyond what doubles resolve
        }
        return k
    }

    /// W. Hörmann, "The transformed rejection method for generating Poisson random
    /// variables", Insurance: Mathematics and Economics 12 (1993); constants as in NumPy.
    static func ptrs(_ lambda: Double, using rng: inout SeededGenerator) -> Int {
        let slam = lambda.squareRoot()
        let loglam = log(lambda)
        let b = 0.931 + 2.53 * slam
        let a = -0.059 + 0.02483 * b
        let invalpha = 1.1239 + 1.1328 / (b - 3.4)
        let vr = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = rng.nextDouble() - 0.5
            let v = rng.nextDouble()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + lambda + 0.43).rounded(.down)
            if us >= 0.07 && v <= vr { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(invalpha) - log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1) {
                return Int(k)
            }
        }
    }
}

/// Walker/Vose alias table: O(1) draws of an index with probability proportional to
/// `weights[i]`.
struct AliasTable: Sendable {
    let probability: [Float]
    let alias: [Int32]

    init(weights: [Double]) {
        let n = weights.count
        precondition(n > 0 && n < Int(Int32.max), "alias table size")
        let total = weights.reduce(0) { $0 + max(0, $1) }
        precondition(total > 0, "alias table of zero weights")
        var scaled = weights.map { max(0, $0) * Double(n) / total }
        var prob = [Float](repeating: 1, count: n)
        var alias = [Int32](repeating: 0, count: n)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.popLast() else { prob[s] = 1; alias[s] = Int32(s); continue }
            prob[s] = Float(scaled[s]); alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        for l in large { prob[l] = 1; alias[l] = Int32(l) }
        self.probability = prob
        self.alias = alias
    }

    var count: Int { probability.count }

    /// One index, from one 64-bit draw: the high 32 bits pick a column, the low 32 bits
    /// decide between it and its alias.
    @inline(__always)
    func sample(using rng: inout SeededGenerator) -> Int {
        let r = rng.next()
        let column = Int(((r >> 32) &* UInt64(probability.count)) >> 32)
        let u = Float(UInt32(truncatingIfNeeded: r) >> 8) * (1.0 / 16_777_216.0)
        return u < probability[column] ? column : Int(alias[column])
    }
}

/// A raw pointer shared by the row workers of `concurrentPerform`.
/// `@unchecked Sendable` is safe because each worker writes only its own rows and the
/// buffer outlives the `concurrentPerform` call.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// Runs `body` over image rows `0..<rows` split into contiguous chunks on all cores.
func forEachRowChunk(_ rows: Int, _ body: @Sendable (Range<Int>) -> Void) {
    let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let chunks = max(1, min(rows, workers * 4))
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        body((chunk * rows / chunks)..<((chunk + 1) * rows / chunks))
    }
}
