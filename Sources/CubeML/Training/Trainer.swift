import Foundation

/// Trains an `Autoencoder` on preprocessed spectra as method.md describes: Adam, reduce on
/// plateau, early stopping on a held-out validation set, the VAE's MMD with a beta ramp,
/// and a clustering term (the paper's silhouette constant or DCN's pull to centroids).
///
/// Randomness: every draw comes from `SeededGenerator(seed: parameters.seed, stream:)`
/// (2: validation split, 3: epoch shuffles, 4: dropout masks, 5: VAE noise and MMD prior
/// samples, 6: DCN centroid samples), so the same data, parameters, seed and BLAS thread
/// count give the same weights.
public struct Trainer: Sendable {
    public var parameters: SegmentationParameters

    public init(parameters: SegmentationParameters) {
        self.parameters = parameters
    }

    /// Rows sampled (at most) to refresh the DCN centroids at the start of an epoch.
    public static let centroidSample = 4096

    /// Trains `model` in place on `data` (N x inputLength, rows are preprocessed spectra,
    /// e.g. in [0, 1] after the log_max transform) and returns one record per epoch run.
    ///
    /// - A fraction `validationFraction` of the rows (at least 1 when the fraction is > 0)
    ///   is held out. The validation loss is the evaluation-mode reconstruction MSE on it,
    ///   plus the DCN term on its mu once that term is active (with no validation rows: the
    ///   epoch's mean training reconstruction, plus DCN). It drives the plateau scheduler
    ///   and early stopping; at the end the weights of the best validation epoch are kept.
    /// - Each epoch shuffles the training rows and runs floor(nTrain / batch) full batches of
    ///   `batchSize` rows (the last partial batch is dropped, as the reference does; the
    ///   dropped rows change with every shuffle). With fewer rows than `batchSize`, one
    ///   batch of all of them.
    /// - Variational models add beta * MMD(z, 256 N(0, I) samples); beta goes linearly from
    ///   betaMin (epochs <= betaStartEpoch) to betaMax (epochs >= betaEndEpoch), epochs
    ///   counted from 0. Plain autoencoders have beta 0.
    /// - `.silhouette` (gamma > 0): per batch, the record's clustering term adds
    ///   gamma (1 - s)/2, s = `hooks.batchSilhouette(mu of the batch)`; a constant with no
    ///   gradient, exactly as the paper's code (it changes nothing in the weights).
    /// - `.dcn` (gamma > 0): after a warm-up, every epoch starts by sampling up to 4096
    ///   training rows, encoding them and asking `hooks.centroids` for centroids; each batch
    ///   then adds gamma * mean_i |mu_i - c_a(i)|² with its gradient, and moves each
    ///   assigned centroid towards its rows by a running mean (DCN's update, counts starting
    ///   at the sample's cluster sizes). The warm-up (plain autoencoder pretraining, as DCN
    ///   prescribes) lasts until the plateau scheduler first cuts the learning rate
    ///   (reconstruction has converged) or until epoch max(1, epochs / 2), counted from 0,
    ///   whichever comes first. The latent needs on the order of a thousand steps or more to
    ///   separate classes, and centroids taken earlier lock in a bad partition (measured on
    ///   the 3-class test data: starting at epoch 13 or 20 of 60 left 35% nearest-class-mean
    ///   accuracy, against 98% without the term). When the term switches on, the early-
    ///   stopping and plateau "best" values are reset, since the objective changed.
    ///
    /// - Throws: `SegmentationError.cancelled` when `observer.isCancelled()` turns true
    ///   (polled before each batch; `model` then holds the weights of the last step),
    ///   `.modelMismatch` when data columns differ from the model's input,
    ///   `.invalidParameter` / `.invalidData` for unusable settings or data.
    @discardableResult
    public func train(_ model: inout Autoencoder, on data: Matrix, hooks: ClusteringHooks = ClusteringHooks(),
                      observer: TrainingObserver = TrainingObserver()) throws -> [EpochRecord] {
        try run(&model, on: data, hooks: hooks, observer: observer).records
    }

