import Foundation

/// The deep spectral clustering autoencoder of method.md: a self-normalising MLP encoder
/// (Linear without bias -> SELU -> AlphaDropout per hidden layer, Linear -> tanh, heads mu
/// and log-variance) and a mirrored decoder ending in a sigmoid. Matches the reference's
/// `DSC` class layer for layer (see `architecture(for:inputLength:)` for the sizes).
///
/// A value type: the weights are one flat Float32 vector (layout in `AutoencoderLayout`,
/// names in `tensors()`). Copies are independent; an instance may be read from several
/// threads at once (`encode`, `decode`, `reconstruct` allocate their own buffers), and is
/// mutated only by `Trainer.train(_:on:hooks:observer:)`, through `inout`.
public struct Autoencoder: Sendable {
    public let architecture: Architecture
    let graph: AutoencoderGraph
    /// Every weight and bias, laid out by `graph.layout`.
    var parameters: [Float]

    /// Rows per internal batch of `encode`, `decode` and `reconstruct` (bounds their memory).
    public static let inferenceBatch = 4096

    // MARK: - Architecture

    /// The architecture `p` asks for on spectra of `inputLength` channels.
    ///
    /// Encoder hidden sizes by `p.hiddenRule`: `.halving` gives input/2^k for k = 1, 2, ...
    /// (integer division) while larger than `p.encodingDim`, at most `p.hiddenLayers` of
    /// them; `.division` gives input/k for k = 2...(hiddenLayers + 1) while larger than
    /// encodingDim. The decoder's hidden sizes are the encoder's reversed. E.g. input 1024,
    /// E = 32, 4 layers, halving: encoder [512, 256, 128, 64], decoder [64, 128, 256, 512].
    /// (The reference script's `--n-layers 4` builds 3 encoder layers [512, 256, 128] and a
    /// decoder [64, 128, 256]; pass hiddenLayers = 3 for its encoder.)
    public static func architecture(for p: SegmentationParameters, inputLength: Int) -> Architecture {
        var hidden: [Int] = []
        switch p.hiddenRule {
        case .halving:
            var k = 1
            while hidden.count < p.hiddenLayers, k < Int.bitWidth - 1 {
                let size = inputLength >> k
                if size <= p.encodingDim { break }
                hidden.append(size)
                k += 1
            }
        case .division:
            if p.hiddenLayers >= 1 {
                for k in 2...(p.hiddenLayers + 1) {
                    let size = inputLength / k
                    if size <= p.encodingDim { break }
                    hidden.append(size)
                }
            }
        }
        return Architecture(inputLength: inputLength, encoderHidden: hidden, encodingDim: p.encodingDim,
                            latent: p.latentDimension, decoderHidden: hidden.reversed(), variational: p.variational,
                            dropout: p.dropout)
    }

    /// Why `a` cannot be built, or nil when it can.
    public static func problem(with a: Architecture) -> String? {
        if a.inputLength < 1 { return "input length \(a.inputLength) < 1" }
        if a.encodingDim < 1 { return "encoding dimension \(a.encodingDim) < 1" }
        if a.latent < 1 { return "latent dimension \(a.latent) < 1" }
        if let h = (a.encoderHidden + a.decoderHidden).first(where: { $0 < 1 }) { return "hidden size \(h) < 1" }
        if !(a.dropout >= 0 && a.dropout < 1) { return "dropout \(a.dropout) outside [0, 1)" }
        return nil
    }

    // MARK: - Initialisation

    /// Fresh weights from `seed` (stream 1 of `SeededGenerator`), as the reference
    /// initialises them: every Linear weight of the SNN stacks (hidden layers and the two
    /// output layers) normal(0, 1/sqrt(fan_in)) (LeCun normal, for SELU); their biases, and
    /// the mu / logvar heads' weights and biases, PyTorch's default uniform(±1/sqrt(fan_in)).
    /// - Precondition: `Autoencoder.problem(with: architecture) == nil`.
    public init(architecture: Architecture, seed: UInt64) {
        if let problem = Self.problem(with: architecture) { preconditionFailure("architecture: \(problem)") }
        self.architecture = architecture
        graph = AutoencoderGraph(architecture: architecture)
        var values = [Float](repeating: 0, count: graph.layout.parameterCount)
        var rng = SeededGenerator(seed: seed, stream: 1)
        let lay = graph.layout
        let heads = [lay.mu, lay.logvar]
        for (_, d) in lay.namedLayers {
            let bound = 1 / Double(d.inputs).squareRoot()
            let isHead = heads.contains(d)
            for i in 0..<d.weightCount {
                values[d.weightOffset + i] = isHead
                    ? Float((rng.nextDouble() * 2 - 1) * bound)
                    : Float(rng.nextGaussian() * bound)
            }
            if let b = d.biasOffset {
                for i in 0..<d.outputs { values[b + i] = Float((rng.nextDouble() * 2 - 1) * bound) }
            }
        }
        parameters = values
    }

