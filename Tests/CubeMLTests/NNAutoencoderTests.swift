import Foundation
import Testing
@testable import CubeML

@Suite("Autoencoder")
struct NNAutoencoderTests {
    typealias S = NNTestSupport

    @Test("hidden sizes follow the halving and division rules, capped by the layer count and the encoding size")
    func architectureRules() {
        var p = SegmentationParameters()
        p.encodingDim = 32; p.hiddenLayers = 4; p.latent = 5; p.variational = true; p.dropout = 0.2
        let a = Autoencoder.architecture(for: p, inputLength: 1024)
        #expect(a.encoderHidden == [512, 256, 128, 64])
        #expect(a.decoderHidden == [64, 128, 256, 512])
        #expect(a.inputLength == 1024 && a.encodingDim == 32 && a.latent == 5 && a.variational && a.dropout == 0.2)
        p.hiddenLayers = 9
        #expect(Autoencoder.architecture(for: p, inputLength: 1024).encoderHidden == [512, 256, 128, 64])
        p.hiddenLayers = 2
        #expect(Autoencoder.architecture(for: p, inputLength: 1000).encoderHidden == [500, 250])
        p.hiddenRule = .division; p.hiddenLayers = 3
        #expect(Autoencoder.architecture(for: p, inputLength: 1024).encoderHidden == [512, 341, 256])
        p.hiddenLayers = 40
        let division = Autoencoder.architecture(for: p, inputLength: 100)  // 50, 33, 25, 20, ..., stops at <= 32
        #expect(division.encoderHidden == [50, 33])
        #expect(division.decoderHidden == [33, 50])
        p.hiddenLayers = 0
        #expect(Autoencoder.architecture(for: p, inputLength: 1024).encoderHidden.isEmpty)
        p.hiddenRule = .halving; p.hiddenLayers = 4
        #expect(Autoencoder.architecture(for: p, inputLength: 48).encoderHidden.isEmpty)  // 24 <= 32
    }

    static let small = Architecture(inputLength: 16, encoderHidden: [8, 6], encodingDim: 4, latent: 3,
                                    decoderHidden: [5], variational: true, dropout: 0.1)