    /// What `run` did: one record per epoch run, and, when it ended because its goal was out
    /// of reach, the goal's bar on the validation rows.
    public struct Run: Sendable {
        public var records: [EpochRecord]
        /// The competitor's error on the validation rows when the run ended because it could
        /// not get below it (`ReconstructionGoal`); nil otherwise.
        public var outOfReachBar: Double?
    }

    /// `train`, and with a `goal` the run also ends (keeping its best weights) once the goal
    /// is out of reach: the best validation loss, projected at its recent pace over the
    /// epochs left, stays above the competitor's error on the validation rows. The goal is
    /// ignored without validation rows or while a DCN term is on (the validation loss is then
    /// no reconstruction error).
    public func run(_ model: inout Autoencoder, on data: Matrix, hooks: ClusteringHooks = ClusteringHooks(),
                    observer: TrainingObserver = TrainingObserver(), goal: ReconstructionGoal? = nil) throws -> Run {
        let p = parameters
        let arch = model.architecture
        try validate(data: data, architecture: arch)

        // Validation split.
        var splitRNG = SeededGenerator(seed: p.seed, stream: 2)
        var order = Array(0..<data.rows)
        order.shuffle(using: &splitRNG)
        var validationCount = p.validationFraction > 0 ? max(1, Int((Double(data.rows) * p.validationFraction).rounded())) : 0
        validationCount = min(validationCount, data.rows - 1)
        var trainRows = Array(order[validationCount...])
        let validation = validationCount > 0 ? data.gatherRows(order[0..<validationCount]) : nil

        let batch = min(p.batchSize, trainRows.count)
        let batchesPerEpoch = trainRows.count / batch
        let graph = model.graph
        let width = arch.inputLength
        let ws = NetworkWorkspace(architecture: arch, capacity: batch, training: true)
        let evalWS = NetworkWorkspace(architecture: arch, capacity: min(Autoencoder.inferenceBatch, max(validationCount, 1)),
                                      training: false)
        var gradients = [Float](repeating: 0, count: model.parameterCount)
        var adam = Adam(parameterCount: model.parameterCount, learningRate: p.learningRate)
        var plateau = PlateauScheduler(learningRate: p.learningRate, factor: p.plateauFactor, patience: p.plateauPatience)
        var stopper = EarlyStopping(patience: p.earlyStoppingPatience)
        var shuffleRNG = SeededGenerator(seed: p.seed, stream: 3)
        var dropoutRNG = SeededGenerator(seed: p.seed, stream: 4)
        var noiseRNG = SeededGenerator(seed: p.seed, stream: 5)
        var sampleRNG = SeededGenerator(seed: p.seed, stream: 6)

        let useDCN = p.clusteringTerm == .dcn && p.gamma > 0
        let bar = useDCN ? nil : validation.flatMap { rows in goal?.bar(on: rows) }
        var outOfReachBar: Double? = nil
        let useSilhouette = p.clusteringTerm == .silhouette && p.gamma > 0
        let dcnWarmupEnd = max(1, p.epochs / 2)
        var dcn = DCNCentroids(latent: arch.latent)
        var dcnActive = false

        var best: [Float]? = nil
        var governor = ContentionGovernor()
        defer { governor.finish() }
        var records: [EpochRecord] = []
        let totalBatches = Double(max(1, p.epochs * batchesPerEpoch))
        let gamma = Float(p.gamma)

        for epoch in 0..<p.epochs {
            let started = ContinuousClock.now
            let beta = arch.variational ? betaAt(epoch: epoch) : 0

            // DCN: warm-up, then centroids refreshed at every epoch start.
            if useDCN {
                // Pretraining has converged once the plateau scheduler cut the rate.
                if !dcnActive && (epoch >= dcnWarmupEnd || plateau.learningRate < p.learningRate) {
                    dcnActive = true
                    stopper.resetBest()
                    plateau.resetBest()
                }
                if dcnActive {
                    let sampleCount = min(Self.centroidSample, trainRows.count)
                    var pick = trainRows
                    for i in 0..<sampleCount { pick.swapAt(i, i + sampleRNG.nextInt(below: pick.count - i)) }
                    let mu = model.encode(data.gatherRows(pick[0..<sampleCount]))
                    let c = hooks.centroids(mu)
                    guard c.rows >= 1, c.cols == arch.latent else {
                        throw SegmentationError.invalidData("the clustering hook returned \(c.rows) x \(c.cols) centroids; expected k x \(arch.latent) with k >= 1")
                    }
                    dcn.reset(centroids: c, sample: mu)
                }
            }

            trainRows.shuffle(using: &shuffleRNG)
            var sums = (loss: 0.0, reconstruction: 0.0, mmd: 0.0, clustering: 0.0)
            try model.parameters.withUnsafeMutableBufferPointer { pb in
                let params = pb.baseAddress!
                try gradients.withUnsafeMutableBufferPointer { gb in
                    try data.storage.withUnsafeBufferPointer { src in
                        for b in 0..<batchesPerEpoch {
                            if observer.isCancelled() { throw SegmentationError.cancelled }
                            let input = ws.input.pointer
                            for r in 0..<batch {
                                (input + r * width).update(from: src.baseAddress! + trainRows[b * batch + r] * width, count: width)
                            }
                            let losses = dcn.withTarget(active: dcnActive, gamma: gamma) { target in
                                graph.trainingStep(input: input, rows: batch, parameters: params, gradients: gb.baseAddress!,
                                                   workspace: ws, beta: Float(beta), dcn: target,
                                                   dropoutGenerator: &dropoutRNG, noiseGenerator: &noiseRNG)
                            }
                            var clustering = losses.dcn
                            if useSilhouette {
                                let mu = Matrix(rows: batch, cols: arch.latent,
                                                values: Array(UnsafeBufferPointer(start: ws.mu.pointer, count: batch * arch.latent)))
                                clustering = p.gamma * (1 - hooks.batchSilhouette(mu)) / 2
                            }
                            adam.update(params, gradients: gb.baseAddress!)
                            if dcnActive {
                                dcn.update(mu: ws.mu.pointer, assignments: ws.assignments, rows: batch)
                            }
                            sums.reconstruction += losses.reconstruction
                            sums.mmd += losses.mmd
                            sums.clustering += clustering
                            sums.loss += losses.reconstruction + beta * losses.mmd + clustering
                            observer.batchEnded(Double(epoch * batchesPerEpoch + b + 1) / totalBatches)
                            governor.step()
                        }
                    }
                }
            }
            let n = Double(batchesPerEpoch)
            let meanReconstruction = sums.reconstruction / n
            let meanDCN = useDCN ? sums.clustering / n : 0
            let validationLoss: Double
            if let validation {
                validationLoss = model.parameters.withUnsafeBufferPointer { pb in
                    dcn.withTarget(active: dcnActive, gamma: gamma) { target in
                        Self.evaluationLoss(graph: graph, data: validation, parameters: pb.baseAddress!,
                                            workspace: evalWS, dcn: target)
                    }
                }
            } else {
                validationLoss = meanReconstruction + meanDCN
            }
            let record = EpochRecord(
                epoch: epoch + 1, loss: sums.loss / n, reconstruction: meanReconstruction, mmd: sums.mmd / n,
                clustering: sums.clustering / n, validation: validationLoss, learningRate: adam.learningRate,
                beta: beta, seconds: Self.seconds(since: started))
            records.append(record)

            plateau.step(validationLoss)
            adam.learningRate = plateau.learningRate
            let verdict = stopper.update(validationLoss)
            if verdict.improved { best = model.parameters }
            observer.epochEnded(record, p.epochs)
            if verdict.stop { break }
            if let goal, let bar, goal.isOutOfReach(records.map(\.validation), bar: bar, epochs: p.epochs) {
                outOfReachBar = bar
                break
            }
        }
        if let best { model.parameters = best }
        return Run(records: records, outOfReachBar: outOfReachBar)
    }

