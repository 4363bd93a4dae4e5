import CubeFormats
import Foundation

/// Segments a datacube by deep spectral clustering: preprocess, train (or apply) the
/// autoencoder, encode every signal pixel, cluster the embeddings for every K, choose K,
/// summarise each cluster.
///
/// A value type with no shared state: several segmenters may run at once on different
/// threads (OpenBLAS's thread count is process-wide; set it with `BLAS.setThreads`).
/// Determinism: the same cube, parameters, seed and BLAS thread count give the same labels.
public struct Segmenter: Sendable {
    public var parameters: SegmentationParameters

    public init(parameters: SegmentationParameters = SegmentationParameters()) {
        self.parameters = parameters
    }

    /// Runs the whole pipeline on `cube`. With `model`, its weights and preprocessing are
    /// applied and no training happens; its centroids label the cube at the model's K, so
    /// cluster numbers mean the same materials on both cubes.
    ///
    /// - Throws: `SegmentationError` (bad parameters or data, cancellation), `ModelFileError`.
    public func segment(_ cube: Datacube, model: TrainedModel? = nil,
                        observer: SegmentationObserver = SegmentationObserver()) throws -> SegmentationResult {
        let p = parameters
        try p.validate()
        var clock = PhaseClock()
        let progress = ProgressReporter(observer: observer)

        // 1. Preprocess: one pass over the cube.
        progress.report(.preprocessing, 0)
        let recipe: PreprocessingRecipe
        if let model {
            recipe = model.preprocessing
            guard recipe.sourceChannels == cube.channels else {
                throw SegmentationError.modelMismatch("it was trained on cubes of \(recipe.sourceChannels) channels, this cube has \(cube.channels)")
            }
        } else {
            recipe = try Preprocessor.recipe(for: cube, parameters: p)
        }
        let prepared = try Preprocessor(recipe: recipe).prepare(cube)
        let n = prepared.spectra.rows
        guard n >= 2 else { throw SegmentationError.tooFewSignalPixels(found: n) }
        guard p.kMax <= n else { throw SegmentationError.impossibleKRange(kMin: p.kMin, kMax: p.kMax, points: n) }
        clock.lap("preprocess")
        try progress.check()

        // 2. Train, or load the given model.
        var network: Autoencoder
        var history: [EpochRecord] = []
        if let model {
            network = try Autoencoder(architecture: model.architecture, tensors: model.tensors)
            guard model.architecture.inputLength == prepared.spectra.cols else {
                throw SegmentationError.modelMismatch("its input length is \(model.architecture.inputLength), the preprocessed spectra have \(prepared.spectra.cols) values")
            }
        } else {
            let architecture = Autoencoder.architecture(for: p, inputLength: prepared.spectra.cols)
            network = Autoencoder(architecture: architecture, seed: p.seed)
            let trainingRows = min(p.trainingPixels ?? n, n)
            let training = trainingRows == n
                ? prepared.spectra
                : prepared.spectra.gatherRows(TrainingSample.indices(count: trainingRows, of: n, seed: p.seed))
            var trainerParameters = p
            trainerParameters.batchSize = Self.batchSize(requested: p.batchSize, trainingRows: training.rows)
            history = try Trainer(parameters: trainerParameters).train(
                &network, on: training, hooks: LatentClustering(parameters: p).trainingHooks(),
                observer: progress.trainingObserver())
        }
        clock.lap("train")
        try progress.check()

        // 3. Encode every signal pixel.
        progress.report(.encoding, ProgressReporter.encodeStart)
        let mu = network.encode(prepared.spectra)
        clock.lap("encode")
        try progress.check()

        // 4. Cluster the embeddings for every K; choose K.
        progress.report(.clustering, ProgressReporter.clusterStart)
        let clustering = LatentClustering(parameters: p)
        var outcome = try clustering.cluster(mu, model: model, isCancelled: observer.isCancelled)
        if p.spatialBeta > 0 {
            outcome = try clustering.regularised(outcome, embeddings: mu, pixelIndex: prepared.pixelIndex,
                                             height: cube.height, width: cube.width)
        }
        clock.lap("cluster")
        try progress.check()

        // 5. Label maps and per-cluster summaries.
        progress.report(.summarising, ProgressReporter.summariseStart)
        var labelsByK: [Int: [Int32]] = [:]
        for (k, labels) in outcome.labelsByK {
            labelsByK[k] = Self.labelMap(labels, pixelIndex: prepared.pixelIndex, pixels: cube.pixelCount)
        }
        let summaries = try ClusterSummaries.compute(
            cube: cube, recipe: recipe, prepared: prepared, network: network, embeddings: mu,
            labelsByK: outcome.labelsByK, centroidsByK: outcome.centroidsByK)
        clock.lap("summarise")

        let chosen = outcome.chosenK
        let trained = TrainedModel(
            architecture: network.architecture, preprocessing: recipe, tensors: network.tensors(),
            centroids: outcome.centroidsByK[chosen].map { Tensor(name: "centroids", shape: [$0.rows, $0.cols], values: $0.storage) },
            chosenK: chosen, kMin: p.kMin, kMax: p.kMax, seed: p.seed)
        progress.report(.done, 1)
        let axis = cube.axis.values[recipe.cropStart..<recipe.cropEnd]
        let croppedAxis = SpectralAxis(values: Array(axis), unit: cube.axis.unit, quantity: cube.axis.quantity)
        return SegmentationResult(
            height: cube.height, width: cube.width, chosenK: chosen, selection: outcome.report,
            labelsByK: labelsByK, clusters: summaries[chosen] ?? [], clustersByK: summaries,
            history: history, timings: clock.finish(), model: trained, parameters: p,
            backgroundPixels: prepared.backgroundCount, spectralAxis: croppedAxis.values,
            spectralUnit: cube.axis.unit.rawValue,
            reconstructionAxis: croppedAxis.rebinned(edges: recipe.binEdges).values)
    }

    /// Optimiser steps per epoch below which batches shrink: the latent space separates
    /// classes only after on the order of 1,500 steps (method.md), which a small cube at
    /// batch 512 never reaches within its epochs.
    public static let minimumStepsPerEpoch = 32

    /// The batch size used for `trainingRows` rows: `requested`, or smaller (never below 16)
    /// so that an epoch has at least `minimumStepsPerEpoch` steps.
    static func batchSize(requested: Int, trainingRows: Int) -> Int {
        min(requested, max(16, trainingRows / minimumStepsPerEpoch))
    }

    /// Scatters per-signal-pixel labels into a full (height * width) map; background is -1.
    static func labelMap(_ labels: [Int32], pixelIndex: [Int32], pixels: Int) -> [Int32] {
        var map = [Int32](repeating: -1, count: pixels)
        for (row, pixel) in pixelIndex.enumerated() { map[Int(pixel)] = labels[row] }
        return map
    }
}

/// Wall time per phase, in seconds.
struct PhaseClock {
    private var start = DispatchTime.now().uptimeNanoseconds
    private var last = DispatchTime.now().uptimeNanoseconds
    private var laps: [String: Double] = [:]

    mutating func lap(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        laps[name] = Double(now - last) / 1e9
        last = now
    }

    func finish() -> [String: Double] {
        var out = laps
        out["total"] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return out
    }
}
