import Foundation

/// A trained model as stored in `model.json`: the architecture, the preprocessing that
/// feeds it, the weights and the cluster centroids. Enough to segment another cube
/// without training.
public struct TrainedModel: Sendable, Codable, Equatable {
    /// Schema tag, `currentFormat` (snake_case keys); older files, `cubeseg-model/1` ones
    /// with camelCase keys too, are still read (`readableFormats`).
    public var format: String = TrainedModel.currentFormat
    /// What the tensors are: the autoencoder (`architecture` describes it) or principal
    /// axes (`pca.mean`, `pca.axes` and, for noise-adjusted axes, `pca.decoder`;
    /// `architecture` gives only the input length and the latent dimension). Files without
    /// the field hold an autoencoder.
    public var embedding: EmbeddingKind = .autoencoder
    public var architecture: Architecture
    public var preprocessing: PreprocessingRecipe
    /// Every weight and bias, by name (see `Autoencoder.tensors()`).
    public var tensors: [Tensor]
    /// Latent centroids of the chosen K, row-major (K x latent).
    public var centroids: Tensor?
    public var chosenK: Int?
    /// The K range and criterion the model was trained with, for applying it again.
    public var kMin: Int
    public var kMax: Int
    public var seed: UInt64

    /// `/4` added `preprocessing.read_noise_variance` and `preprocessing.background_radius`
    /// (counts with read noise), which a reader of `/3` would ignore and so prepare such
    /// cubes otherwise; `/3` added `pca.decoder` and `preprocessing.intensity_scale`, which a
    /// reader of `/2` would ignore and so embed spectra wrongly; `/2` made the keys snake_case.
    public static let currentFormat = "cubeseg-model/4"
    /// Every format `decode` reads.
    public static let readableFormats: Set<String> = ["cubeseg-model/1", "cubeseg-model/2", "cubeseg-model/3", currentFormat]

    /// The embedding the tensors describe.
    /// - Throws: `ModelFileError` for missing or malformed tensors.
    public func spectralEmbedding() throws -> SpectralEmbedding {
        switch embedding {
        case .autoencoder: return .autoencoder(try Autoencoder(architecture: architecture, tensors: tensors))
        case .pca: return .principalComponents(try PrincipalComponents(tensors: tensors))
        }
    }

    public init(architecture: Architecture, preprocessing: PreprocessingRecipe, tensors: [Tensor],
                centroids: Tensor?, chosenK: Int?, kMin: Int, kMax: Int, seed: UInt64) {
        self.architecture = architecture; self.preprocessing = preprocessing; self.tensors = tensors
        self.centroids = centroids; self.chosenK = chosenK; self.kMin = kMin; self.kMax = kMax; self.seed = seed
    }

    /// Reads `model.json` bytes; throws `ModelFileError` naming what is wrong.
    enum CodingKeys: String, CodingKey {
        case format, embedding, architecture, preprocessing, tensors, centroids, chosenK, kMin, kMax, seed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        embedding = try c.decodeIfPresent(EmbeddingKind.self, forKey: .embedding) ?? .autoencoder
        architecture = try c.decode(Architecture.self, forKey: .architecture)
        preprocessing = try c.decode(PreprocessingRecipe.self, forKey: .preprocessing)
        tensors = try c.decode([Tensor].self, forKey: .tensors)
        centroids = try c.decodeIfPresent(Tensor.self, forKey: .centroids)
        chosenK = try c.decodeIfPresent(Int.self, forKey: .chosenK)
        kMin = try c.decode(Int.self, forKey: .kMin)
        kMax = try c.decode(Int.self, forKey: .kMax)
        seed = try c.decode(UInt64.self, forKey: .seed)
    }