    /// beta of `epoch` (from 0): betaMin up to betaStartEpoch, linear, betaMax from betaEndEpoch.
    func betaAt(epoch: Int) -> Double {
        let p = parameters
        if epoch <= p.betaStartEpoch { return p.betaMin }
        if epoch >= p.betaEndEpoch { return p.betaMax }
        return p.betaMin + (p.betaMax - p.betaMin) * Double(epoch - p.betaStartEpoch) / Double(p.betaEndEpoch - p.betaStartEpoch)
    }

    /// Evaluation-mode reconstruction MSE over every row of `data`, plus the DCN term on mu
    /// (weighted, mean over rows) when a target is given.
    static func evaluationLoss(graph: AutoencoderGraph, data: Matrix, parameters: UnsafePointer<Float>,
                               workspace ws: NetworkWorkspace, dcn: AutoencoderGraph.DCNTarget?) -> Double {
        let width = data.cols, latent = graph.architecture.latent
        var squared = 0.0, dcnSum = 0.0
        data.storage.withUnsafeBufferPointer { src in
            var start = 0
            while start < data.rows {
                let rows = min(ws.capacity, data.rows - start)
                let x = src.baseAddress! + start * width
                graph.encode(x, rows: rows, parameters: parameters, workspace: ws)
                if let dcn {
                    dcnSum += Double(rows) * DCNTerm.compute(z: ws.mu.pointer, rows: rows, dims: latent, centroids: dcn.centroids,
                                                             count: dcn.count, gamma: dcn.gamma, gradient: nil, assignments: nil)
                }
                graph.decode(ws.mu.pointer, rows: rows, parameters: parameters, workspace: ws)
                squared += Double(rows * width) * MSELoss.forwardBackward(output: ws.output.pointer, target: x,
                                                                         count: rows * width, gradient: nil)
                start += rows
            }
        }
        return squared / Double(data.rows * width) + dcnSum / Double(data.rows)
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    private func validate(data: Matrix, architecture a: Architecture) throws {
        let p = parameters
        guard data.cols == a.inputLength else {
            throw SegmentationError.modelMismatch("the training spectra have \(data.cols) channels, the network takes \(a.inputLength)")
        }
        guard data.rows >= 2 else { throw SegmentationError.invalidData("training needs at least 2 spectra, got \(data.rows)") }
        func bad(_ name: String, _ reason: String) -> SegmentationError { .invalidParameter(name: name, reason: reason) }
        if p.batchSize < 1 { throw bad("batch_size", "\(p.batchSize) < 1") }
        if p.epochs < 0 { throw bad("epochs", "\(p.epochs) < 0") }
        if !(p.learningRate > 0 && p.learningRate.isFinite) { throw bad("learning_rate", "\(p.learningRate) is not a positive number") }
        if !(p.validationFraction >= 0 && p.validationFraction < 1) { throw bad("validation_fraction", "\(p.validationFraction) outside [0, 1)") }
        if !(p.plateauFactor > 0 && p.plateauFactor <= 1) { throw bad("plateau_factor", "\(p.plateauFactor) outside (0, 1]") }
        if p.plateauPatience < 0 { throw bad("plateau_patience", "\(p.plateauPatience) < 0") }
        if p.earlyStoppingPatience < 0 { throw bad("early_stopping_patience", "\(p.earlyStoppingPatience) < 0") }
        if !(p.gamma >= 0 && p.gamma.isFinite) { throw bad("gamma", "\(p.gamma) is not a number >= 0") }
        if !(p.betaMin.isFinite && p.betaMax.isFinite) { throw bad("beta_min/beta_max", "not finite") }
        if data.storage.contains(where: { !$0.isFinite }) { throw SegmentationError.invalidData("the training spectra contain NaN or infinite values") }
    }
}
