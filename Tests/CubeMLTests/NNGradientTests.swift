import Foundation
import Testing
@testable import CubeML

/// Gradients of the latent terms and of the whole autoencoder against central finite
/// differences. Losses are accumulated in double; forward passes are Float32, so the
/// tolerances allow the Float rounding amplified by 1/(2h).
@Suite("NN gradients")
struct NNGradientTests {
    typealias S = NNTestSupport

    /// The MMD of the reference, computed directly in double from its formula.
    static func referenceMMD(z: [Float], prior: [Float], dims l: Int) -> Double {
        let n = z.count / l, m = prior.count / l
        func k(_ a: [Float], _ i: Int, _ b: [Float], _ j: Int) -> Double {
            var s = 0.0
            for d in 0..<l { let u = Double(a[i * l + d]) - Double(b[j * l + d]); s += u * u }
            return Foundation.exp(-(s / Double(l)) / Double(l))  // exp(-mean_d (a-b)² / L)
        }
        func mean(_ a: [Float], _ na: Int, _ b: [Float], _ nb: Int) -> Double {
            var s = 0.0
            for i in 0..<na { for j in 0..<nb { s += k(a, i, b, j) } }
            return s / Double(na * nb)
        }
        return mean(prior, m, prior, m) + mean(z, n, z, n) - 2 * mean(prior, m, z, n)
    }

    @Test("the MMD equals the reference's formula and its gradient matches finite differences")
    func mmdValueAndGradient() {
        let n = 12, m = 9, l = 3
        let z = S.uniform(n * l, -1.5, 1.5, seed: 21)
        var g = SeededGenerator(seed: 22, stream: 0)
        let prior = (0..<(m * l)).map { _ in Float(g.nextGaussian()) }
        let mmd = InfoVAEMMD(capacity: n, priorCount: m, dims: l)
        var grad = [Float](repeating: 0.5, count: n * l)  // non-zero: the gradient is added
        let value = mmd.compute(z: z, rows: n, prior: prior, gradient: &grad, scale: 2)
        #expect(abs(value - Self.referenceMMD(z: z, prior: prior, dims: l)) < 1e-6)
        let analytic = grad.map { ($0 - 0.5) / 2 }
        let numeric = S.numericGradient(at: z, h: 1e-2) { Self.referenceMMD(z: $0, prior: prior, dims: l) }
        #expect(S.worstExcess(analytic: analytic, numeric: numeric, atol: 1e-5, rtol: 2e-3) <= 0)
        // Identical samples have zero discrepancy.
        let same = InfoVAEMMD(capacity: m, priorCount: m, dims: l)
        #expect(abs(same.compute(z: prior, rows: m, prior: prior, gradient: nil, scale: 1)) < 1e-6)
    }

    @Test("the DCN term is gamma times the mean squared distance to the nearest centroid, with its gradient")
    func dcnValueAndGradient() {
        let n = 10, l = 2, k = 3
        let centroids: [Float] = [-2, 0, 2, 0, 0, 3]
        let z = S.uniform(n * l, -2.5, 2.5, seed: 23)
        let gamma: Float = 0.7
        func reference(_ z: [Float]) -> Double {
            var s = 0.0
            for i in 0..<n {
                var best = Double.infinity
                for j in 0..<k {
                    var d = 0.0
                    for t in 0..<l { let u = Double(z[i * l + t] - centroids[j * l + t]); d += u * u }
                    best = min(best, d)
                }
                s += best
            }
            return Double(gamma) * s / Double(n)
        }
        var grad = [Float](repeating: 0, count: n * l)
        var assign = [Int32](repeating: -1, count: n)
        let value = DCNTerm.compute(z: z, rows: n, dims: l, centroids: centroids, count: k, gamma: gamma,
                                    gradient: &grad, assignments: &assign)
        #expect(abs(value - reference(z)) < 1e-5)
        #expect(assign.allSatisfy { (0..<Int32(k)).contains($0) })
        let numeric = S.numericGradient(at: z, h: 1e-3, reference)
        #expect(S.worstExcess(analytic: grad, numeric: numeric, atol: 1e-3, rtol: 1e-3) <= 0)
    }

    /// A tiny network: input 10, hidden [6, 4] (or none), E 3, L 2, decoder [4, 6] (or none), dropout 0.2.
    static func tinyArchitecture(variational: Bool, hidden: Bool = true) -> Architecture {
        Architecture(inputLength: 10, encoderHidden: hidden ? [6, 4] : [], encodingDim: 3, latent: 2,
                     decoderHidden: hidden ? [4, 6] : [], variational: variational, dropout: 0.2)
    }

    @Test("every parameter gradient of a training step matches finite differences of its loss",
          arguments: [(false, true), (true, true), (true, false)])
    func wholeNetworkGradient(variational: Bool, hidden: Bool) {
        let arch = Self.tinyArchitecture(variational: variational, hidden: hidden)
        let model = Autoencoder(architecture: arch, seed: 3)
        let rows = 7
        let x = S.uniform(rows * arch.inputLength, 0, 1, seed: 24)
        let centroids: [Float] = [-0.8, 0.5, 0.9, -0.4]
        let ws = NetworkWorkspace(architecture: arch, capacity: rows, training: true)
        let beta: Float = variational ? 0.5 : 0
        func step(_ params: [Float], _ grads: inout [Float]) -> Double {
            var dropoutRNG = SeededGenerator(seed: 5, stream: 4)
            var noiseRNG = SeededGenerator(seed: 5, stream: 5)
            let losses = centroids.withUnsafeBufferPointer { c in
                model.graph.trainingStep(
                    input: x, rows: rows, parameters: params, gradients: &grads, workspace: ws, beta: beta,
                    dcn: .init(centroids: c.baseAddress!, count: 2, gamma: 0.3),
                    dropoutGenerator: &dropoutRNG, noiseGenerator: &noiseRNG)
            }
            return losses.reconstruction + Double(beta) * losses.mmd + losses.dcn
        }
        var analytic = [Float](repeating: 0, count: model.parameterCount)
        _ = step(model.parameters, &analytic)
        var scratch = analytic
        let numeric = S.numericGradient(at: model.parameters, h: 1e-2) { step($0, &scratch) }
        let excess = S.worstExcess(analytic: analytic, numeric: numeric, atol: 2e-4, rtol: 2e-2)
        #expect(excess <= 0, "worst excess \(excess)")
        // Something flows to every layer (the test is not vacuous), except the unused logvar head of a plain AE.
        for (name, d) in model.graph.layout.namedLayers {
            let norm = analytic[d.weightOffset..<(d.weightOffset + d.weightCount)].reduce(0) { $0 + abs($1) }
            if name == "logvar" && !variational { #expect(norm == 0) } else { #expect(norm > 0, "\(name)") }
        }
    }
}
