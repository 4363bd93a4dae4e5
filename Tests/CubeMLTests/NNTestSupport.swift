@testable import CubeML

/// Helpers shared by the NN and training tests.
enum NNTestSupport {
    /// `count` values uniform in [lo, hi) from `seed`.
    static func uniform(_ count: Int, _ lo: Float, _ hi: Float, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed, stream: 99)
        return (0..<count).map { _ in lo + (hi - lo) * g.nextFloat() }
    }

    /// Values uniform in ±[gap, hi): away from 0, where SELU's and ReLU's derivatives jump.
    static func awayFromZero(_ count: Int, gap: Float, hi: Float, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed, stream: 98)
        return (0..<count).map { _ in
            let m = gap + (hi - gap) * g.nextFloat()
            return g.next() & 1 == 0 ? m : -m
        }
    }

    /// Central differences of `loss` at `x`: (loss(x + h e_i) - loss(x - h e_i)) / 2h for every i.
    static func numericGradient(at x: [Float], h: Float, _ loss: ([Float]) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        var probe = x
        for i in 0..<x.count {
            probe[i] = x[i] + h
            let up = loss(probe)
            probe[i] = x[i] - h
            let down = loss(probe)
            probe[i] = x[i]
            out[i] = (up - down) / (2 * Double(h))
        }
        return out
    }

    /// The largest violation of |a - n| <= atol + rtol |n| (<= 0 means every element passes).
    static func worstExcess(analytic a: [Float], numeric n: [Double], atol: Double, rtol: Double) -> Double {
        precondition(a.count == n.count)
        var worst = -Double.infinity
        for i in 0..<a.count { worst = max(worst, abs(Double(a[i]) - n[i]) - (atol + rtol * abs(n[i]))) }
        return worst
    }

    /// Σ w_i y_i in double: a scalar loss whose gradient with respect to y is w.
    static func weightedSum(_ y: [Float], _ w: [Float]) -> Double {
        var s = 0.0
        for i in 0..<y.count { s += Double(y[i]) * Double(w[i]) }
        return s
    }
}
