import CubeFormats
import CubeSynth
import Foundation
import Testing
@testable import CubeML

/// Rows of an h x w image (row major, every pixel a row): `signal(pixel)` plus independent
/// Gaussian noise of standard deviation `noise[j]` in column j.
private func image(_ h: Int, _ w: Int, noise: [Double], seed: UInt64 = 11,
                   signal: (Int) -> [Double]) -> (Matrix, ImageGrid) {
    var g = SeededGenerator(seed: seed)
    let d = noise.count
    var x = Matrix(rows: h * w, cols: d)
    for p in 0..<(h * w) {
        let s = signal(p)
        for j in 0..<d { x[p, j] = Float(s[j] + noise[j] * g.nextGaussian()) }
    }
    return (x, ImageGrid(height: h, width: w, pixelIndex: (0..<(h * w)).map { Int32($0) }))
}

@Suite("Noise-adjusted principal components")
struct NoiseAdjustedPCATests {
    @Test("the noise covariance measured between neighbours matches the noise added, not the signal")
    func neighbourNoise() throws {
        let sd = [0.1, 1, 2, 0.5]
        // Two halves differ by 3 in column 2: a strong signal the estimate must not count.
        let (x, grid) = image(48, 48, noise: sd) { p in [1, 2, p % 48 < 24 ? 0 : 3, -1] }
        let n = try #require(NeighbourNoise.covariance(of: x, grid: grid))
        for i in 0..<4 {
            #expect(abs(n[i * 4 + i] / (sd[i] * sd[i]) - 1) < 0.1, "column \(i): \(n[i * 4 + i])")
            for j in 0..<4 where j != i { #expect(abs(n[i * 4 + j]) < 0.1 * sd[i] * sd[j]) }
        }
    }

    @Test("only pixels that are both signal and adjacent are paired; none adjacent gives no estimate")
    func adjacentPairs() throws {
        let full = ImageGrid(height: 3, width: 3, pixelIndex: (0..<9).map { Int32($0) })
        #expect(NeighbourNoise.adjacentPairs(full).count == 12)
        // The centre masked out: its four pairs go.
        let ring = ImageGrid(height: 3, width: 3, pixelIndex: [0, 1, 2, 3, 5, 6, 7, 8])
        let pairs = NeighbourNoise.adjacentPairs(ring)
        #expect(pairs.count == 8)
        #expect(pairs.allSatisfy { $0.0 >= 0 && $0.0 < 8 && $0.1 >= 0 && $0.1 < 8 })
        let diagonal = ImageGrid(height: 2, width: 2, pixelIndex: [0, 3])
        #expect(NeighbourNoise.covariance(of: Matrix(rows: 2, cols: 3, repeating: 1), grid: diagonal) == nil)
    }

    @Test("noise-adjusted PCA finds a faint signal in a quiet channel where PCA finds a loud noisy one")
    func faintSignalFound() throws {
        // Column 0: noise of variance 4, no signal. Column 1: two materials at +-1 with
        // noise of variance 0.04. Column 2: noise only, variance 0.25.
        let (x, grid) = image(40, 40, noise: [2, 0.2, 0.5]) { p in [0, p % 40 < 20 ? -1 : 1, 0] }
        let plain = try #require(PrincipalComponents.fit(x, components: 1))
        #expect(abs(plain.axes[0, 0]) > 0.9)
        let noise = try #require(NeighbourNoise.covariance(of: x, grid: grid))
        let adjusted = try #require(PrincipalComponents.fitNoiseAdjusted(x, noise: noise, components: 1))
        let a = (0..<3).map { Double(adjusted.axes[0, $0]) }
        let norm = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(a[1]) / norm > 0.99, "axis \(a)")
        // The first coordinate alone tells the two materials apart.
        let z = adjusted.project(x)
        let left = (0..<1600).filter { $0 % 40 < 20 }.map { z[$0, 0] }, right = (0..<1600).filter { $0 % 40 >= 20 }.map { z[$0, 0] }
        #expect(left.max()! < right.min()! || right.max()! < left.min()!)
    }

    @Test("with every component the noise-adjusted axes and their decoder give the spectra back")
    func decoderInverts() throws {
        let (x, grid) = image(30, 30, noise: [0.3, 0.1, 1, 0.05]) { p in
            let t = Double(p % 30) / 30
            return [t, 1 - t, 2 * t * t, 0.5]
        }
        let noise = try #require(NeighbourNoise.covariance(of: x, grid: grid))
        let adjusted = try #require(PrincipalComponents.fitNoiseAdjusted(x, noise: noise, components: 4))
        #expect(adjusted.decoder != nil)
        #expect(adjusted.variances == adjusted.variances.sorted(by: >))
        let y = adjusted.reconstruct(adjusted.project(x))
        var worst: Float = 0
        for i in 0..<x.storage.count { worst = max(worst, abs(y.storage[i] - x.storage[i])) }
        #expect(worst < 1e-2, "largest reconstruction error \(worst)")
    }

    @Test("noise-adjusted axes survive the model file's tensors with their decoder; a misshapen decoder is refused")
    func tensorsRoundTrip() throws {
        let (x, grid) = image(20, 20, noise: [0.3, 0.1, 1]) { p in [Double(p % 2), 0, 1] }
        let noise = try #require(NeighbourNoise.covariance(of: x, grid: grid))
        let adjusted = try #require(PrincipalComponents.fitNoiseAdjusted(x, noise: noise, components: 2))
        let tensors = adjusted.tensors()
        #expect(tensors.map(\.name) == ["pca.mean", "pca.axes", "pca.decoder"])
        let back = try PrincipalComponents(tensors: tensors)
        #expect(back.decoder == adjusted.decoder)
        #expect(back.reconstruct(back.project(x)) == adjusted.reconstruct(adjusted.project(x)))
        var bad = tensors
        bad[2] = Tensor(name: "pca.decoder", shape: [1, 3], values: [1, 2, 3])
        #expect(throws: ModelFileError.self) { try PrincipalComponents(tensors: bad) }
        // Plain PCA writes no decoder.
        #expect(PrincipalComponents.fit(x, components: 2)!.tensors().count == 2)
    }

