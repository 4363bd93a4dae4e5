/// A fully connected layer `y = x Wᵀ + b` over a batch, like PyTorch's `nn.Linear`.
///
/// Layout: activations are row major (rows x features); the weight W is stored row major as
/// (outputs x inputs) at `weightOffset` of a flat parameter vector, the bias (length
/// `outputs`) at `biasOffset` when the layer has one. Gradients live at the same offsets of
/// a gradient vector of the same length. Every product goes through `BLAS.gemm`.
struct Dense: Sendable, Equatable {
    let inputs: Int
    let outputs: Int
    let weightOffset: Int
    /// Offset of the bias, nil for a layer without bias.
    let biasOffset: Int?

    var weightCount: Int { inputs * outputs }
    var parameterCount: Int { weightCount + (biasOffset == nil ? 0 : outputs) }

    /// `y (rows x outputs) = x (rows x inputs) Wᵀ + b`.
    func forward(_ x: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
                 into y: UnsafeMutablePointer<Float>) {
        if let bo = biasOffset {
            // Broadcast the bias into y, then accumulate the product on top (beta = 1).
            let b = parameters + bo
            for r in 0..<rows { (y + r * outputs).update(from: b, count: outputs) }
        }
        BLAS.gemm(transA: false, transB: true, m: rows, n: outputs, k: inputs,
                  a: x, lda: inputs, b: parameters + weightOffset, ldb: inputs,
                  beta: biasOffset == nil ? 0 : 1, c: y, ldc: outputs)
    }

    /// Given `dy = dLoss/dy` (rows x outputs) and the forward input `x` (rows x inputs):
    /// writes `dW = dyᵀ x` (outputs x inputs) and `db = Σ_rows dy` into `gradients` (they are
    /// overwritten, not accumulated), and, when `dx` is given, `dx = dy W` (rows x inputs),
    /// overwritten or added to `dx` (`accumulate`).
    func backward(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, rows: Int,
                  parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                  inputGradient dx: UnsafeMutablePointer<Float>?, accumulate: Bool = false) {
        BLAS.gemm(transA: true, transB: false, m: outputs, n: inputs, k: rows,
                  a: dy, lda: outputs, b: x, ldb: inputs, beta: 0,
                  c: gradients + weightOffset, ldc: inputs)
        if let bo = biasOffset {
            let db = gradients + bo
            db.update(repeating: 0, count: outputs)
            for r in 0..<rows {
                let row = dy + r * outputs
                for j in 0..<outputs { db[j] += row[j] }
            }
        }
        if let dx {
            BLAS.gemm(transA: false, transB: false, m: rows, n: inputs, k: outputs,
                      a: dy, lda: outputs, b: parameters + weightOffset, ldb: inputs,
                      beta: accumulate ? 1 : 0, c: dx, ldc: inputs)
        }
    }
}
