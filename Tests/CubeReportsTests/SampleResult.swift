import CubeML
import Foundation

/// A small hand-made result: a 4 x 3 map, K = 2 and 3 tried, K = 3 chosen, five channels
/// rebinned to three, latent dimension 2, a two-epoch history and a tiny model.
enum SampleResult {
    static let labels2: [Int32] = [0, 0, 1, -1,
                                   1, 1, 0, 0,
                                   -1, 1, 1, 0]
    static let labels3: [Int32] = [0, 2, 1, -1,
                                   1, 2, 0, 0,
                                   -1, 1, 2, 0]

    static func cluster(_ label: Int, pixels: Int, k: Int) -> ClusterSummary {
        let s = Float(label + 1) + Float(k) / 10
        return ClusterSummary(label: label, pixels: pixels, centroid: [s, -s],
                              meanSpectrum: (0..<5).map { s * Float($0 + 1) }, meanReconstruction: [0.1 * s, 0.2 * s, 0.3 * s],
                              meanInput: [0.11 * s, 0.21 * s, 0.31 * s])
    }

    static func make() -> SegmentationResult {
        let clusters3 = [cluster(0, pixels: 4, k: 3), cluster(1, pixels: 3, k: 3), cluster(2, pixels: 3, k: 3)]
        let clusters2 = [cluster(0, pixels: 5, k: 2), cluster(1, pixels: 5, k: 2)]
        let scores = [KScore(k: 2, silhouette: 0.41, calinskiHarabasz: 12.5, daviesBouldin: 0.9, inertia: 3.25),
                      KScore(k: 3, silhouette: 0.62, calinskiHarabasz: 20.0, daviesBouldin: 0.5, inertia: 1.5)]
        let model = TrainedModel(
            architecture: Architecture(inputLength: 3, encoderHidden: [4], encodingDim: 2, latent: 2, decoderHidden: [4],
                                       variational: false, dropout: 0.1),
            preprocessing: PreprocessingRecipe(sourceChannels: 5, cropStart: 0, cropEnd: 5, binEdges: [0, 2, 4, 5],
                                               transform: .logMax, smoothing: 0, backgroundThreshold: 1.5),
            tensors: [Tensor(name: "encoder.0.weight", shape: [4, 3], values: (0..<12).map { Float($0) * 0.25 - 1 }),
                      Tensor(name: "encoder.0.bias", shape: [4], values: [0.5, -0.5, 1e-7, 3])],
            centroids: Tensor(name: "centroids", shape: [3, 2], values: [1.3, -1.3, 2.3, -2.3, 3.3, -3.3]),
            chosenK: 3, kMin: 2, kMax: 3, seed: 42)
        var parameters = SegmentationParameters()
        parameters.kMin = 2; parameters.kMax = 3; parameters.bins = 3; parameters.epochs = 2; parameters.seed = 42
        return SegmentationResult(
            height: 3, width: 4, chosenK: 3,
            selection: KSelection(criterion: .silhouette, scores: scores, reason: "K = 3 has the highest silhouette (0.62)"),
            labelsByK: [2: labels2, 3: labels3], clusters: clusters3, clustersByK: [2: clusters2, 3: clusters3],
            history: [EpochRecord(epoch: 1, loss: 0.5, reconstruction: 0.4, mmd: 0, clustering: 0.1, validation: 0.45,
                                  learningRate: 1e-3, beta: 0, seconds: 0.02),
                      EpochRecord(epoch: 2, loss: 0.3, reconstruction: 0.25, mmd: 0, clustering: 0.05, validation: 0.28,
                                  learningRate: 1e-3, beta: 0, seconds: 0.02)],
            timings: ["preprocess": 0.01, "train": 0.04, "encode": 0.001, "cluster": 0.002, "summarise": 0.001, "total": 0.06],
            model: model, parameters: parameters,
            decisions: SegmentationDecisions(plan: nil, bins: 3, transform: .logMax, embedding: .autoencoder, embeddingReason: "sample",
                                             reconstruction: ReconstructionCheck(autoencoder: 0.01, meanSpectrum: 0.05, pca: 0.02, attempts: 1)),
            backgroundPixels: 2,
            spectralAxis: [1000, 1010, 1020, 1030, 1040], spectralUnit: "eV", reconstructionAxis: [1005, 1025, 1040])
    }
}