    @Test("tensors are named and shaped like the PyTorch module and cover every parameter once")
    func tensorNamesAndShapes() {
        let model = Autoencoder(architecture: Self.small, seed: 1)
        let t = model.tensors()
        #expect(t.map(\.name) == ["encoder.0.weight", "encoder.1.weight", "encoder.2.weight", "encoder.2.bias",
                                  "mu.weight", "mu.bias", "logvar.weight", "logvar.bias",
                                  "decoder.0.weight", "decoder.1.weight", "decoder.1.bias"])
        #expect(t.map(\.shape) == [[8, 16], [6, 8], [4, 6], [4], [3, 4], [3], [3, 4], [3], [5, 3], [16, 5], [16]])
        #expect(t.reduce(0) { $0 + $1.values.count } == model.parameterCount)
    }

    @Test("initial weights have the LeCun-normal spread and the heads PyTorch's uniform bound")
    func initialisationScales() {
        let arch = Architecture(inputLength: 400, encoderHidden: [200], encodingDim: 50, latent: 40,
                                decoderHidden: [200], variational: false, dropout: 0.1)
        let t = Dictionary(uniqueKeysWithValues: Autoencoder(architecture: arch, seed: 7).tensors().map { ($0.name, $0.values) })
        func std(_ v: [Float]) -> Double {
            let m = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
            return (v.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(v.count)).squareRoot()
        }
        #expect(abs(std(t["encoder.0.weight"]!) - 1 / 20.0) < 0.002)            // fan_in 400
        #expect(abs(std(t["decoder.1.weight"]!) - 1 / 200.0.squareRoot()) < 0.003)  // fan_in 200
        #expect(t["mu.weight"]!.allSatisfy { abs($0) <= Float(1 / 50.0.squareRoot()) })
        #expect(abs(std(t["mu.weight"]!) - 1 / 50.0.squareRoot() / 3.0.squareRoot()) < 0.01)  // uniform: bound/sqrt 3
        let first = Autoencoder(architecture: arch, seed: 7).tensors()
        #expect(Autoencoder(architecture: arch, seed: 7).tensors() == first)
        #expect(Autoencoder(architecture: arch, seed: 8).tensors() != first)
    }

    /// The eval-mode encoder computed independently in double from the tensors.
    static func referenceEncode(_ x: [Float], tensors: [Tensor], arch: Architecture) -> [Double] {
        let t = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0) })
        func linear(_ v: [Double], _ name: String) -> [Double] {
            let w = t["\(name).weight"]!, b = t["\(name).bias"]
            let out = w.shape[0], inp = w.shape[1]
            return (0..<out).map { o in
                var s = b.map { Double($0.values[o]) } ?? 0
                for i in 0..<inp { s += Double(w.values[o * inp + i]) * v[i] }
                return s
            }
        }
        var h = x.map(Double.init)
        for i in 0..<arch.encoderHidden.count {
            h = linear(h, "encoder.\(i)").map { $0 > 0 ? 1.0507009873554805 * $0 : 1.0507009873554805 * 1.6732632423543772 * (Foundation.exp($0) - 1) }
        }
        h = linear(h, "encoder.\(arch.encoderHidden.count)").map { Foundation.tanh($0) }
        return linear(h, "mu")
    }

    @Test("encode agrees with an independent double-precision forward pass, across internal batches")
    func encodeMatchesReference() {
        let arch = Self.small
        let model = Autoencoder(architecture: arch, seed: 2)
        let n = Autoencoder.inferenceBatch + 3
        let x = Matrix(rows: n, cols: arch.inputLength, values: S.uniform(n * arch.inputLength, 0, 1, seed: 31))
        let mu = model.encode(x)
        #expect(mu.rows == n && mu.cols == arch.latent)
        let tensors = model.tensors()
        for r in [0, 1, Autoencoder.inferenceBatch - 1, Autoencoder.inferenceBatch, n - 1] {
            let expected = Self.referenceEncode(x.row(r), tensors: tensors, arch: arch)
            for j in 0..<arch.latent { #expect(abs(Double(mu[r, j]) - expected[j]) < 1e-5) }
        }
        #expect(model.encode(x) == mu)  // evaluation mode is deterministic (no dropout, z = mu)
        let recon = model.reconstruct(x)
        #expect(recon == model.decode(mu))
        #expect(recon.storage.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test("tensors() then init(tensors:) (also through JSON) gives identical outputs")
    func serialisationRoundTrip() throws {
        let arch = Self.small
        let model = Autoencoder(architecture: arch, seed: 4)
        let x = Matrix(rows: 50, cols: arch.inputLength, values: S.uniform(50 * arch.inputLength, 0, 1, seed: 32))
        let restored = try Autoencoder(architecture: arch, tensors: model.tensors())
        #expect(restored.encode(x) == model.encode(x))
        #expect(restored.reconstruct(x) == model.reconstruct(x))
        let json = try JSONEncoder().encode(model.tensors())
        let decoded = try JSONDecoder().decode([Tensor].self, from: json)
        let fromJSON = try Autoencoder(architecture: arch, tensors: decoded.reversed())
        #expect(fromJSON.tensors() == model.tensors())
        #expect(fromJSON.reconstruct(x) == model.reconstruct(x))
    }

    @Test("init(tensors:) names the missing or mis-shaped tensor")
    func loadingErrors() {
        let arch = Self.small
        var tensors = Autoencoder(architecture: arch, seed: 4).tensors()
        let removed = tensors.remove(at: 5)
        #expect(throws: ModelFileError.missingTensor(removed.name)) { try Autoencoder(architecture: arch, tensors: tensors) }
        tensors.insert(Tensor(name: removed.name, shape: [1, 3], values: removed.values), at: 5)
        #expect(throws: ModelFileError.badTensor(name: "mu.bias", reason: "shape [1, 3], expected [3]")) {
            try Autoencoder(architecture: arch, tensors: tensors)
        }
        tensors[5] = Tensor(name: removed.name, shape: [3], values: [0, .nan, 1])
        #expect(throws: ModelFileError.self) { try Autoencoder(architecture: arch, tensors: tensors) }
        var wrong = arch
        wrong.latent = 0
        #expect(throws: ModelFileError.self) { try Autoencoder(architecture: wrong, tensors: tensors) }
    }
}
