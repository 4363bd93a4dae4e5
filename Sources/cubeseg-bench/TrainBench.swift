import ArgumentParser
import CubeML
import Foundation

/// `cubeseg-bench train`: autoencoder training throughput (spectra/s) and GFLOP/s at input
/// 1024, batch 512, on smooth synthetic spectra, for comparison with PyTorch running the
/// same architecture (scripts/bench_torch.py).
struct TrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Training throughput of the autoencoder (spectra/s, GFLOP/s).")

    @Option(help: "reference (reference_dsc.py's DSC(1024, 8, 32, 4): enc 512-256-128, dec 64-128-256) or default (CubeSeg's).")
    var arch: String = "reference"
    @Option(help: "Training rows.") var rows: Int = 10_240
    @Option(help: "Epochs.") var epochs: Int = 2
    @Option(help: "Threads: the budget of products and parallel loops.") var threads: Int = 2
    @Flag(help: "Variational autoencoder.") var vae = false

    func run() throws {
        BLAS.setThreads(threads)
        var p = SegmentationParameters()
        p.epochs = epochs; p.validationFraction = 0; p.earlyStoppingPatience = 0
        p.clusteringTerm = .none; p.variational = vae; p.batchSize = 512
        var a = Autoencoder.architecture(for: p, inputLength: 1024)
        if arch == "reference" { a.encoderHidden = [512, 256, 128]; a.decoderHidden = [64, 128, 256] }
        let x = Self.spectra(rows: rows, length: 1024)
        var model = Autoencoder(architecture: a, seed: 0)
        let flops = Self.flopsPerSpectrum(a)
        let cpu0 = BenchSupport.cpuSeconds(), t0 = BenchSupport.now()
        let records = try Trainer(parameters: p).train(&model, on: x)
        let wall = BenchSupport.now() - t0, cpu = BenchSupport.cpuSeconds() - cpu0
        let seen = Double(records.count * (rows / 512) * 512)
        print(BenchSupport.jsonLine([
            ("bench", "train"), ("arch", arch), ("threads", threads), ("kernel", BLAS.coreName),
            ("spectra", Int(seen)), ("wall_s", wall), ("cpu_s", cpu),
            ("spectra_per_s", seen / wall), ("mflop_per_spectrum", flops / 1e6), ("gflops", seen * flops / wall / 1e9),
        ]))
    }

    /// FLOPs of one training step per spectrum: forward (2 per weight), backward (4 per
    /// weight, less the input gradient of the first layer).
    static func flopsPerSpectrum(_ a: Architecture) -> Double {
        let enc = [a.inputLength] + a.encoderHidden + [a.encodingDim]
        let dec = [a.latent] + a.decoderHidden + [a.inputLength]
        var weights = 0
        for i in 0..<(enc.count - 1) { weights += enc[i] * enc[i + 1] }
        for i in 0..<(dec.count - 1) { weights += dec[i] * dec[i + 1] }
        weights += a.encodingDim * a.latent * (a.variational ? 2 : 1)
        let first = enc[0] * enc[1]
        return 2 * Double(3 * weights - first)
    }

    /// Rows of a smooth random bump spectrum in [0, 1] plus noise (the same as bench_torch.py).
    static func spectra(rows: Int, length: Int) -> Matrix {
        var g = SeededGenerator(seed: 3)
        var x = Matrix(rows: rows, cols: length)
        for r in 0..<rows {
            let c = Double(g.nextInt(below: length)), h = 0.3 + 0.7 * g.nextDouble()
            for j in 0..<length {
                let d = Double(j) - c
                x[r, j] = Float(min(1, max(0, h * exp(-d * d / 800) + 0.05 * g.nextDouble())))
            }
        }
        return x
    }
}