    public static func decode(_ data: Data) throws -> TrainedModel {
        let model: TrainedModel
        // Converting snake_case keys leaves the old camelCase ones (no underscores) as they
        // are, so one decoder reads both forms.
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { model = try decoder.decode(TrainedModel.self, from: data) }
        catch { throw ModelFileError.unreadable(String(describing: error)) }
        guard readableFormats.contains(model.format) else { throw ModelFileError.unsupportedFormat(model.format) }
        var current = model
        current.format = currentFormat
        return current
    }

    /// `model.json` bytes: snake_case keys, sorted, so equal models give equal files.
    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.keyEncodingStrategy = .convertToSnakeCase
        return try e.encode(self)
    }
}

public enum ModelFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case unsupportedFormat(String)
    case missingTensor(String)
    case badTensor(name: String, reason: String)
    public var description: String {
        switch self {
        case .unreadable(let s): return "model file is not a CubeSeg model: \(s)"
        case .unsupportedFormat(let f): return "model format \"\(f)\" is not supported (expected one of \(TrainedModel.readableFormats.sorted().joined(separator: ", ")))"
        case .missingTensor(let n): return "model file has no tensor \"\(n)\""
        case let .badTensor(name, reason): return "model tensor \"\(name)\": \(reason)"
        }
    }
}

/// Layer sizes of an autoencoder (see method.md): encoder input -> hidden... -> encodingDim
/// (tanh) -> mu, logvar (latent); decoder latent -> hidden... -> input (sigmoid).
public struct Architecture: Sendable, Codable, Equatable {
    public var inputLength: Int
    /// Encoder hidden sizes after the input, e.g. [512, 256, 128, 64].
    public var encoderHidden: [Int]
    public var encodingDim: Int
    public var latent: Int
    /// Decoder hidden sizes after the latent, e.g. [64, 128, 256, 512].
    public var decoderHidden: [Int]
    public var variational: Bool
    public var dropout: Double
    public init(inputLength: Int, encoderHidden: [Int], encodingDim: Int, latent: Int,
                decoderHidden: [Int], variational: Bool, dropout: Double) {
        self.inputLength = inputLength; self.encoderHidden = encoderHidden; self.encodingDim = encodingDim
        self.latent = latent; self.decoderHidden = decoderHidden; self.variational = variational; self.dropout = dropout
    }
}

/// How raw spectra become network inputs, recorded so a model applies the same steps to
/// another cube.
public struct PreprocessingRecipe: Sendable, Codable, Equatable {
    /// Channel count of the cube the model was trained on (before cropping).
    public var sourceChannels: Int
    public var cropStart: Int
    public var cropEnd: Int
    /// Bin edges over the cropped channels: bin i sums channels edges[i]..<edges[i+1].
    public var binEdges: [Int]
    public var transform: SpectrumTransform
    public var smoothing: Int
    /// Total-counts threshold below which a pixel is background (nil: none).
    public var backgroundThreshold: Double?
    /// Nil: the threshold applies to each pixel's total (negative values as 0). Set (counts
    /// with read noise whose background the rule found, `BackgroundThreshold.readNoiseRadius`;
    /// ignored with a threshold of 0): to the level of the signed totals of the pixels with
    /// data within this many rows and columns (`BackgroundThreshold.readNoiseLevels`).
    /// Absent from model files written before it existed (read as nil).
    public var backgroundRadius: Int?
    /// Every binned value is divided by this before the transform (nil: by 1), in the
    /// cube's own unit per bin: for data that are not counts, the typical bin value of the
    /// training cube (`Preprocessor.intensityScale`), so that a transform that is not
    /// scale-free (`logMax`) sees the same spectra whatever unit the cube is stored in.
    /// Absent from model files written before it existed (read as nil).
    public var intensityScale: Double?
    /// Cube channels within `cropStart..<cropEnd` that no bin sums, increasing: channels
    /// without spatial signal (`SilentChannels`). Nil (and absent from model files) when
    /// every cropped channel is binned.
    public var excludedChannels: [Int]?
    /// Added to every value after the division by `intensityScale` and before the bins sum
    /// them (nil: nothing): for counts with read noise, its variance in counts squared
    /// (`DataKindDecision.readNoiseVariance`), so that a bin's variance is its mean again.
    /// Absent from model files written before it existed (read as nil).
    public var readNoiseVariance: Double?
    public init(sourceChannels: Int, cropStart: Int, cropEnd: Int, binEdges: [Int],
                transform: SpectrumTransform, smoothing: Int, backgroundThreshold: Double?,
                intensityScale: Double? = nil, excludedChannels: [Int]? = nil, readNoiseVariance: Double? = nil,
                backgroundRadius: Int? = nil) {
        self.sourceChannels = sourceChannels; self.cropStart = cropStart; self.cropEnd = cropEnd
        self.binEdges = binEdges; self.transform = transform; self.smoothing = smoothing
        self.backgroundThreshold = backgroundThreshold; self.intensityScale = intensityScale
        self.excludedChannels = excludedChannels; self.readNoiseVariance = readNoiseVariance
        self.backgroundRadius = backgroundRadius
    }

