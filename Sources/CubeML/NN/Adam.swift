import Foundation

/// Adam (Kingma & Ba) over one flat parameter vector, step for step as PyTorch's
/// `torch.optim.Adam` (no weight decay, no AMSGrad):
///
///     m = m + (1 - beta1)(g - m)          (PyTorch's lerp)
///     v = beta2 v + (1 - beta2) g²
///     p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// Moments are Float32 like the parameters; the bias corrections are computed in double.
/// A parameter whose gradient stays exactly 0 from the start never moves (m = v = 0), as
/// PyTorch skips parameters without gradient.
struct Adam: Sendable {
    var learningRate: Double
    let beta1: Double
    let beta2: Double
    let epsilon: Double
    /// Number of updates done so far (t of the bias corrections).
    private(set) var steps: Int = 0
    private(set) var firstMoment: [Float]
    private(set) var secondMoment: [Float]

    init(parameterCount: Int, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
         epsilon: Double = 1e-8) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        firstMoment = [Float](repeating: 0, count: parameterCount)
        secondMoment = [Float](repeating: 0, count: parameterCount)
    }

    /// One update of `parameters` (count = the optimiser's parameter count) from `gradients`.
    mutating func update(_ parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>) {
        steps += 1
        let t = Double(steps)
        let bc1 = 1 - Foundation.pow(beta1, t)
        let bc2 = 1 - Foundation.pow(beta2, t)
        let stepSize = Float(learningRate / bc1)
        let invBC2Sqrt = Float(1 / bc2.squareRoot())
        let w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2), eps = Float(epsilon)
        let count = firstMoment.count
        firstMoment.withUnsafeMutableBufferPointer { mb in
            secondMoment.withUnsafeMutableBufferPointer { vb in
                let m = mb.baseAddress!, v = vb.baseAddress!
                // Memory bound (5 streams of floats): split over the cores.
                NNParallel.forChunks(count) { range in
                    Self.kernel(range, parameters, gradients, m, v, w1, b2, w2, stepSize, invBC2Sqrt, eps)
                }
            }
        }
    }

    /// The update over `range`. A separate function so that pointers and constants arrive
    /// as arguments (registers), not through a closure context the stores might alias,
    /// which keeps the loop vectorised.
    private static func kernel(_ range: Range<Int>, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                               _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                               _ w1: Float, _ b2: Float, _ w2: Float, _ stepSize: Float, _ invBC2Sqrt: Float, _ eps: Float) {
        for i in range {
            let gi = g[i]
            let mi = m[i] + w1 * (gi - m[i])
            let vi = b2 * v[i] + w2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= stepSize * mi / (vi.squareRoot() * invBC2Sqrt + eps)
        }
    }
}
