import Foundation

/// The computation of an autoencoder, apart from its weights: forward passes (evaluation and
/// training) and the training step's backward pass, over a `NetworkWorkspace` and a flat
/// parameter vector laid out by `AutoencoderLayout`.
///
/// Training forward: [Dense(no bias) -> SELU -> AlphaDropout] per encoder hidden layer,
/// Dense -> tanh, heads mu and logvar, z = mu (autoencoder) or z = mu + eps e^(logvar/2)
/// (variational), [Dense(no bias) -> SELU -> AlphaDropout] per decoder hidden layer,
/// Dense -> sigmoid. Evaluation: no dropout, z = mu, the logvar head is not computed.
struct AutoencoderGraph: Sendable {
    let architecture: Architecture
    let layout: AutoencoderLayout
    /// nil when the dropout probability is 0.
    let dropout: AlphaDropout?

    init(architecture: Architecture) {
        self.architecture = architecture
        layout = AutoencoderLayout(architecture)
        dropout = architecture.dropout > 0 ? AlphaDropout(p: architecture.dropout) : nil
    }

    // MARK: - Evaluation

    /// Evaluation-mode encoder: mu of `rows` rows of `x` (rows x input) into `ws.mu`.
    func encode(_ x: UnsafePointer<Float>, rows: Int, parameters p: UnsafePointer<Float>, workspace ws: NetworkWorkspace) {
        let h = hiddenStack(layout.encoderHidden, input: x, rows: rows, parameters: p, activations: ws.encoderActivations)
        layout.encoderOutput.forward(h, rows: rows, parameters: p, into: ws.encoding.pointer)
        Tanh.forward(ws.encoding.pointer, count: rows * architecture.encodingDim)
        layout.mu.forward(ws.encoding.pointer, rows: rows, parameters: p, into: ws.mu.pointer)
    }

    /// Evaluation-mode decoder: `rows` latent rows `z` (rows x L) into `ws.output` (rows x input).
    func decode(_ z: UnsafePointer<Float>, rows: Int, parameters p: UnsafePointer<Float>, workspace ws: NetworkWorkspace) {
        let h = hiddenStack(layout.decoderHidden, input: z, rows: rows, parameters: p, activations: ws.decoderActivations)
        layout.decoderOutput.forward(h, rows: rows, parameters: p, into: ws.output.pointer)
        Sigmoid.forward(ws.output.pointer, count: rows * architecture.inputLength)
    }

    /// Runs a stack of hidden layers (Dense -> SELU, plus AlphaDropout when training) on `rows`
    /// rows of `input`, writing layer k into `activations[k]`; returns the last activation
    /// (or `input` for an empty stack). Training also stores SELU's derivative per layer.
    private func hiddenStack(_ layers: [Dense], input: UnsafePointer<Float>, rows: Int, parameters p: UnsafePointer<Float>,
                             activations: [NNBuffer]) -> UnsafePointer<Float> {
        var h = input
        for (k, d) in layers.enumerated() {
            let out = activations[k].pointer
            d.forward(h, rows: rows, parameters: p, into: out)
            SELU.forward(out, derivative: nil, count: rows * d.outputs)
            h = UnsafePointer(out)
        }
        return h
    }

    private func hiddenStack(_ layers: [Dense], input: UnsafePointer<Float>, rows: Int, parameters p: UnsafePointer<Float>,
                             activations: [NNBuffer], derivatives: [NNBuffer],
                             generator: inout SeededGenerator) -> UnsafePointer<Float> {
        var h = input
        for (k, d) in layers.enumerated() {
            let out = activations[k].pointer
            d.forward(h, rows: rows, parameters: p, into: out)
            SELU.forwardTraining(out, derivative: derivatives[k].pointer, count: rows * d.outputs,
                                 dropout: dropout, generator: &generator)
            h = UnsafePointer(out)
        }
        return h
    }

    // MARK: - Training step

    /// The k-means targets of the DCN term for one step: centroids (count x L), weight gamma.
    struct DCNTarget {
        let centroids: UnsafePointer<Float>
        let count: Int
        let gamma: Float
    }

    /// Loss terms of one step: reconstruction MSE, MMD (unweighted; 0 for a plain
    /// autoencoder) and the DCN term (already weighted by gamma; 0 without target).
    struct StepLosses: Equatable {
        var reconstruction: Double
        var mmd: Double
        var dcn: Double
    }

