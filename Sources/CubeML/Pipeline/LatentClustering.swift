/// The clustering stage of the pipeline: k-means of the latent embeddings for every K in
/// `kMin...kMax`, each K scored, one chosen; optionally the label maps regularised in space.
struct LatentClustering: Sendable {
    let parameters: SegmentationParameters

    /// Labels (per signal row, 0..<K) and centroids (K x L) for every K, and the choice.
    struct Outcome: Sendable {
        var labelsByK: [Int: [Int32]]
        var centroidsByK: [Int: Matrix]
        var chosenK: Int
        var report: KSelection
        /// For each K, each cluster's parent at the previous K (`ConsistentLabels`); empty
        /// until `consistentlyNumbered`.
        var parentsByK: [Int: [Int?]] = [:]
        /// The Gaussian mixture that drew each K's partition (`mixtureRefined`; component j is
        /// cluster j); emptied by `consistentlyNumbered`, which renumbers the clusters.
        var mixtureByK: [Int: GaussianMixture.Model] = [:]
    }

    /// Clusters `mu` (N x L) for every K. With a model that carries centroids, its K is kept
    /// and its centroids label the pixels, so cluster numbers match across cubes.
    ///
    /// With `grid` (the points are pixels of an image), every K's score carries the
    /// spatial coherence of its map, which the consensus criterion uses.
    func cluster(_ mu: Matrix, grid: ImageGrid?, model: TrainedModel?, isCancelled: @Sendable () -> Bool) throws -> Outcome {
        let result: IterativeKMeansResult
        do {
            let settings = IterativeKMeans(parameters: parameters)
            var all = try settings.clusterAll(mu, isCancelled: isCancelled)
            if let grid {
                for i in all.indices where all[i].scoresDefined {
                    all[i].score.spatialCoherence = grid.spatialCoherence(all[i].labels, k: all[i].k)
                }
            }
            let rule = KSelectionRule(parameters.kCriterion)
            let (k, reason) = try settings.choose(all, data: mu, rule: rule, isCancelled: isCancelled)
            result = IterativeKMeansResult(clusterings: all, chosenK: k,
                                           selection: KSelection(criterion: rule.reportedCriterion, scores: all.map(\.score), reason: reason))
        } catch let e as ClusteringError {
            throw SegmentationError.invalidData("clustering failed: \(e)")
        }
        var labels: [Int: [Int32]] = [:]
        var centroids: [Int: Matrix] = [:]
        for r in result.clusterings { labels[r.k] = r.labels; centroids[r.k] = r.centroids }
        var chosen = result.chosenK
        var report = result.selection
        if let model, let c = model.centroids, let k = model.chosenK, c.shape == [k, mu.cols] {
            let given = Matrix(rows: k, cols: mu.cols, values: c.values)
            guard let predicted = try? KMeans.predict(mu, centroids: given) else {
                throw SegmentationError.modelMismatch("its centroids do not fit the latent space")
            }
            labels[k] = predicted
            centroids[k] = given
            chosen = k
            report.reason = "K = \(k) comes from the applied model, whose centroids label this cube"
        }
        return Outcome(labelsByK: labels, centroidsByK: centroids, chosenK: chosen, report: report)
    }

    /// Mixture starts per K: the k-means partition the criteria scored and single k-means
    /// starts of other seeds. EM from one start can settle in a poor local optimum (on IFU
    /// cubes of both simulators, 2-3 optima per K whose ARI differs by up to 0.4); its own
    /// objective, the likelihood, ranks them as the truth does (README, "Clusters of their
    /// own shape"), so the most likely mixture is kept.
    static let mixtureStarts = 8
    /// EM iterations each start runs before the most likely one is chosen and run on to
    /// convergence (the optima separate within the first iterations).
    static let mixtureTrialIterations = 15
    /// Rows (a random sample) each start's trial runs on; the chosen one then runs on all.
    static let mixtureTrialRows = 4096

