/// What maps a preprocessed spectrum to the point that is clustered, and back.
///
/// `.autoencoder` is the trained network (the paper's method); `.principalComponents` is
/// the classical linear embedding, which CubeSeg uses when the network learned less than
/// PCA of the same dimension (see `EmbeddingChoice`).
public enum SpectralEmbedding: Sendable {
    case autoencoder(Autoencoder)
    case principalComponents(PrincipalComponents)

    public var kind: EmbeddingKind {
        switch self {
        case .autoencoder: return .autoencoder
        case .principalComponents: return .pca
        }
    }

    /// Input length (spectrum values) and embedding dimension.
    public var inputLength: Int {
        switch self {
        case .autoencoder(let a): return a.architecture.inputLength
        case .principalComponents(let p): return p.dimension
        }
    }
    public var dimension: Int {
        switch self {
        case .autoencoder(let a): return a.architecture.latent
        case .principalComponents(let p): return p.components
        }
    }

    /// The architecture written into `model.json` (for PCA: input length and dimension only).
    public var architecture: Architecture {
        switch self {
        case .autoencoder(let a): return a.architecture
        case .principalComponents(let p):
            return Architecture(inputLength: p.dimension, encoderHidden: [], encodingDim: p.components,
                                latent: p.components, decoderHidden: [], variational: false, dropout: 0)
        }
    }

    /// The weights written into `model.json`.
    public func tensors() -> [Tensor] {
        switch self {
        case .autoencoder(let a): return a.tensors()
        case .principalComponents(let p): return p.tensors()
        }
    }

    /// Embeds every row of `x` (N x inputLength) -> (N x dimension).
    public func encode(_ x: Matrix) -> Matrix {
        switch self {
        case .autoencoder(let a): return a.encode(x)
        case .principalComponents(let p): return p.project(x)
        }
    }

    /// The spectra (N x inputLength) the embedding gives back for points `z` (N x dimension).
    public func decode(_ z: Matrix) -> Matrix {
        switch self {
        case .autoencoder(let a): return a.decode(z)
        case .principalComponents(let p): return p.reconstruct(z)
        }
    }

    /// Mean squared error per value of reconstructing `x` (N x inputLength, row-major,
    /// preprocessed spectra) through the embedding.
    public func reconstructionError(of x: Matrix) -> Double {
        let y = decode(encode(x))
        var s = 0.0
        for i in 0..<x.storage.count { let d = Double(x.storage[i] - y.storage[i]); s += d * d }
        return s / Double(max(1, x.storage.count))
    }
}

/// The kind of embedding a model holds, as written in `model.json` and `report.json`.
public enum EmbeddingKind: String, Sendable, Codable, CaseIterable {
    case autoencoder
    case pca
}
