import Foundation
import Testing
@testable import CubeML

/// Runs an in-place transform on a copy of `x`.
private func run(_ x: [Float], _ body: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
    var v = x
    var scratch = [Float](repeating: 0, count: x.count + 1)
    v.withUnsafeMutableBufferPointer { vb in scratch.withUnsafeMutableBufferPointer { sb in body(vb, sb) } }
    return v
}

/// NumPy-style linear quantile of `v`, by sorting.
private func sortedQuantile(_ v: [Double], _ p: Double) -> Double {
    let s = v.sorted()
    let pos = p * Double(s.count - 1)
    let k = Int(pos.rounded(.down))
    return k + 1 < s.count ? s[k] + (pos - Double(k)) * (s[k + 1] - s[k]) : s[k]
}

/// The paper's robust transform written out in Double, in its original form.
private func robustReference(_ x: [Float]) -> [Float] {
    let r = 1e-8
    let xs = x.map(Double.init)
    let m = xs.reduce(0, +) / Double(xs.count)
    let y = xs.map { log(1 + ($0 - m) / (m + r) + r) }
    let q25 = sortedQuantile(y, 0.25), q75 = sortedQuantile(y, 0.75)
    var spread = q75 - q25
    if spread <= 0 { spread = y.max()! - y.min()! }
    if spread <= 0 { return x.map { _ in 0 } }
    return y.map { Float(tanh((2 * $0 - q25 - q75) / spread)) }
}

@Suite("Spectrum transforms")
struct PreprocessingTransformTests {
    @Test("log-max divides log(1 + x) by its maximum")
    func logMax() {
        let y = run([0, 1, 3, 7]) { x, _ in SpectrumTransforms.logMax(x) }
        let expected: [Float] = [0, 1.0 / 3, 2.0 / 3, 1]
        for (a, b) in zip(y, expected) { #expect(abs(a - b) < 1e-6) }
    }

    @Test("log-max leaves an all-zero spectrum at zero")
    func logMaxZero() {
        #expect(run([0, 0, 0]) { x, _ in SpectrumTransforms.logMax(x) } == [0, 0, 0])
    }

    @Test("Anscombe transform keeps empty channels at zero and gives the spectrum unit norm")
    func anscombe() {
        let x: [Float] = [0, 1, 4, 0, 100]
        let y = run(x) { v, _ in SpectrumTransforms.anscombe(v) }
        let raw = x.map { Double($0) == 0 ? 0 : (Double($0) + 0.375).squareRoot() - 0.375.squareRoot() }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for (a, b) in zip(y, raw) { #expect(abs(Double(a) - b / norm) < 1e-6) }
        #expect(y[0] == 0 && y[3] == 0)
        #expect(abs(y.reduce(0) { $0 + Double($1 * $1) } - 1) < 1e-5)
        #expect(run([0, 0, 0]) { v, _ in SpectrumTransforms.anscombe(v) } == [0, 0, 0])
    }

    @Test("Anscombe transform removes a pixel's brightness far better than log-max")
    func anscombeBrightness() {
        // Ten times the counts in the same proportions: the norm removes the brightness; what
        // remains is the square root's offset near zero, small at these counts.
        let dim: [Float] = [40, 80, 160, 20], bright = dim.map { $0 * 10 }
        func largestChange(_ f: (UnsafeMutableBufferPointer<Float>) -> Void) -> Float {
            let a = run(dim) { v, _ in f(v) }, b = run(bright) { v, _ in f(v) }
            return zip(a, b).map { abs($0 - $1) }.max()!
        }
        let anscombe = largestChange(SpectrumTransforms.anscombe), logMax = largestChange(SpectrumTransforms.logMax)
        #expect(anscombe < 0.02)
        #expect(anscombe < logMax / 4, "anscombe \(anscombe), log-max \(logMax)")
    }

    @Test("robust transform matches the paper's formula with quantiles mapped to -1 and +1")
    func robust() {
        for x: [Float] in [[0, 1, 2, 3, 10], [5, 3, 8, 1, 0, 2, 9, 4], [100, 250, 80, 1000, 40, 60]] {
            let y = run(x) { v, s in SpectrumTransforms.robust(v, scratch: s) }
            let ref = robustReference(x)
            for (a, b) in zip(y, ref) { #expect(abs(a - b) < 1e-5, "\(x): \(y) vs \(ref)") }
            #expect(y.allSatisfy { $0 >= -1 && $0 <= 1 })
        }
        // The 25% and 75% quantiles themselves land on tanh(-1) and tanh(+1):
        // for [0, 1, 2, 3, 4] they are the values at 1 and 3.
        let y = run([0, 1, 2, 3, 4]) { v, s in SpectrumTransforms.robust(v, scratch: s) }
        #expect(abs(y[1] - tanh(-1)) < 1e-5 && abs(y[3] - tanh(1)) < 1e-5)
    }

    @Test("robust transform of a sparse spectrum with zero interquartile range uses the full range")
    func robustZeroIQR() {
        let x: [Float] = [0, 0, 0, 0, 0, 0, 0, 5]
        let y = run(x) { v, s in SpectrumTransforms.robust(v, scratch: s) }
        let ref = robustReference(x)
        for (a, b) in zip(y, ref) { #expect(abs(a - b) < 1e-5) }
        #expect(y.allSatisfy { $0.isFinite })
        #expect(y[0] == 0 && y[7] > 0.9)
    }

    @Test("robust transform of a constant spectrum is all zero")
    func robustConstant() {
        #expect(run([3, 3, 3, 3]) { v, s in SpectrumTransforms.robust(v, scratch: s) } == [0, 0, 0, 0])
        #expect(run([0, 0, 0]) { v, s in SpectrumTransforms.robust(v, scratch: s) } == [0, 0, 0])
    }

    @Test("quickselect quantiles equal sorted linear-interpolation quantiles")
    func quantiles() {
        var rng = SeededGenerator(seed: 5)
        for n in [1, 2, 3, 10, 101, 1024] {
            let v = (0..<n).map { _ in Float(Int(rng.nextFloat() * 20)) }  // with ties
            for p: Float in [0, 0.25, 0.5, 0.75, 1] {
                var copy = v
                let q = copy.withUnsafeMutableBufferPointer { SpectrumTransforms.quantile($0, p) }
                let ref = sortedQuantile(v.map(Double.init), Double(p))
                #expect(abs(Double(q) - ref) < 1e-4, "n \(n) p \(p)")
            }
        }
    }

    @Test("box smoothing averages a centred window that shrinks at the edges")
    func smoothing() {
        let x: [Float] = [1, 2, 3, 4, 5]
        #expect(run(x) { v, s in SpectrumTransforms.boxSmooth(v, width: 3, scratch: s) } == [1.5, 2, 3, 4, 4.5])
        #expect(run(x) { v, s in SpectrumTransforms.boxSmooth(v, width: 5, scratch: s) } == [2, 2.5, 3, 3.5, 4])
        // Even width: window i-1 ... i+2.
        #expect(run(x) { v, s in SpectrumTransforms.boxSmooth(v, width: 4, scratch: s) } == [2, 2.5, 3.5, 4, 4.5])
        #expect(run(x) { v, s in SpectrumTransforms.boxSmooth(v, width: 1, scratch: s) } == x)
        #expect(run([2, 2, 2, 2]) { v, s in SpectrumTransforms.boxSmooth(v, width: 5, scratch: s) } == [2, 2, 2, 2])
    }
}
