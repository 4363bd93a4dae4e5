import CubeFormats
import Testing

@testable import CubeML

@Suite("Cluster summaries")
struct ClusterSummariesTests {
    @Test("counts, latent centroids, mean spectra (cube units, cropped) and mean inputs match a hand computation for every K")
    func summariesMatchHandComputation() throws {
        // 2 x 3 pixels, 4 channels; value = 10 * pixel + channel; pixel 4 is background.
        let values = (0..<24).map { Float(10 * ($0 / 4) + $0 % 4) }
        let cube = Datacube(height: 2, width: 3, channels: 4, values: values)
        let recipe = PreprocessingRecipe(sourceChannels: 4, cropStart: 1, cropEnd: 4, binEdges: [0, 1, 3],
                                         transform: .identity, smoothing: 0, backgroundThreshold: nil)
        let pixelIndex: [Int32] = [0, 1, 2, 3, 5]
        let spectra = Matrix(rows: 5, cols: 2, values: (0..<10).map(Float.init))
        let prepared = PreparedSpectra(spectra: spectra, pixelIndex: pixelIndex, totals: [Float](repeating: 1, count: 6), backgroundCount: 1)
        let mu = Matrix(rows: 5, cols: 2, values: [0, 0, 2, 2, 10, 10, 12, 12, 4, 4])
        var p = SegmentationParameters()
        p.latent = 2; p.encodingDim = 2; p.hiddenLayers = 0
        let network = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 2), seed: 1)
        let labelsByK: [Int: [Int32]] = [2: [0, 0, 1, 1, 0], 3: [0, 1, 2, 2, 1]]
        let out = try ClusterSummaries.compute(cube: cube, recipe: recipe, prepared: prepared, embedding: .autoencoder(network),
                                               embeddings: mu, labelsByK: labelsByK, centroidsByK: [:])
        let k2 = try #require(out[2])
        #expect(k2.map(\.pixels) == [3, 2])
        #expect(k2[0].centroid == [2, 2])                     // rows 0, 1, 4
        #expect(k2[1].centroid == [11, 11])                   // rows 2, 3
        // Pixels 0, 1, 5 (rows 0, 1, 4): channels 1..<4 of 10 * pixel + channel.
        #expect(k2[0].meanSpectrum == [21, 22, 23])
        #expect(k2[1].meanSpectrum == [26, 27, 28])           // pixels 2, 3
        let meanInput: [Float] = [10.0 / 3, 13.0 / 3]    // rows 0, 1, 4 of the spectra
        #expect(zip(k2[0].meanInput, meanInput).allSatisfy { abs($0 - $1) < 1e-6 })
        let reconstruction = network.decode(mu)
        let expected: [Float] = (0..<2).map { j in
            let sum: Float = reconstruction[0, j] + reconstruction[1, j] + reconstruction[4, j]
            return sum / 3
        }
        for j in 0..<2 { #expect(abs(k2[0].meanReconstruction[j] - expected[j]) < 1e-6) }
        let k3 = try #require(out[3])
        #expect(k3.map(\.pixels) == [1, 2, 2])
        #expect(k3[1].meanSpectrum == [31, 32, 33])           // pixels 1 and 5
    }
}
