import CubeFormats

/// Learning the embedding of a run: train the autoencoder, then check what it learned
/// against PCA of the same dimension on held-out spectra.
///
/// A latent space that collapsed (the network outputs about the mean spectrum: measured on
/// an outside MA-XRF simulator at 400 counts and 512 bins, loss 0.0138 against 0.0131 for
/// the mean) carries no material information, and no K can fix the map. So:
/// - the autoencoder's reconstruction error on held-out rows is compared with the mean
///   spectrum's and with PCA's at the same dimension;
/// - a collapsed network (it removed less than half of the error PCA removes) is trained
///   once more with a constant learning rate, no dropout and another seed;
/// - with `embedding: auto`, the autoencoder is clustered only if it then reconstructs
///   better than PCA; otherwise PCA is, and `report.json` says why;
/// - with `embedding: auto`, a run that cannot get below PCA's error ends early
///   (`ReconstructionGoal`): PCA would be clustered anyway. On 48 cubes of `make quality`
///   and a held-out draw, this skipped 42% of the epochs and changed no decision.
struct EmbeddingLearning {
    struct Outcome {
        var embedding: SpectralEmbedding
        var history: [EpochRecord]
        var check: ReconstructionCheck?
        var reason: String
    }

    /// Held-out rows for the check (at most).
    static let checkRows = 4096

    let parameters: SegmentationParameters

    func learn(_ spectra: Matrix, progress: ProgressReporter) throws -> Outcome {
        let p = parameters
        let n = spectra.rows
        let trainingIndices = self.trainingIndices(rows: n)
        let training = trainingIndices.count == n ? spectra : spectra.gatherRows(trainingIndices)
        let held = spectra.gatherRows(Self.heldOut(n: n, training: trainingIndices))
        let components = min(p.latentDimension, spectra.cols)
        let pca = try principalComponents(of: training, sampled: false)
        let pcaError = SpectralEmbedding.principalComponents(pca).reconstructionError(of: held)
        let meanError = Self.meanError(of: held, mean: pca.mean)
        if p.embedding == .pca {
            return Outcome(embedding: .principalComponents(pca), history: [],
                           check: ReconstructionCheck(autoencoder: nil, meanSpectrum: meanError, pca: pcaError, attempts: 0),
                           reason: "PCA with \(components) components, as asked (embedding = pca)")
        }

        var attempt = p
        var attempts = 0
        var network: Autoencoder
        var history: [EpochRecord]
        var outOfReach: Bool
        var aeError: Double
        // Training that cannot beat PCA ends early: PCA would be clustered anyway.
        let goal = p.embedding == .auto ? ReconstructionGoal(competitor: .principalComponents(pca)) : nil
        repeat {
            attempts += 1
            network = Autoencoder(architecture: Autoencoder.architecture(for: attempt, inputLength: spectra.cols), seed: attempt.seed)
            var trainer = attempt
            trainer.batchSize = Segmenter.batchSize(requested: attempt.batchSize, trainingRows: training.rows)
            let run = try Trainer(parameters: trainer).run(
                &network, on: training, hooks: LatentClustering(parameters: attempt).trainingHooks(),
                observer: progress.trainingObserver(), goal: goal)
            history = run.records
            outOfReach = run.outOfReachBar != nil
            aeError = SpectralEmbedding.autoencoder(network).reconstructionError(of: held)
            guard Self.collapsed(autoencoder: aeError, pca: pcaError, mean: meanError), attempts == 1 else { break }
            attempt = Self.retrySettings(p)
        } while true

        let check = ReconstructionCheck(autoencoder: aeError, meanSpectrum: meanError, pca: pcaError, attempts: attempts,
                                        outOfReachEpoch: outOfReach ? history.count : nil)
        func f(_ v: Double) -> String { String(format: "%.3g", v) }
        let errors = "held-out reconstruction error \(f(aeError)) against \(f(pcaError)) for PCA(\(components)) and \(f(meanError)) for the mean spectrum"
        let retried = attempts > 1 ? " after a second training run (the first had collapsed towards the mean spectrum)" : ""
        let stopped = outOfReach
            ? "; its training stopped after epoch \(history.count) of \(attempt.epochs), where even at its pace of the last \(ReconstructionGoal.defaultWindow) epochs it could not have reached PCA's error"
            : ""
        if p.embedding == .auto && aeError >= pcaError {
            return Outcome(embedding: .principalComponents(pca), history: history, check: check,
                           reason: "PCA: the autoencoder learned less than PCA of the same dimension\(retried)\(stopped) (\(errors))")
        }
        let why = p.embedding == .autoencoder ? "the autoencoder, as asked" : "the autoencoder: it reconstructs better than PCA of the same dimension"
        return Outcome(embedding: .autoencoder(network), history: history, check: check, reason: "\(why)\(retried) (\(errors))")
    }

    /// The rows trained on: `trainingPixels` drawn at random, or all.
    func trainingIndices(rows n: Int) -> [Int] {
        let count = min(parameters.trainingPixels ?? n, n)
        return count == n ? Array(0..<n) : TrainingSample.indices(count: count, of: n, seed: parameters.seed)
    }