    /// The cube channels the bins sum over, increasing: `cropStart..<cropEnd` less
    /// `excludedChannels`. `binEdges` index this list.
    public var binnedChannels: [Int] {
        guard let excluded = excludedChannels, !excluded.isEmpty else { return Array(cropStart..<cropEnd) }
        let left = Set(excluded)
        return (cropStart..<cropEnd).filter { !left.contains($0) }
    }

    /// `binnedChannels.count`.
    public var binnedChannelCount: Int { cropEnd - cropStart - (excludedChannels?.count ?? 0) }

    /// The same recipe for a view of `binnedChannels` alone (`Datacube.selectingChannels`):
    /// every one of the view's channels cropped in and binned, none left out.
    var onBinnedChannels: PreprocessingRecipe {
        var r = self
        r.sourceChannels = binnedChannelCount; r.cropStart = 0; r.cropEnd = binnedChannelCount; r.excludedChannels = nil
        return r
    }
}

/// A named Float32 array with its shape; JSON stores the values as base64 of little-endian
/// float32 bytes (`dtype` = "float32-le").
public struct Tensor: Sendable, Codable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "tensor \(name): shape \(shape) != \(values.count) values")
        self.name = name; self.shape = shape; self.values = values
    }

    enum CodingKeys: String, CodingKey { case name, shape, dtype, data }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(shape, forKey: .shape)
        try c.encode("float32-le", forKey: .dtype)
        var bytes = [UInt8](repeating: 0, count: values.count * 4)
        for (i, v) in values.enumerated() {
            let b = v.bitPattern.littleEndian
            bytes[4 * i] = UInt8(truncatingIfNeeded: b); bytes[4 * i + 1] = UInt8(truncatingIfNeeded: b >> 8)
            bytes[4 * i + 2] = UInt8(truncatingIfNeeded: b >> 16); bytes[4 * i + 3] = UInt8(truncatingIfNeeded: b >> 24)
        }
        try c.encode(Data(bytes).base64EncodedString(), forKey: .data)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        shape = try c.decode([Int].self, forKey: .shape)
        let dtype = try c.decode(String.self, forKey: .dtype)
        guard dtype == "float32-le" else { throw ModelFileError.badTensor(name: name, reason: "dtype \(dtype), expected float32-le") }
        guard let data = Data(base64Encoded: try c.decode(String.self, forKey: .data)) else {
            throw ModelFileError.badTensor(name: name, reason: "data is not base64")
        }
        guard shape.allSatisfy({ $0 >= 0 }), data.count == shape.reduce(1, *) * 4 else {
            throw ModelFileError.badTensor(name: name, reason: "\(data.count) bytes do not match shape \(shape)")
        }
        var v = [Float](repeating: 0, count: data.count / 4)
        data.withUnsafeBytes { raw in
            for i in 0..<v.count {
                v[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
        values = v
    }
}