    /// Forward and backward of `reconstruction + beta * MMD(z, prior) + DCN(mu)` over the
    /// first `rows` rows of `x` (rows x input, the target too), in training mode.
    /// Writes every parameter's gradient into `g` (overwritten; the logvar head's gradient is
    /// left untouched for a plain autoencoder, where it is 0). Dropout masks come from
    /// `dropoutGenerator`; the VAE noise and the 256 prior rows from `noiseGenerator`.
    func trainingStep(input x: UnsafePointer<Float>, rows: Int, parameters p: UnsafePointer<Float>,
                      gradients g: UnsafeMutablePointer<Float>, workspace ws: NetworkWorkspace,
                      beta: Float, dcn: DCNTarget?,
                      dropoutGenerator: inout SeededGenerator, noiseGenerator: inout SeededGenerator) -> StepLosses {
        precondition(ws.training && rows <= ws.capacity && rows > 0, "training step of \(rows) rows on a workspace of \(ws.capacity)")
        let a = architecture, lay = layout
        let vae = a.variational
        let latentCount = rows * a.latent

        // Encoder.
        let encoderLast = hiddenStack(lay.encoderHidden, input: x, rows: rows, parameters: p, activations: ws.encoderActivations,
                                      derivatives: ws.encoderDerivatives, generator: &dropoutGenerator)
        lay.encoderOutput.forward(encoderLast, rows: rows, parameters: p, into: ws.encoding.pointer)
        Tanh.forward(ws.encoding.pointer, count: rows * a.encodingDim)
        lay.mu.forward(ws.encoding.pointer, rows: rows, parameters: p, into: ws.mu.pointer)

        // Latent.
        let z: UnsafePointer<Float>
        if vae {
            lay.logvar.forward(ws.encoding.pointer, rows: rows, parameters: p, into: ws.logvar.pointer)
            NNMath.fillGaussian(ws.noise.pointer, count: latentCount, generator: &noiseGenerator)
            let mu = ws.mu.pointer, lv = ws.logvar.pointer, eps = ws.noise.pointer, zp = ws.z.pointer
            for i in 0..<latentCount { zp[i] = mu[i] + eps[i] * Foundation.exp(0.5 * lv[i]) }
            z = UnsafePointer(zp)
        } else {
            z = UnsafePointer(ws.mu.pointer)
        }

        // Decoder.
        let decoderLast = hiddenStack(lay.decoderHidden, input: z, rows: rows, parameters: p, activations: ws.decoderActivations,
                                      derivatives: ws.decoderDerivatives, generator: &dropoutGenerator)
        lay.decoderOutput.forward(decoderLast, rows: rows, parameters: p, into: ws.output.pointer)
        Sigmoid.forward(ws.output.pointer, count: rows * a.inputLength)

        // Reconstruction loss and decoder backward.
        var losses = StepLosses(reconstruction: 0, mmd: 0, dcn: 0)
        losses.reconstruction = MSELoss.sigmoidForwardBackward(
            output: ws.output.pointer, target: x, count: rows * a.inputLength,
            preActivationGradient: ws.outputGradient.pointer)
        let dz = ws.latentGradient.pointer
        let nd = lay.decoderHidden.count
        lay.decoderOutput.backward(input: decoderLast, outputGradient: ws.outputGradient.pointer, rows: rows,
                                   parameters: p, gradients: g,
                                   inputGradient: nd == 0 ? dz : ws.decoderGradients[nd - 1].pointer)
        for j in stride(from: nd - 1, through: 0, by: -1) {
            let d = lay.decoderHidden[j]
            let dy = ws.decoderGradients[j].pointer
            SELU.backward(dy, derivative: ws.decoderDerivatives[j].pointer, count: rows * d.outputs)
            let input = j == 0 ? z : UnsafePointer(ws.decoderActivations[j - 1].pointer)
            d.backward(input: input, outputGradient: dy, rows: rows, parameters: p, gradients: g,
                       inputGradient: j == 0 ? dz : ws.decoderGradients[j - 1].pointer)
        }

        // Latent terms: MMD on z, DCN on mu.
        if vae, let mmd = ws.mmd {
            NNMath.fillGaussian(ws.prior.pointer, count: NetworkWorkspace.priorCount * a.latent, generator: &noiseGenerator)
            losses.mmd = mmd.compute(z: z, rows: rows, prior: ws.prior.pointer,
                                     gradient: beta != 0 ? dz : nil, scale: beta)
        }
        let dmu: UnsafeMutablePointer<Float>
        if vae {
            dmu = ws.muGradient.pointer
            dmu.update(from: dz, count: latentCount)
            let dlv = ws.logvarGradient.pointer, lv = ws.logvar.pointer, eps = ws.noise.pointer
            for i in 0..<latentCount { dlv[i] = dz[i] * 0.5 * eps[i] * Foundation.exp(0.5 * lv[i]) }
        } else {
            dmu = dz
        }
        if let dcn {
            losses.dcn = DCNTerm.compute(z: ws.mu.pointer, rows: rows, dims: a.latent, centroids: dcn.centroids,
                                         count: dcn.count, gamma: dcn.gamma, gradient: dmu,
                                         assignments: ws.assignments)
        }

        // Heads, tanh, encoder backward.
        let de = ws.encodingGradient.pointer
        lay.mu.backward(input: ws.encoding.pointer, outputGradient: dmu, rows: rows, parameters: p, gradients: g,
                        inputGradient: de)
        if vae {
            lay.logvar.backward(input: ws.encoding.pointer, outputGradient: ws.logvarGradient.pointer, rows: rows,
                                parameters: p, gradients: g, inputGradient: de, accumulate: true)
        }
        Tanh.backward(de, output: ws.encoding.pointer, count: rows * a.encodingDim)
        let ne = lay.encoderHidden.count
        lay.encoderOutput.backward(input: encoderLast, outputGradient: de, rows: rows, parameters: p, gradients: g,
                                   inputGradient: ne == 0 ? nil : ws.encoderGradients[ne - 1].pointer)
        for i in stride(from: ne - 1, through: 0, by: -1) {
            let d = lay.encoderHidden[i]
            let dy = ws.encoderGradients[i].pointer
            SELU.backward(dy, derivative: ws.encoderDerivatives[i].pointer, count: rows * d.outputs)
            let input = i == 0 ? x : UnsafePointer(ws.encoderActivations[i - 1].pointer)
            d.backward(input: input, outputGradient: dy, rows: rows, parameters: p, gradients: g,
                       inputGradient: i == 0 ? nil : ws.encoderGradients[i - 1].pointer)
        }
        return losses
    }
}