    /// Weights from `tensors` (as `tensors()` names and shapes them; extra tensors are ignored).
    /// - Throws: `ModelFileError.missingTensor` for an absent name, `.badTensor` for a wrong
    ///   shape or a non-finite value, `.unreadable` for an impossible architecture.
    public init(architecture: Architecture, tensors: [Tensor]) throws {
        if let problem = Self.problem(with: architecture) { throw ModelFileError.unreadable("architecture: \(problem)") }
        self.architecture = architecture
        graph = AutoencoderGraph(architecture: architecture)
        var byName: [String: Tensor] = [:]
        for t in tensors { byName[t.name] = t }
        var values = [Float](repeating: 0, count: graph.layout.parameterCount)
        for (name, d) in graph.layout.namedLayers {
            var parts: [(String, [Int], Int)] = [("\(name).weight", [d.outputs, d.inputs], d.weightOffset)]
            if let b = d.biasOffset { parts.append(("\(name).bias", [d.outputs], b)) }
            for (tensorName, shape, offset) in parts {
                guard let t = byName[tensorName] else { throw ModelFileError.missingTensor(tensorName) }
                guard t.shape == shape, t.values.count == shape.reduce(1, *) else {
                    throw ModelFileError.badTensor(name: tensorName, reason: "shape \(t.shape), expected \(shape)")
                }
                if let bad = t.values.firstIndex(where: { !$0.isFinite }) {
                    throw ModelFileError.badTensor(name: tensorName, reason: "value \(t.values[bad]) at index \(bad) is not finite")
                }
                values.replaceSubrange(offset..<(offset + t.values.count), with: t.values)
            }
        }
        parameters = values
    }

    /// Every weight and bias, named like PyTorch's state dict of an equivalent module:
    /// `encoder.i.weight` (h_i x h_{i-1}) for the hidden layers, `encoder.H.weight`
    /// (E x h_{H-1}) and `encoder.H.bias` (E), `mu.weight` / `logvar.weight` (L x E) and
    /// their biases (L), `decoder.j.weight` (d_j x d_{j-1}), `decoder.D.weight`
    /// (input x d_{D-1}) and `decoder.D.bias` (input). Weights are (out x in) row major.
    public func tensors() -> [Tensor] {
        var out: [Tensor] = []
        for (name, d) in graph.layout.namedLayers {
            out.append(Tensor(name: "\(name).weight", shape: [d.outputs, d.inputs],
                              values: Array(parameters[d.weightOffset..<(d.weightOffset + d.weightCount)])))
            if let b = d.biasOffset {
                out.append(Tensor(name: "\(name).bias", shape: [d.outputs], values: Array(parameters[b..<(b + d.outputs)])))
            }
        }
        return out
    }

    /// Number of weights and biases.
    public var parameterCount: Int { parameters.count }

    // MARK: - Inference (evaluation mode: no dropout, z = mu)

    /// The latent mean mu of every row of `x` (N x inputLength) -> (N x latent).
    public func encode(_ x: Matrix) -> Matrix {
        precondition(x.cols == architecture.inputLength, "encode: \(x.cols) columns, the model takes \(architecture.inputLength)")
        return batched(x, outputWidth: architecture.latent) { rows, src, ws, params, dst in
            graph.encode(src, rows: rows, parameters: params, workspace: ws)
            dst.update(from: ws.mu.pointer, count: rows * architecture.latent)
        }
    }

    /// The decoder's output for every latent row of `z` (N x latent) -> (N x inputLength).
    public func decode(_ z: Matrix) -> Matrix {
        precondition(z.cols == architecture.latent, "decode: \(z.cols) columns, the latent has \(architecture.latent)")
        return batched(z, outputWidth: architecture.inputLength) { rows, src, ws, params, dst in
            graph.decode(src, rows: rows, parameters: params, workspace: ws)
            dst.update(from: ws.output.pointer, count: rows * architecture.inputLength)
        }
    }

    /// decode(encode(x)) without the intermediate matrix: (N x inputLength) -> (N x inputLength).
    public func reconstruct(_ x: Matrix) -> Matrix {
        precondition(x.cols == architecture.inputLength, "reconstruct: \(x.cols) columns, the model takes \(architecture.inputLength)")
        return batched(x, outputWidth: architecture.inputLength) { rows, src, ws, params, dst in
            graph.encode(src, rows: rows, parameters: params, workspace: ws)
            graph.decode(ws.mu.pointer, rows: rows, parameters: params, workspace: ws)
            dst.update(from: ws.output.pointer, count: rows * architecture.inputLength)
        }
    }

    /// Runs `body` over chunks of at most `inferenceBatch` rows of `x` with one evaluation
    /// workspace; `body` writes `rows x outputWidth` floats at its destination.
    private func batched(_ x: Matrix, outputWidth: Int,
                         _ body: (Int, UnsafePointer<Float>, NetworkWorkspace, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Matrix {
        var out = Matrix(rows: x.rows, cols: outputWidth)
        guard x.rows > 0 else { return out }
        let ws = NetworkWorkspace(architecture: architecture, capacity: min(Self.inferenceBatch, x.rows), training: false)
        let width = x.cols
        parameters.withUnsafeBufferPointer { params in
            x.storage.withUnsafeBufferPointer { src in
                out.storage.withUnsafeMutableBufferPointer { dst in
                    var start = 0
                    while start < x.rows {
                        let rows = min(ws.capacity, x.rows - start)
                        body(rows, src.baseAddress! + start * width, ws, params.baseAddress!,
                             dst.baseAddress! + start * outputWidth)
                        start += rows
                    }
                }
            }
        }
        return out
    }
}