    /// `o` with every K's partition redrawn by a Gaussian mixture: the most likely of the
    /// mixtures EM reaches from `mixtureStarts` partitions (`GaussianMixture.mostLikely`);
    /// K stays the one chosen on the k-means scores. Returns the Ks whose mixture
    /// degenerated from every start and kept the k-means partition.
    func mixtureRefined(_ o: Outcome, embeddings mu: Matrix, isCancelled: @Sendable () -> Bool) throws -> (outcome: Outcome, keptKMeans: [Int]) {
        var out = o
        var kept: [Int] = []
        for k in o.labelsByK.keys.sorted() {
            var starts = [o.labelsByK[k]!]
            for start in 1..<Self.mixtureStarts {
                if isCancelled() { throw SegmentationError.cancelled }
                if let labels = mixtureStart(mu, k: k, start: start) { starts.append(labels) }
            }
            if isCancelled() { throw SegmentationError.cancelled }
            if let fit = GaussianMixture.mostLikely(mu, starts: starts, k: k, trialIterations: Self.mixtureTrialIterations,
                                                    trialRows: Self.mixtureTrialRows, seed: parameters.seed &+ UInt64(k)) {
                out.labelsByK[k] = fit.labels
                out.centroidsByK[k] = fit.centroids
                out.mixtureByK[k] = fit.model
            } else {
                kept.append(k)
            }
        }
        return (out, kept)
    }

    /// The partition of one single-seeding k-means start (`start` >= 1) of `mu` for `k`;
    /// nil when k-means cannot run. Its seeds differ from those of the scored partitions.
    func mixtureStart(_ mu: Matrix, k: Int, start: Int) -> [Int32]? {
        let seed = parameters.seed &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(start) &* 0xD1B5_4A32_D192_ED03
        return try? KMeans.fit(mu, k: k, restarts: 1, iterations: parameters.lloydIterations, seed: seed).labels
    }

    /// `o` with every K's clusters renumbered so that a region keeps its number from one K
    /// to the next (`ConsistentLabels`); `anchor` (an applied model's K) keeps its numbers.
    func consistentlyNumbered(_ o: Outcome, anchor: Int?) -> Outcome {
        let renumbering = ConsistentLabels.renumbering(o.labelsByK, anchor: anchor)
        var out = o
        for (k, permutation) in renumbering.permutation {
            out.labelsByK[k] = ConsistentLabels.apply(permutation, to: o.labelsByK[k]!)
            if let c = o.centroidsByK[k] { out.centroidsByK[k] = ConsistentLabels.apply(permutation, toRows: c) }
        }
        out.parentsByK = renumbering.parents
        out.mixtureByK = [:]
        return out
    }

    /// Iterated conditional modes with a Potts prior on every K's label map. `mu` has one
    /// row per signal pixel (`pixelIndex`, increasing); background stays -1. A partition a
    /// Gaussian mixture drew keeps its clusters' shapes: the data cost is the mixture's
    /// -2 log(weight N(z | component)), not the distance to the centroids (which would
    /// redraw the partition as k-means's).
    func regularised(_ o: Outcome, embeddings mu: Matrix, pixelIndex: [Int32], height: Int, width: Int) throws -> Outcome {
        var out = o
        for (k, labels) in o.labelsByK {
            let map = Segmenter.labelMap(labels, pixelIndex: pixelIndex, pixels: height * width)
            let smoothed: [Int32]
            do {
                if let model = o.mixtureByK[k] {
                    guard let logDensity = GaussianMixture.logDensities(mu, model: model) else {
                        throw SegmentationError.invalidData("spatial regularisation failed: the mixture for K = \(k) gives a non-finite likelihood")
                    }
                    smoothed = try SpatialRegularizer.icm(labels: map, height: height, width: width, cost: logDensity.map { -2 * $0 },
                                                          k: k, beta: parameters.spatialBeta, iterations: 10)
                } else {
                    smoothed = try SpatialRegularizer.icm(labels: map, height: height, width: width, embeddings: mu,
                                                          centroids: o.centroidsByK[k]!, beta: parameters.spatialBeta, iterations: 10)
                }
            } catch let e as SegmentationError {
                throw e
            } catch {
                throw SegmentationError.invalidData("spatial regularisation failed: \(error)")
            }
            out.labelsByK[k] = pixelIndex.map { smoothed[Int($0)] }
        }
        return out
    }

    /// The closures the trainer calls: DCN centroids from a quick IKMeans of a latent sample,
    /// and the paper's per-batch silhouette.
    func trainingHooks() -> ClusteringHooks {
        let p = parameters
        return ClusteringHooks(
            centroids: { sample in
                var settings = IterativeKMeans(parameters: p)
                settings.kMax = min(p.kMax, sample.rows)
                settings.kMin = min(p.kMin, settings.kMax)
                settings.restarts = 1
                settings.iterations = 20
                settings.silhouetteSample = 2048
                guard let run = try? settings.run(sample, criterion: p.kCriterion) else {
                    return ClusteringHooks.meanCentroid(sample)
                }
                return run.chosen.centroids
            },
            batchSilhouette: { batch in
                IterativeKMeans.batchSilhouette(batch, kRange: 2...min(6, max(2, batch.rows - 1)), seed: p.seed)
            })
    }
}
