/// Alpha dropout with PyTorch's exact semantics (`nn.AlphaDropout`, ATen `_dropout_impl`):
/// in training, each element is kept with probability 1 - p; with alpha' = -lambda alpha
/// (SELU's negative saturation value) and
///     a = ((1 - p)(1 + p alpha'²))^(-1/2),   b = -a alpha' p,
/// a kept x becomes `a x + b` and a dropped one `a alpha' + b`, which keeps zero mean and
/// unit variance for SELU-normalised inputs. In evaluation it is the identity.
struct AlphaDropout: Sendable, Equatable {
    /// Drop probability, 0 <= p < 1.
    let p: Double
    /// Scale and shift of the kept values.
    let a: Float
    let b: Float
    /// The value a dropped element takes, `a alpha' + b`.
    let droppedValue: Float

    /// alpha' = -lambda alpha = -1.7580993408473766 (double precision, as PyTorch).
    static let alphaPrime: Double = -1.758_099_340_847_376_6

    init(p: Double) {
        precondition(p >= 0 && p < 1, "alpha dropout probability \(p) outside [0, 1)")
        self.p = p
        let ap = Self.alphaPrime
        let a = 1 / ((1 - p) * (1 + p * ap * ap)).squareRoot()
        self.a = Float(a)
        self.b = Float(-a * ap * p)
        self.droppedValue = Float(a * ap + -a * ap * p)
    }

    /// Training forward in place on `count` floats: draws the keep mask from `generator`,
    /// writes `mask[i] = a` (kept) or 0 (dropped), which is dy/dx, for the backward pass.
    func forwardTraining(_ v: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, count: Int,
                         generator: inout SeededGenerator) {
        NNMath.fillKeepMask(mask, count: count, dropProbability: p, generator: &generator)
        let a = self.a, b = self.b, dropped = droppedValue
        for i in 0..<count {
            let keep = mask[i] != 0
            v[i] = keep ? a * v[i] + b : dropped
            mask[i] = keep ? a : 0
        }
    }

    /// `dy *= mask` in place.
    static func backward(_ dy: UnsafeMutablePointer<Float>, mask: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dy[i] *= mask[i] }
    }
}

extension SELU {
    /// SELU then alpha dropout (training mode) fused in one pass over `count` floats:
    /// `v` goes from pre-activation to the dropout's output, and `derivative[i]` receives
    /// d(output)/d(pre-activation) = keep ? a selu'(x) : 0, so the backward pass is
    /// `SELU.backward(dy, derivative:)`. With `dropout` nil this is `SELU.forward`.
    static func forwardTraining(_ v: UnsafeMutablePointer<Float>, derivative: UnsafeMutablePointer<Float>, count: Int,
                                dropout: AlphaDropout?, generator: inout SeededGenerator) {
        guard let dropout, dropout.p > 0 else {
            forward(v, derivative: derivative, count: count)
            return
        }
        NNMath.fillKeepMask(derivative, count: count, dropProbability: dropout.p, generator: &generator)
        let a = dropout.a, b = dropout.b, dropped = dropout.droppedValue
        NNParallel.forChunks(count) { range in
            droppedKernel(range, v, derivative, a, b, dropped)
        }
    }

    /// The fused pass over `range`, `derivative` holding the keep mask (1/0) on entry.
    /// Arguments, not closure captures, so the loop stays vectorised.
    private static func droppedKernel(_ range: Range<Int>, _ v: UnsafeMutablePointer<Float>,
                                      _ derivative: UnsafeMutablePointer<Float>, _ a: Float, _ b: Float, _ dropped: Float) {
        let l = lambda, la = lambda * alpha
        for i in range {
            let x = v[i]
            let e = NNMath.exp(min(x, 0))
            let s = x > 0 ? l * x : la * (e - 1)
            let d = x > 0 ? l : la * e
            let keep = derivative[i] != 0
            v[i] = keep ? a * s + b : dropped
            derivative[i] = keep ? a * d : 0
        }
    }
}
