import Foundation
import Testing
@testable import CubeML

/// Every layer's backward pass against central finite differences of L = Σ w ⊙ layer(x),
/// with w a fixed random upstream gradient. Tolerances: |analytic - numeric| <= atol + rtol |numeric|.
@Suite("NN layers")
struct NNLayerTests {
    typealias S = NNTestSupport

    @Test("Dense forward equals x Wᵀ + b computed by hand")
    func denseForwardMatchesHandComputation() {
        let d = Dense(inputs: 3, outputs: 2, weightOffset: 0, biasOffset: 6)
        let params: [Float] = [1, 2, 3, 4, 5, 6, 0.5, -1]  // W = [[1,2,3],[4,5,6]], b = [0.5, -1]
        let x: [Float] = [1, 0, -1, 2, 1, 0]               // two rows
        var y = [Float](repeating: 0, count: 4)
        d.forward(x, rows: 2, parameters: params, into: &y)
        let expected: [Float] = [-1.5, -3, 4.5, 12]  // rows of x Wᵀ + b
        #expect(y == expected)
    }

    @Test("Dense backward gives weight, bias and input gradients matching finite differences", arguments: [true, false])
    func denseBackwardMatchesFiniteDifferences(bias: Bool) {
        let rows = 4, inputs = 5, outputs = 3
        let d = Dense(inputs: inputs, outputs: outputs, weightOffset: 0, biasOffset: bias ? inputs * outputs : nil)
        let params = S.uniform(d.parameterCount, -1, 1, seed: 1)
        let x = S.uniform(rows * inputs, -1, 1, seed: 2)
        let w = S.uniform(rows * outputs, -1, 1, seed: 3)
        func forward(_ x: [Float], _ p: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: rows * outputs)
            d.forward(x, rows: rows, parameters: p, into: &y)
            return y
        }
        var grads = [Float](repeating: 0, count: d.parameterCount)
        var dx = [Float](repeating: 0, count: rows * inputs)
        d.backward(input: x, outputGradient: w, rows: rows, parameters: params, gradients: &grads, inputGradient: &dx)
        let numericX = S.numericGradient(at: x, h: 1e-2) { S.weightedSum(forward($0, params), w) }
        let numericP = S.numericGradient(at: params, h: 1e-2) { S.weightedSum(forward(x, $0), w) }
        #expect(S.worstExcess(analytic: dx, numeric: numericX, atol: 1e-4, rtol: 1e-3) <= 0)
        #expect(S.worstExcess(analytic: grads, numeric: numericP, atol: 1e-4, rtol: 1e-3) <= 0)
    }

    @Test("Dense backward accumulates the input gradient when asked")
    func denseBackwardAccumulates() {
        let d = Dense(inputs: 2, outputs: 2, weightOffset: 0, biasOffset: nil)
        let params: [Float] = [1, 0, 0, 1]
        var grads = [Float](repeating: 0, count: 4)
        var dx: [Float] = [10, 20]
        d.backward(input: [1, 1], outputGradient: [1, 2], rows: 1, parameters: params, gradients: &grads,
                   inputGradient: &dx, accumulate: true)
        #expect(dx == [11, 22])
        #expect(grads == [1, 1, 2, 2])
    }

    @Test("SELU matches its definition and its backward matches finite differences")
    func seluForwardAndBackward() {
        let x = S.awayFromZero(40, gap: 0.05, hi: 3, seed: 4)
        let w = S.uniform(40, -1, 1, seed: 5)
        func forward(_ x: [Float]) -> [Float] {
            var v = x
            SELU.forward(&v, derivative: nil, count: v.count)
            return v
        }
        let y = forward(x)
        for (xi, yi) in zip(x, y) {
            let expected = xi > 0 ? 1.0507009873554805 * Double(xi) : 1.0507009873554805 * 1.6732632423543772 * (Foundation.exp(Double(xi)) - 1)
            #expect(abs(Double(yi) - expected) <= 1e-6 * max(1, abs(expected)))
        }
        var v = x
        var der = [Float](repeating: 0, count: x.count)
        SELU.forward(&v, derivative: &der, count: x.count)
        var dy = w
        SELU.backward(&dy, derivative: der, count: dy.count)
        let numeric = S.numericGradient(at: x, h: 1e-3) { S.weightedSum(forward($0), w) }
        #expect(S.worstExcess(analytic: dy, numeric: numeric, atol: 1e-3, rtol: 1e-3) <= 0)
    }

    @Test("tanh, sigmoid and ReLU backward passes match finite differences")
    func pointwiseBackwardMatchesFiniteDifferences() {
        let x = S.awayFromZero(30, gap: 0.05, hi: 3, seed: 6)
        let w = S.uniform(30, -1, 1, seed: 7)
        let layers: [(String, (inout [Float]) -> Void, (inout [Float], [Float]) -> Void)] = [
            ("tanh", { Tanh.forward(&$0, count: $0.count) }, { Tanh.backward(&$0, output: $1, count: $0.count) }),
            ("sigmoid", { Sigmoid.forward(&$0, count: $0.count) }, { Sigmoid.backward(&$0, output: $1, count: $0.count) }),
            ("relu", { ReLU.forward(&$0, count: $0.count) }, { ReLU.backward(&$0, output: $1, count: $0.count) }),
        ]
        for (name, forward, backward) in layers {
            var y = x
            forward(&y)
            var dy = w
            backward(&dy, y)
            let numeric = S.numericGradient(at: x, h: 1e-3) { v in var t = v; forward(&t); return S.weightedSum(t, w) }
            let excess = S.worstExcess(analytic: dy, numeric: numeric, atol: 1e-3, rtol: 1e-3)
            #expect(excess <= 0, "\(name): worst excess \(excess)")
        }
        var s: [Float] = [0, 2, -2]
        Sigmoid.forward(&s, count: 3)
        #expect(abs(s[0] - 0.5) < 1e-7 && abs(s[1] - Float(1 / (1 + Foundation.exp(-2.0)))) < 1e-6 && abs(s[1] + s[2] - 1) < 1e-6)
    }

    @Test("the vectorisable exp is within 2e-7 relative error of libm over [-87, 88]")
    func fastExpIsAccurate() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let exact = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(NNMath.exp(x)) - exact) / exact)
            x += 0.0137
        }
        #expect(worst < 2e-7)
        #expect(NNMath.exp(-1000) >= 0 && NNMath.exp(-1000) < 1e-37)
        #expect(NNMath.exp(0) == 1)
    }

    @Test("alpha dropout has PyTorch's constants and keeps zero mean and unit variance")
    func alphaDropoutMatchesPyTorchSemantics() {
        let p = 0.1
        let d = AlphaDropout(p: p)
        let alphaPrime = -1.0507009873554805 * 1.6732632423543772
        let a = 1 / ((1 - p) * (1 + p * alphaPrime * alphaPrime)).squareRoot()
        #expect(abs(Double(d.a) - a) < 1e-7)
        #expect(abs(Double(d.b) - (-a * alphaPrime * p)) < 1e-7)
        #expect(abs(Double(d.droppedValue) - (a * alphaPrime - a * alphaPrime * p)) < 1e-6)

        let n = 200_000
        var g = SeededGenerator(seed: 11, stream: 0)
        let x = (0..<n).map { _ in Float(g.nextGaussian()) }
        var v = x
        var mask = [Float](repeating: 0, count: n)
        var rng = SeededGenerator(seed: 12, stream: 0)
        d.forwardTraining(&v, mask: &mask, count: n, generator: &rng)
        var kept = 0
        var sum = 0.0, sumSq = 0.0
        for i in 0..<n {
            if mask[i] != 0 {
                kept += 1
                #expect(mask[i] == d.a)
                if abs(v[i] - (d.a * x[i] + d.b)) > 1e-6 { Issue.record("kept value \(v[i]) != a x + b"); break }
            } else if v[i] != d.droppedValue { Issue.record("dropped value \(v[i])"); break }
            sum += Double(v[i]); sumSq += Double(v[i]) * Double(v[i])
        }
        let mean = sum / Double(n), variance = sumSq / Double(n) - mean * mean
        #expect(abs(Double(kept) / Double(n) - (1 - p)) < 0.005)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 1) < 0.02)
    }

    @Test("fused SELU + alpha dropout equals SELU then dropout, and its backward matches finite differences")
    func fusedSeluDropoutMatchesComposition() {
        let n = 64
        let d = AlphaDropout(p: 0.25)
        let x = S.awayFromZero(n, gap: 0.05, hi: 2, seed: 13)
        let w = S.uniform(n, -1, 1, seed: 14)
        func fused(_ x: [Float]) -> (y: [Float], der: [Float]) {
            var v = x, der = [Float](repeating: 0, count: n)
            var rng = SeededGenerator(seed: 15, stream: 0)
            SELU.forwardTraining(&v, derivative: &der, count: n, dropout: d, generator: &rng)
            return (v, der)
        }
        var composed = x
        SELU.forward(&composed, derivative: nil, count: n)
        var mask = [Float](repeating: 0, count: n)
        var rng = SeededGenerator(seed: 15, stream: 0)
        d.forwardTraining(&composed, mask: &mask, count: n, generator: &rng)
        let (y, der) = fused(x)
        for i in 0..<n { #expect(abs(y[i] - composed[i]) <= 1e-6) }
        #expect(mask.contains(0) && mask.contains(d.a))
        var dy = w
        SELU.backward(&dy, derivative: der, count: n)
        let numeric = S.numericGradient(at: x, h: 1e-3) { S.weightedSum(fused($0).y, w) }
        #expect(S.worstExcess(analytic: dy, numeric: numeric, atol: 1e-3, rtol: 1e-3) <= 0)
    }

    @Test("MSE is the mean of squared differences and its gradient is 2(y - t)/N")
    func mseValueAndGradient() {
        let y: [Float] = [0.5, 1, 0, 2], t: [Float] = [0, 1, 1, 1]
        var g = [Float](repeating: 0, count: 4)
        let loss = MSELoss.forwardBackward(output: y, target: t, count: 4, gradient: &g)
        #expect(abs(loss - (0.25 + 0 + 1 + 1) / 4) < 1e-9)
        #expect(g == [0.25, 0, -0.5, 0.5])
        // Fused with the sigmoid: gradient with respect to the pre-activation.
        let pre = S.uniform(20, -2, 2, seed: 16), target = S.uniform(20, 0, 1, seed: 17)
        func lossOf(_ x: [Float]) -> Double {
            var s = x
            Sigmoid.forward(&s, count: s.count)
            return MSELoss.forwardBackward(output: s, target: target, count: s.count, gradient: nil)
        }
        var s = pre
        Sigmoid.forward(&s, count: s.count)
        var dpre = [Float](repeating: 0, count: 20)
        _ = MSELoss.sigmoidForwardBackward(output: s, target: target, count: 20, preActivationGradient: &dpre)
        let numeric = S.numericGradient(at: pre, h: 1e-3, lossOf)
        #expect(S.worstExcess(analytic: dpre, numeric: numeric, atol: 1e-5, rtol: 1e-2) <= 0)
    }
}
