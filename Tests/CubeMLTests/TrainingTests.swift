import Foundation
import Synchronization
import Testing
@testable import CubeML

@Suite("Training")
struct TrainingTests {
    typealias S = NNTestSupport

    // MARK: - Optimiser and schedules

    @Test("an Adam step matches PyTorch's update computed by hand in double")
    func adamMatchesHandComputation() {
        var adam = Adam(parameterCount: 3, learningRate: 0.01)
        var params: [Float] = [1, -2, 0.5]
        let gradients: [[Float]] = [[0.1, -0.3, 0], [0.2, 0.1, 0], [-0.5, 0.2, 0]]
        var p = params.map(Double.init), m = [0.0, 0, 0], v = [0.0, 0, 0]
        for (t, g) in gradients.enumerated() {
            adam.update(&params, gradients: g)
            for i in 0..<3 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1))), vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
                p[i] -= 0.01 * mHat / (vHat.squareRoot() + 1e-8)
            }
            for i in 0..<3 { #expect(abs(Double(params[i]) - p[i]) < 1e-6, "step \(t + 1), parameter \(i)") }
        }
        #expect(params[2] == 0.5)  // a parameter with zero gradient never moves
        #expect(abs(Double(params[0]) - 1) > 0.01)
    }

    @Test("reduce-on-plateau cuts the rate after more than `patience` epochs without a relative improvement")
    func plateauScheduler() {
        var s = PlateauScheduler(learningRate: 0.1, factor: 0.1, patience: 2)
        // 1.0, 0.9 improve; 0.89995 is less than 1e-4 relative better (bad); 0.95, 0.9 bad:
        // the third bad epoch in a row exceeds patience 2 and cuts the rate.
        let reductions = [1.0, 0.9, 0.89995, 0.95, 0.9].map { s.step($0) }
        #expect(reductions == [false, false, false, false, true])
        #expect(abs(s.learningRate - 0.01) < 1e-15)
        #expect(s.badEpochs == 0)
        let again = [0.5, 0.5, 0.5, 0.5].map { s.step($0) }  // improvement resets the count
        #expect(again == [false, false, false, true])
        #expect(abs(s.learningRate - 0.001) < 1e-15)
    }

    @Test("early stopping stops after `patience` epochs without improvement, and never with patience 0")
    func earlyStopping() {
        var e = EarlyStopping(patience: 3)
        let verdicts = [1.0, 0.5, 0.6, 0.5, 0.7].map { e.update($0) }
        #expect(verdicts.map(\.improved) == [true, true, false, false, false])
        #expect(verdicts.map(\.stop) == [false, false, false, false, true])
        var off = EarlyStopping(patience: 0)
        let never = (0..<20).map { off.update(Double($0 == 0 ? 1 : 2)).stop }
        #expect(!never.contains(true))
    }

    // MARK: - Training runs

    /// Three classes of spectra of length 64: a broad common bump (centre 32, sigma 8) of
    /// random height in [0.2, 1], which carries most of the variance, plus a small class bump
    /// (height 0.15, sigma 3) at channel 10, 22 or 54, plus noise (sigma 0.03); clamped to [0, 1].
    /// A random network does not separate the classes well; a trained one must find the
    /// small bumps.
    static func threeClassSpectra(perClass: Int = 500, seed: UInt64 = 1) -> (data: Matrix, labels: [Int]) {
        let length = 64
        var g = SeededGenerator(seed: seed, stream: 0)
        var labels = (0..<(3 * perClass)).map { $0 % 3 }
        labels.shuffle(using: &g)
        var x = Matrix(rows: labels.count, cols: length)
        let centres: [Double] = [10, 22, 54]
        for (r, c) in labels.enumerated() {
            let height = 0.2 + 0.8 * g.nextDouble()
            for j in 0..<length {
                let d = Double(j) - centres[c], d0 = Double(j) - 32
                let v = height * exp(-d0 * d0 / 128) + 0.15 * exp(-d * d / 18) + 0.03 * g.nextGaussian()
                x[r, j] = Float(min(max(v, 0), 1))
            }
        }
        return (x, labels)
    }

    /// Accuracy of assigning each row of `mu` to the nearest class mean.
    static func nearestClassMeanAccuracy(_ mu: Matrix, labels: [Int]) -> Double {
        var means = [[Double]](repeating: [Double](repeating: 0, count: mu.cols), count: 3)
        var counts = [Double](repeating: 0, count: 3)
        for i in 0..<mu.rows {
            counts[labels[i]] += 1
            for j in 0..<mu.cols { means[labels[i]][j] += Double(mu[i, j]) }
        }
        for c in 0..<3 { for j in 0..<mu.cols { means[c][j] /= counts[c] } }
        var correct = 0
        for i in 0..<mu.rows {
            let d = (0..<3).map { c in (0..<mu.cols).reduce(0.0) { $0 + pow(Double(mu[i, $1]) - means[c][$1], 2) } }
            if d.firstIndex(of: d.min()!) == labels[i] { correct += 1 }
        }
        return Double(correct) / Double(mu.rows)
    }

    static func smallParameters() -> SegmentationParameters {
        var p = SegmentationParameters()
        p.seed = 9
        p.latent = 3
        p.encodingDim = 8
        p.hiddenLayers = 2
        p.batchSize = 32
        p.epochs = 80
        p.clusteringTerm = .none
        // Alpha dropout on layers this narrow (16 units, latent 3) drowns the small class
        // bumps (the model then learns the common bump only); the gradient and determinism
        // tests cover dropout.
        p.dropout = 0
        return p
    }

    /// A tiny k-means (farthest-point start, 20 Lloyd iterations) standing in for the pipeline's.
    @Sendable static func miniLloyd(_ x: Matrix) -> Matrix {
        let k = 3
        var c = [x.row(0)]
        while c.count < k {
            var far = 0, farD = -1.0
            for i in 0..<x.rows {
                let d = c.map { ci in (0..<x.cols).reduce(0.0) { $0 + pow(Double(x[i, $1] - ci[$1]), 2) } }.min()!
                if d > farD { farD = d; far = i }
            }
            c.append(x.row(far))
        }
        for _ in 0..<20 {
            var sums = [[Float]](repeating: [Float](repeating: 0, count: x.cols), count: k), n = [Float](repeating: 0, count: k)
            for i in 0..<x.rows {
                let d = c.map { ci in (0..<x.cols).reduce(Float(0)) { $0 + (x[i, $1] - ci[$1]) * (x[i, $1] - ci[$1]) } }
                let a = d.firstIndex(of: d.min()!)!
                n[a] += 1
                for j in 0..<x.cols { sums[a][j] += x[i, j] }
            }
            for a in 0..<k where n[a] > 0 { c[a] = sums[a].map { $0 / n[a] } }
        }
        return Matrix(rows: k, cols: x.cols, values: c.flatMap { $0 })
    }

    @Test("training on three classes of spectra cuts the reconstruction loss and separates the classes in mu")
    func trainingSeparatesClasses() throws {
        let (x, labels) = Self.threeClassSpectra()
        let p = Self.smallParameters()
        var model = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 64), seed: p.seed)
        #expect(model.architecture.encoderHidden == [32, 16])
        let before = Self.nearestClassMeanAccuracy(model.encode(x), labels: labels)
        let initialLoss = Trainer.evaluationLoss(graph: model.graph, data: x, parameters: model.parameters,
                                                 workspace: NetworkWorkspace(architecture: model.architecture, capacity: 1500, training: false),
                                                 dcn: nil)
        let records = try Trainer(parameters: p).train(&model, on: x)
        #expect(!records.isEmpty)
        #expect(records.map(\.epoch) == Array(1...records.count))
        let final = model.reconstruct(x)
        var mse = 0.0
        for i in 0..<x.count { mse += pow(Double(final.storage[i] - x.storage[i]), 2) }
        mse /= Double(x.count)
        #expect(mse < 0.25 * initialLoss, "MSE \(mse) vs initial \(initialLoss)")
        #expect(records.last!.reconstruction < 0.5 * records.first!.reconstruction)
        #expect(records.allSatisfy { $0.mmd == 0 && $0.beta == 0 && $0.clustering == 0 && $0.validation.isFinite })
        let after = Self.nearestClassMeanAccuracy(model.encode(x), labels: labels)
        #expect(before < 0.8, "a random network already separates the classes (\(before)): the test would prove nothing")
        #expect(after > 0.95, "accuracy \(after) (before training \(before))")
    }

    @Test("two runs with the same seed give identical weights; another seed gives others")
    func trainingIsDeterministic() throws {
        let (x, _) = Self.threeClassSpectra(perClass: 100)
        var p = Self.smallParameters()
        p.epochs = 6
        p.variational = true
        p.betaEndEpoch = 3
        p.clusteringTerm = .dcn
        p.gamma = 0.1
        p.dropout = 0.1
        func run(seed: UInt64) throws -> ([Tensor], [EpochRecord]) {
            var q = p
            q.seed = seed
            var model = Autoencoder(architecture: Autoencoder.architecture(for: q, inputLength: 64), seed: seed)
            let records = try Trainer(parameters: q).train(&model, on: x, hooks: ClusteringHooks(centroids: Self.miniLloyd))
            return (model.tensors(), records)
        }
        let (a, ra) = try run(seed: 5)
        let (b, rb) = try run(seed: 5)
        let (c, _) = try run(seed: 6)
        #expect(a == b)
        #expect(ra.map(\.loss) == rb.map(\.loss))
        #expect(a != c)
    }

    @Test("a variational run ramps beta and reports a positive MMD")
    func variationalRun() throws {
        let (x, _) = Self.threeClassSpectra(perClass: 100)
        var p = Self.smallParameters()
        p.variational = true
        p.epochs = 8
        p.earlyStoppingPatience = 0
        p.betaMin = 0.1; p.betaMax = 1; p.betaStartEpoch = 2; p.betaEndEpoch = 5
        var model = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 64), seed: 1)
        let records = try Trainer(parameters: p).train(&model, on: x)
        #expect(records.count == 8)
        let betas = records.map(\.beta)
        let expected = [0.1, 0.1, 0.1, 0.4, 0.7, 1, 1, 1]
        for (b, e) in zip(betas, expected) { #expect(abs(b - e) < 1e-12) }
        #expect(records.allSatisfy { $0.mmd > 0 && abs($0.loss - ($0.reconstruction + $0.beta * $0.mmd)) < 1e-9 })
        #expect(records.last!.reconstruction < records.first!.reconstruction)
    }

    @Test("the silhouette term is a constant: the hook's value shows in the record but the weights are unchanged")
    func silhouetteTermHasNoGradient() throws {
        let (x, _) = Self.threeClassSpectra(perClass: 50)
        var p = Self.smallParameters()
        p.epochs = 3
        p.clusteringTerm = .silhouette
        let calls = Mutex(0)
        let hooks = ClusteringHooks(batchSilhouette: { mu in
            calls.withLock { $0 += 1 }
            #expect(mu.rows == 32 && mu.cols == 3)
            return 0.4
        })
        func run(gamma: Double) throws -> (Autoencoder, [EpochRecord]) {
            var q = p
            q.gamma = gamma
            var model = Autoencoder(architecture: Autoencoder.architecture(for: q, inputLength: 64), seed: 2)
            let r = try Trainer(parameters: q).train(&model, on: x, hooks: hooks)
            return (model, r)
        }
        let (without, _) = try run(gamma: 0)
        #expect(calls.withLock { $0 } == 0)
        let (with, records) = try run(gamma: 0.5)
        let batchesPerEpoch = (150 - 15) / 32
        #expect(calls.withLock { $0 } == 3 * batchesPerEpoch)
        #expect(records.allSatisfy { abs($0.clustering - 0.5 * 0.6 / 2) < 1e-12 })
        #expect(without.tensors() == with.tensors())
    }

    @Test("the DCN term switches on after the warm-up, uses the hook's centroids, and keeps the classes apart")
    func dcnTerm() throws {
        let (x, labels) = Self.threeClassSpectra()
        var p = Self.smallParameters()
        p.clusteringTerm = .dcn
        p.gamma = 0.01
        p.epochs = 120
        p.earlyStoppingPatience = 0
        let sampleSizes = Mutex<[Int]>([])
        let hooks = ClusteringHooks(centroids: { mu in
            sampleSizes.withLock { $0.append(mu.rows) }
            return Self.miniLloyd(mu)
        })
        var model = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 64), seed: 3)
        let records = try Trainer(parameters: p).train(&model, on: x, hooks: hooks)
        #expect(records.count == 120)
        let firstActive = try #require(records.firstIndex { $0.clustering > 0 })
        #expect(firstActive >= 2 && firstActive <= 60)  // warm-up: epochs / 2 at the latest
        #expect(records[..<firstActive].allSatisfy { $0.clustering == 0 })
        #expect(records[firstActive...].allSatisfy { $0.clustering > 0 })
        let sizes = sampleSizes.withLock { $0 }
        #expect(sizes.count == 120 - firstActive && sizes.allSatisfy { $0 == 1350 })
        #expect(Self.nearestClassMeanAccuracy(model.encode(x), labels: labels) > 0.95)
    }

    @Test("early stopping ends the run when validation stops improving and keeps the best weights")
    func earlyStoppingInTraining() throws {
        let (x, _) = Self.threeClassSpectra(perClass: 50)
        var p = Self.smallParameters()
        p.learningRate = 1e-12   // nothing improves by the 1e-4 relative threshold
        p.earlyStoppingPatience = 2
        let initial = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 64), seed: 4)
        var model = initial
        let records = try Trainer(parameters: p).train(&model, on: x)
        #expect(records.count == 3)
        let changed = zip(model.tensors(), initial.tensors()).contains { $0.values != $1.values }
        #expect(changed)  // the weights of epoch 1 (best), not the initial ones
    }

    @Test("the observer sees every batch and epoch, and cancellation throws")
    func observerAndCancellation() throws {
        let (x, _) = Self.threeClassSpectra(perClass: 50)
        var p = Self.smallParameters()
        p.epochs = 4
        p.earlyStoppingPatience = 0
        let fractions = Mutex<[Double]>([])
        let epochs = Mutex<[Int]>([])
        let observer = TrainingObserver(epochEnded: { r, total in epochs.withLock { $0.append(r.epoch) }; #expect(total == 4) },
                                        batchEnded: { f in fractions.withLock { $0.append(f) } })
        var model = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 64), seed: 5)
        _ = try Trainer(parameters: p).train(&model, on: x, observer: observer)
        let f = fractions.withLock { $0 }
        #expect(f.count == 4 * 4 && f == f.sorted() && abs(f.last! - 1) < 1e-12)
        #expect(epochs.withLock { $0 } == [1, 2, 3, 4])

        let polls = Mutex(0)
        let cancelling = TrainingObserver(isCancelled: { polls.withLock { $0 += 1; return $0 > 5 } })
        #expect(throws: SegmentationError.cancelled) { try Trainer(parameters: p).train(&model, on: x, observer: cancelling) }
        #expect(polls.withLock { $0 } == 6)
    }

    @Test("bad inputs are rejected with the evidence")
    func invalidInputs() {
        let p = Self.smallParameters()
        var model = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 64), seed: 1)
        #expect(throws: SegmentationError.modelMismatch("the training spectra have 32 channels, the network takes 64")) {
            try Trainer(parameters: p).train(&model, on: Matrix(rows: 10, cols: 32))
        }
        var q = p
        q.batchSize = 0
        #expect(throws: SegmentationError.invalidParameter(name: "batch_size", reason: "0 < 1")) {
            try Trainer(parameters: q).train(&model, on: Matrix(rows: 10, cols: 64))
        }
        #expect(throws: SegmentationError.self) { try Trainer(parameters: p).train(&model, on: Matrix(rows: 1, cols: 64)) }
    }
}
