/// Every activation and gradient buffer of an autoencoder's passes over up to `capacity`
/// rows, allocated once (no allocation per step). All buffers are row major
/// (rows x features), sized for `capacity` rows; a pass over fewer rows uses their start.
///
/// Evaluation workspaces (`training == false`) hold only the forward activations.
/// Not Sendable: one workspace serves one thread at a time.
final class NetworkWorkspace {
    let capacity: Int
    let training: Bool
    /// Batch input gathered from the data (capacity x input).
    let input: NNBuffer
    /// Outputs of the encoder's hidden blocks (after SELU and dropout), and in training the
    /// derivative of each block's output with respect to its pre-activation.
    let encoderActivations: [NNBuffer]
    let encoderDerivatives: [NNBuffer]
    /// tanh output (capacity x E).
    let encoding: NNBuffer
    /// Heads and latent sample (capacity x L). In evaluation and for a plain autoencoder z
    /// is mu and `z` is unused.
    let mu: NNBuffer, logvar: NNBuffer, noise: NNBuffer, z: NNBuffer
    let decoderActivations: [NNBuffer]
    let decoderDerivatives: [NNBuffer]
    /// Sigmoid output (capacity x input).
    let output: NNBuffer

    // Backward (training only; empty buffers otherwise).
    let outputGradient: NNBuffer
    let decoderGradients: [NNBuffer]
    let latentGradient: NNBuffer, muGradient: NNBuffer, logvarGradient: NNBuffer
    let encodingGradient: NNBuffer
    let encoderGradients: [NNBuffer]
    /// Nearest-centroid index of each row (DCN term).
    let assignments: UnsafeMutablePointer<Int32>
    /// Prior sample for the MMD (priorCount x L) and the MMD's own buffers (variational only).
    let prior: NNBuffer
    let mmd: InfoVAEMMD?

    static let priorCount = 256

    init(architecture a: Architecture, capacity: Int, training: Bool) {
        precondition(capacity > 0, "workspace for \(capacity) rows")
        self.capacity = capacity
        self.training = training
        let c = capacity
        func buffers(_ widths: [Int], _ on: Bool = true) -> [NNBuffer] { widths.map { NNBuffer(count: on ? c * $0 : 0) } }
        input = NNBuffer(count: training ? c * a.inputLength : 0)
        encoderActivations = buffers(a.encoderHidden)
        encoderDerivatives = buffers(a.encoderHidden, training)
        encoding = NNBuffer(count: c * a.encodingDim)
        mu = NNBuffer(count: c * a.latent)
        logvar = NNBuffer(count: training && a.variational ? c * a.latent : 0)
        noise = NNBuffer(count: training && a.variational ? c * a.latent : 0)
        z = NNBuffer(count: training && a.variational ? c * a.latent : 0)
        decoderActivations = buffers(a.decoderHidden)
        decoderDerivatives = buffers(a.decoderHidden, training)
        output = NNBuffer(count: c * a.inputLength)
        outputGradient = NNBuffer(count: training ? c * a.inputLength : 0)
        decoderGradients = buffers(a.decoderHidden, training)
        latentGradient = NNBuffer(count: training ? c * a.latent : 0)
        muGradient = NNBuffer(count: training ? c * a.latent : 0)
        logvarGradient = NNBuffer(count: training && a.variational ? c * a.latent : 0)
        encodingGradient = NNBuffer(count: training ? c * a.encodingDim : 0)
        encoderGradients = buffers(a.encoderHidden, training)
        assignments = .allocate(capacity: c)
        assignments.initialize(repeating: 0, count: c)
        let vae = training && a.variational
        prior = NNBuffer(count: vae ? Self.priorCount * a.latent : 0)
        mmd = vae ? InfoVAEMMD(capacity: c, priorCount: Self.priorCount, dims: a.latent) : nil
    }

    deinit { assignments.deallocate() }
}