    /// PCA with `latent` components of the training rows of `spectra` (of `spectra` itself
    /// when `sampled` is false).
    func principalComponents(of spectra: Matrix, sampled: Bool = true) throws -> PrincipalComponents {
        let rows = sampled ? trainingIndices(rows: spectra.rows) : Array(0..<spectra.rows)
        let training = rows.count == spectra.rows ? spectra : spectra.gatherRows(rows)
        guard let pca = PrincipalComponents.fit(training, components: min(parameters.latentDimension, spectra.cols)) else {
            throw SegmentationError.invalidData("the spectra have no variance to learn from (PCA failed)")
        }
        return pca
    }

    /// Noise-adjusted PCA (`PrincipalComponents.fitNoiseAdjusted`) of `spectra` (row i is
    /// pixel `grid.pixelIndex[i]`), the noise measured between adjacent pixels, with `latent`
    /// components or, when it is nil, as many as carry signal
    /// (`SegmentationParameters.signalAxes`); nil when no two pixels are adjacent or the
    /// noise has no variance.
    func noiseAdjustedComponents(of spectra: Matrix, grid: ImageGrid) -> PrincipalComponents? {
        guard let noise = NeighbourNoise.covariance(of: spectra, grid: grid) else { return nil }
        let dimension: PrincipalComponents.Dimension = parameters.latent.map { .exactly(min($0, spectra.cols)) }
            ?? .signal(SegmentationParameters.signalAxes)
        return PrincipalComponents.fitNoiseAdjusted(spectra, noise: noise, dimension: dimension)
    }

    /// The noise-adjusted axes of photon counts, fitted before any training.
    struct SignalAxesFirst {
        /// Noise-adjusted PCA of the plan's linear spectra, as many axes as carry signal.
        var fit: PrincipalComponents
        /// Whether the fit is clustered and nothing trained: it has more axes than
        /// `SegmentationParameters.standardLatent`.
        var replacesTraining: Bool
        /// The spectra fitted when the fit replaces training, else nil (they are not kept
        /// while the autoencoder trains).
        var prepared: PreparedSpectra?
    }

    /// With `embedding: auto`, `latent` unset and counts, the noise-adjusted axes that carry
    /// signal are fitted first. When there are more of them than the autoencoder's latent
    /// dimensions (`SegmentationParameters.standardLatent`), they are clustered and nothing
    /// is trained: the autoencoder won the reconstruction check on such cubes because PCA(8)
    /// missed axes, and its map trailed theirs (README: "As many axes as carry signal").
    /// Nil when the rule does not apply or the spectra cannot be fitted (the usual path
    /// then reports why).
    func signalAxesFirst(of cube: Datacube, plan: PreprocessingPlan) throws -> SignalAxesFirst? {
        let p = parameters
        guard p.embedding == .auto, p.latent == nil, plan.data?.kind == .counts else { return nil }
        let prepared = try Preprocessor(recipe: plan.linearRecipe).prepare(cube)
        guard prepared.spectra.rows >= 2, !prepared.spectra.rowsAllEqual else { return nil }
        let grid = ImageGrid(height: cube.height, width: cube.width, pixelIndex: prepared.pixelIndex)
        guard let fit = noiseAdjustedComponents(of: prepared.spectra, grid: grid) else { return nil }
        let replaces = fit.components > SegmentationParameters.standardLatent
        return SignalAxesFirst(fit: fit, replacesTraining: replaces, prepared: replaces ? prepared : nil)
    }

    /// The rule behind a noise-adjusted embedding whose axes `SegmentationParameters.signalAxes`
    /// counted, for `embedding_reason`.
    static var signalAxesRule: String {
        let a = SegmentationParameters.signalAxes
        let ratio = a.ratio == a.ratio.rounded() ? String(Int(a.ratio)) : String(a.ratio)
        return "an axis carries signal when its whitened variance is at least \(ratio) times the noise's largest, "
            + "estimated by the \(a.most + 1)th largest; \(a.least) to \(a.most) axes are kept"
    }

    /// A collapsed autoencoder removed less than half of the error PCA removes from the
    /// mean spectrum's.
    static func collapsed(autoencoder: Double, pca: Double, mean: Double) -> Bool {
        mean - autoencoder < 0.5 * (mean - pca)
    }

    /// The second run's settings: a constant learning rate (no plateau cuts, no early stop
    /// while the loss sits on the mean-spectrum plateau), no dropout, another seed.
    static func retrySettings(_ p: SegmentationParameters) -> SegmentationParameters {
        var r = p
        r.seed = p.seed &+ 0x5EED
        r.dropout = 0
        r.plateauPatience = max(p.epochs, 1)
        r.earlyStoppingPatience = 0
        r.epochs = min(p.epochs, 60)
        return r
    }

    /// Up to `checkRows` row indices not in `training` (sorted), spread evenly; when
    /// training used every row, evenly spread rows of all.
    static func heldOut(n: Int, training: [Int]) -> [Int] {
        var pool: [Int]
        if training.count < n {
            var used = [Bool](repeating: false, count: n)
            for i in training { used[i] = true }
            pool = (0..<n).filter { !used[$0] }
        } else {
            pool = Array(0..<n)
        }
        guard pool.count > checkRows else { return pool }
        return (0..<checkRows).map { pool[$0 * pool.count / checkRows] }
    }

    static func meanError(of x: Matrix, mean: [Float]) -> Double {
        var s = 0.0
        for r in 0..<x.rows { for j in 0..<x.cols { let d = Double(x[r, j] - mean[j]); s += d * d } }
        return s / Double(max(1, x.storage.count))
    }
}
