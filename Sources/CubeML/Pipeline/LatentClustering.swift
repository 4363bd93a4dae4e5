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
    }

    /// Clusters `mu` (N x L) for every K. With a model that carries centroids, its K is kept
    /// and its centroids label the pixels, so cluster numbers match across cubes.
    func cluster(_ mu: Matrix, model: TrainedModel?, isCancelled: @Sendable () -> Bool) throws -> Outcome {
        let p = parameters
        let result = try IterativeKMeans.run(
            mu, kRange: p.kMin...p.kMax, restarts: p.kmeansRestarts, iterations: p.lloydIterations,
            silhouetteSample: p.silhouetteSample, criterion: p.kCriterion, seed: p.seed, isCancelled: isCancelled)
        var labels: [Int: [Int32]] = [:]
        var centroids: [Int: Matrix] = [:]
        for r in result.results { labels[r.k] = r.labels; centroids[r.k] = r.centroids }
        var chosen = result.chosenK
        var report = result.selection
        if let model, let c = model.centroids, let k = model.chosenK, c.shape == [k, mu.cols] {
            let given = Matrix(rows: k, cols: mu.cols, values: c.values)
            labels[k] = try KMeans.predict(mu, centroids: given)
            centroids[k] = given
            chosen = k
            report.reason = "K = \(k) comes from the applied model, whose centroids label this cube"
        }
        return Outcome(labelsByK: labels, centroidsByK: centroids, chosenK: chosen, report: report)
    }

    /// Iterated conditional modes with a Potts prior on every K's label map.
    func regularised(_ o: Outcome, embeddings mu: Matrix, pixelIndex: [Int32], height: Int, width: Int) -> Outcome {
        o  // interim: the spatial regulariser lands with the clustering module
    }

    /// The closures the trainer calls: DCN centroids from a quick IKMeans of a latent sample,
    /// and the paper's per-batch silhouette.
    func trainingHooks() -> ClusteringHooks {
        let p = parameters
        return ClusteringHooks(
            centroids: { sample in
                guard let run = try? IterativeKMeans.run(
                    sample, kRange: p.kMin...min(p.kMax, sample.rows), restarts: 1, iterations: 20,
                    silhouetteSample: 2048, criterion: p.kCriterion, seed: p.seed, isCancelled: { false }),
                    let best = run.results.first(where: { $0.k == run.chosenK })
                else { return ClusteringHooks.meanCentroid(sample) }
                return best.centroids
            },
            batchSilhouette: { batch in
                IterativeKMeans.batchSilhouette(batch, kRange: 2...min(6, max(2, batch.rows - 1)), seed: p.seed)
            })
    }
}
