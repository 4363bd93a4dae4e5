/// Where every linear layer of an autoencoder lives in its flat parameter vector, in the
/// order of `Autoencoder.tensors()`:
///
///     encoder.i.weight            (h_i x h_{i-1}), i = 0..<H, h_{-1} = input     (no bias)
///     encoder.H.weight, .bias     (E x h_{H-1}), (E)
///     mu.weight, mu.bias          (L x E), (L)
///     logvar.weight, logvar.bias  (L x E), (L)
///     decoder.j.weight            (d_j x d_{j-1}), j = 0..<D, d_{-1} = L         (no bias)
///     decoder.D.weight, .bias     (input x d_{D-1}), (input)
///
/// Weights are (outputs x inputs) row major, as PyTorch's `nn.Linear.weight`.
struct AutoencoderLayout: Sendable, Equatable {
    let encoderHidden: [Dense]
    let encoderOutput: Dense
    let mu: Dense
    let logvar: Dense
    let decoderHidden: [Dense]
    let decoderOutput: Dense
    let parameterCount: Int

    init(_ a: Architecture) {
        var offset = 0
        func dense(_ inputs: Int, _ outputs: Int, bias: Bool) -> Dense {
            let w = offset
            offset += inputs * outputs
            var b: Int? = nil
            if bias { b = offset; offset += outputs }
            return Dense(inputs: inputs, outputs: outputs, weightOffset: w, biasOffset: b)
        }
        var width = a.inputLength
        var enc: [Dense] = []
        for h in a.encoderHidden { enc.append(dense(width, h, bias: false)); width = h }
        encoderHidden = enc
        encoderOutput = dense(width, a.encodingDim, bias: true)
        mu = dense(a.encodingDim, a.latent, bias: true)
        logvar = dense(a.encodingDim, a.latent, bias: true)
        width = a.latent
        var dec: [Dense] = []
        for h in a.decoderHidden { dec.append(dense(width, h, bias: false)); width = h }
        decoderHidden = dec
        decoderOutput = dense(width, a.inputLength, bias: true)
        parameterCount = offset
    }

    /// Every layer with its tensor-name prefix, in parameter order.
    var namedLayers: [(name: String, layer: Dense)] {
        var out: [(String, Dense)] = []
        for (i, d) in encoderHidden.enumerated() { out.append(("encoder.\(i)", d)) }
        out.append(("encoder.\(encoderHidden.count)", encoderOutput))
        out.append(("mu", mu))
        out.append(("logvar", logvar))
        for (j, d) in decoderHidden.enumerated() { out.append(("decoder.\(j)", d)) }
        out.append(("decoder.\(decoderHidden.count)", decoderOutput))
        return out
    }

    /// Multiply-adds of one forward pass per row (the sum of every layer's in x out).
    var forwardMultiplyAdds: Int {
        namedLayers.reduce(0) { $0 + $1.layer.weightCount }
    }
}