    @Test("a PCA segmentation of counts uses noise-adjusted axes, says so, and its model labels the cube again alike")
    func segmentationOfCounts() throws {
        var p = SegmentationParameters()
        p.embedding = .pca; p.seed = 3; p.kMax = 5
        let cube = SyntheticCubes.maxrf(size: 24, channels: 256, counts: 400, seed: 4).cube
        let result = try Segmenter(parameters: p).segment(cube)
        #expect(result.decisions.embeddingReason.contains("noise-adjusted"))
        #expect(result.model.tensors.contains { $0.name == "pca.decoder" })
        // The evidence: one figure per axis, descending. Seven materials span six
        // directions: six axes stand well above the noise (1), the last two do not, and no
        // more than the standard eight are kept.
        let snr = try #require(result.decisions.signalToNoise)
        #expect(snr.count == SegmentationParameters.standardLatent)
        #expect(snr == snr.sorted(by: >), "\(snr)")
        #expect(snr[5] > 2 * snr[6] && snr[6] < 2.5, "\(snr)")
        let again = try Segmenter(parameters: p).segment(cube, model: result.model)
        #expect(again.labels == result.labels)
    }

    @Test("a PCA segmentation of reflectance keeps plain PCA: its neighbours differ by texture, not only noise")
    func reflectanceKeepsPlainPCA() throws {
        var g = SeededGenerator(seed: 8)
        let h = 16, w = 16, c = 30
        var v = [Float](repeating: 0, count: h * w * c)
        for px in 0..<(h * w) {
            for k in 0..<c { v[px * c + k] = Float((px % w < 8 ? 0.2 : 0.4) + 0.002 * Double(k) + 0.01 * g.nextGaussian()) }
        }
        var p = SegmentationParameters()
        p.embedding = .pca; p.seed = 3; p.kMax = 4
        let result = try Segmenter(parameters: p).segment(Datacube(height: h, width: w, channels: c, values: v))
        #expect(result.decisions.data?.kind == .continuous)
        #expect(!result.decisions.embeddingReason.contains("noise-adjusted"))
        #expect(!result.model.tensors.contains { $0.name == "pca.decoder" })
        #expect(result.decisions.signalToNoise == nil)
    }

    /// A 48 x 48 painting of 12 classes (the ground and 11 pigments), 512 channels, 400 counts per pixel.
    static let twelvePigments: Datacube = {
        var options = MAXRFOptions()
        options.classes = 12
        return SyntheticCubes.maxrf(size: 48, channels: 512, counts: 400, seed: 5, options: options).cube
    }()

    @Test("a painting of twelve materials (the ground and eleven pigments) keeps the axes that carry signal, at most eleven; a latent given is kept as given")
    func twelvePigmentsKeepElevenAxes() throws {
        let cube = Self.twelvePigments
        var p = SegmentationParameters()
        p.embedding = .pca; p.seed = 3; p.kMin = 11; p.kMax = 12
        let chosen = try Segmenter(parameters: p).segment(cube)
        let snr = try #require(chosen.decisions.signalToNoise)
        #expect(snr.count > SegmentationParameters.standardLatent && snr.count <= 11, "\(snr)")
        #expect(chosen.decisions.embeddingReason.contains("\(snr.count) axes"), "\(chosen.decisions.embeddingReason)")
        // Exactly the axes at least twice the 17th largest whitened variance are kept.
        p.latent = 17
        let all = try #require(try Segmenter(parameters: p).segment(cube).decisions.signalToNoise)
        #expect(snr.count == max(SegmentationParameters.standardLatent, all.prefix(16).prefix { $0 >= 2 * all[16] }.count), "\(all)")
        p.latent = 5
        let given = try Segmenter(parameters: p).segment(cube)
        #expect(given.decisions.signalToNoise?.count == 5)
        #expect(!given.decisions.embeddingReason.contains("carries signal"))
        // The model keeps its dimension: applied again it labels the cube alike.
        p.latent = nil
        let again = try Segmenter(parameters: p).segment(cube, model: chosen.model)
        #expect(again.labels == chosen.labels)
    }

    @Test("with the defaults, counts whose signal needs more axes than the autoencoder's latent get those axes and no training")
    func moreSignalAxesThanTheLatentSkipTraining() throws {
        let cube = Self.twelvePigments
        var p = SegmentationParameters()
        p.seed = 3; p.kMin = 11; p.kMax = 12
        let result = try Segmenter(parameters: p).segment(cube)
        #expect(result.decisions.embedding == .pca)
        #expect(result.history.isEmpty)
        #expect(result.decisions.reconstruction == nil)
        #expect(result.decisions.embeddingReason.hasPrefix("noise-adjusted PCA, with no training"), "\(result.decisions.embeddingReason)")
        let axes = try #require(result.decisions.signalToNoise).count
        #expect(axes > SegmentationParameters.standardLatent)
        #expect(result.model.tensors.contains { $0.name == "pca.decoder" })
        // Seven pigments need six axes: the autoencoder still trains.
        let seven = SyntheticCubes.maxrf(size: 24, channels: 256, counts: 400, seed: 4).cube
        p.kMin = 2; p.kMax = 5; p.epochs = 3
        let trained = try Segmenter(parameters: p).segment(seven)
        #expect(!trained.history.isEmpty)
        #expect(!trained.decisions.embeddingReason.contains("no training"))
    }
}
