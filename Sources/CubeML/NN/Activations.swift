import Foundation

/// Pointwise activations, in place on a buffer of `count` floats, each with its backward.
///
/// Backward passes use what the forward kept: `Tanh`, `Sigmoid` and `ReLU` need only the
/// forward output `y`; `SELU` writes its derivative at the pre-activation into a buffer
/// during the forward pass (so the backward is one multiply, and no `exp` is recomputed).
enum SELU {
    /// Klambauer et al.'s constants (as in PyTorch's `nn.SELU`).
    static let lambda: Float = 1.050_700_987_355_480_5
    static let alpha: Float = 1.673_263_242_354_377_3

    /// `v = selu(v)` in place; when `derivative` is given, `derivative[i] = selu'(v_in[i])`
    /// (lambda for x > 0, lambda alpha e^x otherwise).
    static func forward(_ v: UnsafeMutablePointer<Float>, derivative: UnsafeMutablePointer<Float>?, count: Int) {
        if let d = derivative {
            NNParallel.forChunks(count) { range in forwardKernel(range, v, d) }
        } else {
            NNParallel.forChunks(count) { range in forwardKernel(range, v) }
        }
    }

    /// SELU over `range` (pointers as arguments, not closure captures: keeps it vectorised).
    private static func forwardKernel(_ range: Range<Int>, _ v: UnsafeMutablePointer<Float>, _ d: UnsafeMutablePointer<Float>) {
        let l = lambda, la = lambda * alpha
        for i in range {
            let x = v[i]
            let e = NNMath.exp(min(x, 0))
            v[i] = x > 0 ? l * x : la * (e - 1)
            d[i] = x > 0 ? l : la * e
        }
    }

    private static func forwardKernel(_ range: Range<Int>, _ v: UnsafeMutablePointer<Float>) {
        let l = lambda, la = lambda * alpha
        for i in range {
            let x = v[i]
            let e = NNMath.exp(min(x, 0))
            v[i] = x > 0 ? l * x : la * (e - 1)
        }
    }

    /// `dy *= derivative` in place (dLoss/dx from dLoss/dy).
    static func backward(_ dy: UnsafeMutablePointer<Float>, derivative: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] *= derivative[i] }
    }
}

enum Tanh {
    /// `v = tanh(v)` in place.
    static func forward(_ v: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { v[i] = Foundation.tanh(v[i]) }
    }
    /// `dy *= 1 - y²` with `y` the forward output.
    static func backward(_ dy: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] *= 1 - y[i] * y[i] }
    }
}

enum Sigmoid {
    /// `v = 1 / (1 + e^-v)` in place.
    static func forward(_ v: UnsafeMutablePointer<Float>, count: Int) {
        NNParallel.forChunks(count) { range in kernel(range, v) }
    }

    private static func kernel(_ range: Range<Int>, _ v: UnsafeMutablePointer<Float>) {
        for i in range { v[i] = 1 / (1 + NNMath.exp(-v[i])) }
    }
    /// `dy *= y (1 - y)` with `y` the forward output.
    static func backward(_ dy: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] *= y[i] * (1 - y[i]) }
    }
}

enum ReLU {
    /// `v = max(v, 0)` in place.
    static func forward(_ v: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { v[i] = max(v[i], 0) }
    }
    /// `dy *= (y > 0)` with `y` the forward output.
    static func backward(_ dy: UnsafeMutablePointer<Float>, output y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] = y[i] > 0 ? dy[i] : 0 }
    }
}
