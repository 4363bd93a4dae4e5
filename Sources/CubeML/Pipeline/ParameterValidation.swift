extension SegmentationParameters {
    /// Checks every value against its allowed range; throws
    /// `SegmentationError.invalidParameter` naming the first offending parameter.
    public func validate() throws {
        func fail(_ name: String, _ reason: String) throws -> Never {
            throw SegmentationError.invalidParameter(name: name, reason: reason)
        }
        if kMin < 2 { try fail("k_min", "must be at least 2, got \(kMin)") }
        if kMax < kMin { try fail("k_max", "must be at least k_min (\(kMin)), got \(kMax)") }
        if kMax > 64 { try fail("k_max", "must be at most 64, got \(kMax)") }
        if let latent, latent < 1 || latent > 256 { try fail("latent", "must be in 1...256, got \(latent)") }
        if encodingDim < latentDimension { try fail("encoding_dim", "must be at least latent (\(latentDimension)), got \(encodingDim)") }
        if hiddenLayers < 0 || hiddenLayers > 16 { try fail("hidden_layers", "must be in 0...16, got \(hiddenLayers)") }
        if !(0..<1).contains(dropout) { try fail("dropout", "must be in [0, 1), got \(dropout)") }
        if epochs < 0 || epochs > 100_000 { try fail("epochs", "must be in 0...100000, got \(epochs)") }
        if batchSize < 2 || batchSize > 65_536 { try fail("batch_size", "must be in 2...65536, got \(batchSize)") }
        if !(learningRate > 0 && learningRate < 10) { try fail("learning_rate", "must be in (0, 10), got \(learningRate)") }
        if !(plateauFactor > 0 && plateauFactor < 1) { try fail("plateau_factor", "must be in (0, 1), got \(plateauFactor)") }
        if plateauPatience < 0 { try fail("plateau_patience", "must be >= 0, got \(plateauPatience)") }
        if earlyStoppingPatience < 0 { try fail("early_stopping_patience", "must be >= 0, got \(earlyStoppingPatience)") }
        if !(0..<0.9).contains(validationFraction) { try fail("validation_fraction", "must be in [0, 0.9), got \(validationFraction)") }
        if betaMin < 0 { try fail("beta_min", "must be >= 0, got \(betaMin)") }
        if betaMax < 0 { try fail("beta_max", "must be >= 0, got \(betaMax)") }
        if betaStartEpoch < 0 { try fail("beta_start_epoch", "must be >= 0, got \(betaStartEpoch)") }
        if betaEndEpoch < betaStartEpoch { try fail("beta_end_epoch", "must be >= beta_start_epoch (\(betaStartEpoch))") }
        if gamma < 0 { try fail("gamma", "must be >= 0, got \(gamma)") }
        if kmeansRestarts < 1 || kmeansRestarts > 100 { try fail("kmeans_restarts", "must be in 1...100, got \(kmeansRestarts)") }
        if lloydIterations < 1 || lloydIterations > 10_000 { try fail("lloyd_iterations", "must be in 1...10000, got \(lloydIterations)") }
        if silhouetteSample < 100 { try fail("silhouette_sample", "must be at least 100, got \(silhouetteSample)") }
        if spatialRadius < 0 || spatialRadius > 8 { try fail("spatial_radius", "must be in 0...8, got \(spatialRadius)") }
        if spatialBeta < 0 { try fail("spatial_beta", "must be >= 0, got \(spatialBeta)") }
        if smoothing < 0 || smoothing > 1025 { try fail("smoothing", "must be in 0...1025, got \(smoothing)") }
        if let bins, bins < 0 || bins == 1 { try fail("bins", "must be 0 (keep every channel) or at least 2, got \(bins)") }
        if let trainingPixels, trainingPixels < 2 { try fail("training_pixels", "must be at least 2, got \(trainingPixels)") }
        if let s = cropStart, s < 0 { try fail("crop_start", "must be >= 0, got \(s)") }
        if let e = cropEnd, e < 1 { try fail("crop_end", "must be >= 1, got \(e)") }
        if let s = cropStart, let e = cropEnd, e <= s { try fail("crop_end", "must be greater than crop_start (\(s)), got \(e)") }
        if case .threshold(let t) = background, !t.isFinite || t < 0 { try fail("background", "threshold must be a finite number >= 0") }
    }

    /// The checks that need the cube: the crop within its `channels`. Throws
    /// `SegmentationError.invalidParameter` naming the parameter at fault.
    public func validate(channels: Int) throws {
        let start = cropStart ?? 0
        let end = cropEnd ?? channels
        if start < 0 { throw SegmentationError.invalidParameter(name: "crop_start", reason: "must be >= 0, got \(start)") }
        if start >= channels {
            throw SegmentationError.invalidParameter(name: "crop_start", reason: "must be below the cube's \(channels) channels, got \(start)")
        }
        if end > channels {
            throw SegmentationError.invalidParameter(name: "crop_end", reason: "must be <= the cube's \(channels) channels, got \(end)")
        }
        if end <= start {
            throw SegmentationError.invalidParameter(name: "crop_end", reason: "must be greater than crop_start (\(start)), got \(end)")
        }
    }
}
