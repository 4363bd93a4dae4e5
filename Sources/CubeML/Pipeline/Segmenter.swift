import CubeFormats

/// Segments a datacube by deep spectral clustering: preprocess, train (or apply) the
/// autoencoder, encode every signal pixel, cluster the embeddings for every K, choose K.
///
/// A value type with no shared state: several segmenters may run at once on different
/// threads (OpenBLAS's thread count is process-wide; set it with `BLAS.setThreads`).
public struct Segmenter: Sendable {
    public var parameters: SegmentationParameters

    public init(parameters: SegmentationParameters = SegmentationParameters()) {
        self.parameters = parameters
    }

    /// Runs the whole pipeline on `cube`. With `model`, its weights and preprocessing are
    /// applied and no training happens.
    ///
    /// - Throws: `SegmentationError` (bad parameters or data, cancellation).
    public func segment(_ cube: Datacube, model: TrainedModel? = nil,
                        observer: SegmentationObserver = SegmentationObserver()) throws -> SegmentationResult {
        throw SegmentationError.invalidData("the segmentation pipeline is being built")
    }
}
