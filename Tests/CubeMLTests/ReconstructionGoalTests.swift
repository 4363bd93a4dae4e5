import CubeSynth
import Foundation
import Testing
@testable import CubeML

@Suite("Training that cannot beat PCA ends early")
struct ReconstructionGoalTests {
    typealias S = TrainingTests

    /// PCA of `x` with every component: it reconstructs `x` exactly (bar about 0).
    private static func exactPCA(_ x: Matrix) throws -> SpectralEmbedding {
        .principalComponents(try #require(PrincipalComponents.fit(x, components: x.cols)))
    }

    @Test("a run is out of reach once even a straight line at its recent pace stays above the bar")
    func projection() throws {
        let goal = ReconstructionGoal(competitor: try Self.exactPCA(S.threeClassSpectra(perClass: 10).0), window: 2)
        // Falling by 1 per epoch over the last 2: 3 - 1 x 7 epochs left is below the bar.
        #expect(!goal.isOutOfReach([5, 4, 3], bar: 1, epochs: 10))
        // Flattening: pace (3 - 2.85) / 2 over 5 epochs left reaches 2.475 only, above 1.
        #expect(goal.isOutOfReach([5, 4, 3, 2.9, 2.85], bar: 1, epochs: 10))
        // The same curve with a bar it can reach at that pace, or a longer budget.
        #expect(!goal.isOutOfReach([5, 4, 3, 2.9, 2.85], bar: 2.5, epochs: 10))
        #expect(!goal.isOutOfReach([5, 4, 3, 2.9, 2.85], bar: 1, epochs: 40))
        // The best so far counts, not the last epoch's noise.
        #expect(goal.isOutOfReach([5, 4, 3, 2.85, 2.95], bar: 1, epochs: 10))
        // A flat plateau ends once the window is full, never before.
        #expect(!goal.isOutOfReach([3, 3], bar: 1, epochs: 10))
        #expect(goal.isOutOfReach([3, 3, 3], bar: 1, epochs: 10))
        // Below the bar already, or the budget spent: nothing to decide.
        #expect(!goal.isOutOfReach([3, 2, 0.5, 0.5, 0.5], bar: 1, epochs: 10))
        #expect(!goal.isOutOfReach([Double](repeating: 3, count: 10), bar: 1, epochs: 10))
    }

    @Test("training against a competitor it cannot beat stops early, keeps its best weights and says at which bar")
    func unreachableGoalStopsTheRun() throws {
        let (x, _) = S.threeClassSpectra()
        var p = S.smallParameters()
        p.epochs = 200
        p.earlyStoppingPatience = 0
        let goal = ReconstructionGoal(competitor: try Self.exactPCA(x))
        var model = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 64), seed: p.seed)
        let run = try Trainer(parameters: p).run(&model, on: x, goal: goal)
        let bar = try #require(run.outOfReachBar)
        #expect(bar < 1e-6, "PCA with every component reconstructs exactly: \(bar)")
        #expect(run.records.count > goal.window && run.records.count < p.epochs)
        #expect(goal.isOutOfReach(run.records.map(\.validation), bar: bar, epochs: p.epochs))
        #expect(!goal.isOutOfReach(run.records.dropLast().map(\.validation), bar: bar, epochs: p.epochs),
                "the run went on past the epoch where it was already out of reach")
    }

    @Test("a competitor the network beats changes nothing in the run")
    func reachableGoalChangesNothing() throws {
        let (x, _) = S.threeClassSpectra(perClass: 100)
        var p = S.smallParameters()
        p.epochs = 30
        // PCA of other spectra (offset by 10) reconstructs these badly: a bar far above the loss.
        let other = Matrix(rows: x.rows, cols: x.cols, values: x.storage.enumerated().map { $0.element + 10 + Float($0.offset % 7) })
        let goal = ReconstructionGoal(competitor: .principalComponents(try #require(PrincipalComponents.fit(other, components: 2))))
        var plain = Autoencoder(architecture: Autoencoder.architecture(for: p, inputLength: 64), seed: p.seed)
        var goaled = plain
        let records = try Trainer(parameters: p).train(&plain, on: x)
        let run = try Trainer(parameters: p).run(&goaled, on: x, goal: goal)
        #expect(run.outOfReachBar == nil)
        #expect(run.records.map(\.validation) == records.map(\.validation))
        #expect(goaled.parameters == plain.parameters)
    }

    @Test("the pipeline stops an autoencoder that cannot catch PCA and report.json says after which epoch")
    func pipelineReportsTheStop() throws {
        let synthetic = SyntheticCubes.maxrf(size: 32, channels: 256, counts: 400, seed: 5)
        var p = SegmentationParameters()
        p.kMin = 2; p.kMax = 8; p.earlyStoppingPatience = 0
        let result = try Segmenter(parameters: p).segment(synthetic.cube)
        let check = try #require(result.decisions.reconstruction)
        let epoch = try #require(check.outOfReachEpoch, "\(result.decisions.embeddingReason)")
        #expect(epoch == result.history.count && epoch < p.epochs)
        #expect(result.decisions.embedding == .pca)
        #expect(result.decisions.embeddingReason.contains("its training stopped after epoch \(epoch) of "))
        let json = String(decoding: try JSONEncoder().encode(check), as: UTF8.self)
        #expect(json.contains("\"out_of_reach_epoch\":\(epoch)"))
        // Asked for the autoencoder, it trains on to the end of its budget.
        p.embedding = .autoencoder; p.epochs = 40
        let forced = try Segmenter(parameters: p).segment(synthetic.cube)
        #expect(forced.history.count == 40 && forced.decisions.reconstruction?.outOfReachEpoch == nil)
    }
}
