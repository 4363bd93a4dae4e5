import CubeFormats
import Foundation

/// Segments a datacube by deep spectral clustering: preprocess, train (or apply) the
/// autoencoder, encode every signal pixel, cluster the embeddings for every K, choose K,
/// summarise each cluster.
///
/// A value type with no shared state: several segmenters may run at once on different
/// threads (the thread budget is process-wide; set it with `BLAS.setThreads`).
/// Determinism: the same cube, parameters and seed give the same labels and model, bit for
/// bit, with any thread budget and under any load (on one OpenBLAS kernel: `BLAS.coreName`).
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
        let plan: PreprocessingPlan?
        var recipe: PreprocessingRecipe
        if let model {
            plan = nil
            recipe = model.preprocessing
            guard recipe.sourceChannels == cube.channels else {
                throw SegmentationError.modelMismatch("it was trained on cubes of \(recipe.sourceChannels) channels, this cube has \(cube.channels)")
            }
        } else {
            plan = try Preprocessor.plan(for: cube, parameters: p)
            recipe = p.embedding == .pca ? plan!.linearRecipe : plan!.recipe
        }
        // Counts whose signal spans more axes than the autoencoder's latent: those axes,
        // untrained (`EmbeddingLearning.signalAxesFirst`).
        var first = try plan.flatMap { try EmbeddingLearning(parameters: p).signalAxesFirst(of: cube, plan: $0) }
        var prepared: PreparedSpectra
        if let spectra = first?.prepared, let plan {
            recipe = plan.linearRecipe
            prepared = spectra
            first?.prepared = nil
        } else {
            prepared = try Preprocessor(recipe: recipe).prepare(cube)
        }
        let n = prepared.spectra.rows
        if prepared.missing.pixelsWithoutData == cube.pixelCount {
            throw Preprocessor.noData(channels: recipe.cropStart..<recipe.cropEnd)
        }
        guard n >= 2 else { throw SegmentationError.tooFewSignalPixels(found: n) }
        if prepared.spectra.rowsAllEqual {
            throw SegmentationError.invalidData("every pixel has the same spectrum after preprocessing: there is nothing to segment")
        }
        guard p.kMax <= n else { throw SegmentationError.impossibleKRange(kMin: p.kMin, kMax: p.kMax, points: n) }
        clock.lap("preprocess")
        try progress.check()

        // 2. Train (and check against PCA), or load the given model.
        var embedding: SpectralEmbedding
        var history: [EpochRecord] = []
        var decisions: SegmentationDecisions
        if let model {
            embedding = try model.spectralEmbedding()
            guard embedding.inputLength == prepared.spectra.cols else {
                throw SegmentationError.modelMismatch("its input length is \(embedding.inputLength), the preprocessed spectra have \(prepared.spectra.cols) values")
            }
            decisions = SegmentationDecisions(plan: nil, bins: prepared.spectra.cols, transform: recipe.transform, embedding: embedding.kind,
                                              embeddingReason: "the applied model's", reconstruction: nil)
        } else if let first, first.replacesTraining {
            embedding = .principalComponents(first.fit)
            let reason = "noise-adjusted PCA, with no training: \(first.fit.components) axes carry signal, more than the autoencoder's "
                + "\(SegmentationParameters.standardLatent) latent dimensions (\(EmbeddingLearning.signalAxesRule))"
            decisions = SegmentationDecisions(plan: plan, bins: prepared.spectra.cols, transform: recipe.transform, embedding: .pca,
                                              embeddingReason: reason, reconstruction: nil, signalToNoise: first.fit.variances)
        } else {
            let learning = EmbeddingLearning(parameters: p)
            let learned = try learning.learn(prepared.spectra, progress: progress)
            embedding = learned.embedding
            history = learned.history
            var reason = learned.reason
            // PCA keeps more resolution on sparse counts than the autoencoder's input has,
            // and takes counts variance-stabilised (`Preprocessor.transforms`).
            var signalToNoise: [Double]?
            if embedding.kind == .pca, let plan {
                var refit = false
                if recipe != plan.linearRecipe {
                    reason += "; PCA fitted"
                    if plan.linearBins != prepared.spectra.cols { reason += " on \(plan.linearBins) bins, which keep more of the resolution," }
                    if plan.linearTransform != recipe.transform { reason += " with the \(plan.linearTransform.rawValue) transform" }
                    if reason.hasSuffix(",") { reason.removeLast() }
                    recipe = plan.linearRecipe
                    prepared = try Preprocessor(recipe: recipe).prepare(cube)
                    refit = true
                }
                // Counts: noise independent from pixel to pixel, measured between neighbours.
                let grid = ImageGrid(height: cube.height, width: cube.width, pixelIndex: prepared.pixelIndex)
                // The fit made before training is of these very spectra (`signalAxesFirst`).
                if plan.data?.kind == .counts, let adjusted = first?.fit ?? learning.noiseAdjustedComponents(of: prepared.spectra, grid: grid) {
                    embedding = .principalComponents(adjusted)
                    signalToNoise = adjusted.variances
                    reason += "; noise-adjusted (axes of the largest signal-to-noise ratio, the noise measured between adjacent pixels)"
                    if p.latent == nil { reason += "; \(adjusted.components) axes (\(EmbeddingLearning.signalAxesRule))" }
                } else if refit {
                    embedding = .principalComponents(try learning.principalComponents(of: prepared.spectra))
                }
            }
            decisions = SegmentationDecisions(plan: plan, bins: prepared.spectra.cols, transform: recipe.transform, embedding: embedding.kind,
                                              embeddingReason: reason, reconstruction: learned.check, signalToNoise: signalToNoise)
        }
        if !prepared.missing.isEmpty { decisions.missingValues = prepared.missing }
        clock.lap("train")
        try progress.check()

        // 3. Encode every signal pixel.
        progress.report(.encoding, ProgressReporter.encodeStart)
        let encoded = embedding.encode(prepared.spectra)
        let mu = NeighbourhoodAveraging.smooth(encoded, pixelIndex: prepared.pixelIndex, height: cube.height,
                                               width: cube.width, radius: p.spatialRadius)
        clock.lap("encode")
        try progress.check()

        // 4. Cluster the embeddings for every K; choose K.
        progress.report(.clustering, ProgressReporter.clusterStart)
        var clusteringParameters = p
        (clusteringParameters.kCriterion, decisions.kCriterionReason) = KCriterionRule.resolve(p.kCriterion, data: plan?.data)
        decisions.kCriterion = clusteringParameters.kCriterion
        let clustering = LatentClustering(parameters: clusteringParameters)
        let grid = ImageGrid(height: cube.height, width: cube.width, pixelIndex: prepared.pixelIndex)
        var outcome = try clustering.cluster(mu, grid: grid, model: model, isCancelled: observer.isCancelled)
        if model == nil {
            var (clusterModel, reason) = ClusterModelRule.resolve(p.clusterModel, data: plan?.data, bins: prepared.spectra.cols)
            if clusterModel == .gaussianMixture {
                let refined = try clustering.mixtureRefined(outcome, embeddings: mu, isCancelled: observer.isCancelled)
                outcome = refined.outcome
                if !refined.keptKMeans.isEmpty {
                    reason += "; the mixture degenerated for K = \(refined.keptKMeans.map(String.init).joined(separator: ", ")), which kept k-means"
                }
            }
            decisions.clusterModel = clusterModel
            decisions.clusterModelReason = reason
        } else {
            decisions.clusterModelReason = "k-means: the applied model's centroids label the cube"
            decisions.kCriterionReason = "none: K comes from the applied model"
        }
        if p.spatialBeta > 0 {
            outcome = try clustering.regularised(outcome, embeddings: mu, pixelIndex: prepared.pixelIndex,
                                             height: cube.height, width: cube.width)
        }
        outcome = clustering.consistentlyNumbered(outcome, anchor: model?.chosenK)
        clock.lap("cluster")
        try progress.check()

        // 5. Label maps and per-cluster summaries.
        progress.report(.summarising, ProgressReporter.summariseStart)
        var labelsByK: [Int: [Int32]] = [:]
        for (k, labels) in outcome.labelsByK {
            labelsByK[k] = Self.labelMap(labels, pixelIndex: prepared.pixelIndex, pixels: cube.pixelCount)
        }
        var summaries = try ClusterSummaries.compute(
            cube: cube, recipe: recipe, prepared: prepared, embedding: embedding, embeddings: mu,
            labelsByK: outcome.labelsByK, centroidsByK: outcome.centroidsByK)
        for (k, parents) in outcome.parentsByK {
            guard var list = summaries[k] else { continue }
            for i in list.indices where list[i].label < parents.count { list[i].parent = parents[list[i].label] }
            summaries[k] = list
        }
        clock.lap("summarise")

        let chosen = outcome.chosenK
        var trained = TrainedModel(
            architecture: embedding.architecture, preprocessing: recipe, tensors: embedding.tensors(),
            centroids: outcome.centroidsByK[chosen].map { Tensor(name: "centroids", shape: [$0.rows, $0.cols], values: $0.storage) },
            chosenK: chosen, kMin: p.kMin, kMax: p.kMax, seed: p.seed)
        trained.embedding = embedding.kind
        progress.report(.done, 1)
        let axis = cube.axis.values[recipe.cropStart..<recipe.cropEnd]
        let croppedAxis = SpectralAxis(values: Array(axis), unit: cube.axis.unit, quantity: cube.axis.quantity)
        return SegmentationResult(
            height: cube.height, width: cube.width, chosenK: chosen, selection: outcome.report,
            labelsByK: labelsByK, clusters: summaries[chosen] ?? [], clustersByK: summaries,
            history: history, timings: clock.finish(), model: trained, parameters: p, decisions: decisions,
            backgroundPixels: prepared.backgroundCount, spectralAxis: croppedAxis.values,
            spectralUnit: cube.axis.unit.rawValue,
            reconstructionAxis: SpectralAxis(values: recipe.binnedChannels.map { cube.axis.values[$0] }, unit: cube.axis.unit,
                                             quantity: cube.axis.quantity).rebinned(edges: recipe.binEdges).values)
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
