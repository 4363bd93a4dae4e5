import CubeFormats
import CubeSynth
import Foundation
import Testing

@testable import CubeML

@Suite("Segmenter end to end")
struct SegmenterEndToEndTests {
    @Test("an MA-XRF painting cube is segmented into its pigments")
    func maxrfPigmentsAreRecovered() throws {
        let synthetic = SyntheticCubes.maxrf(size: 64, channels: 512, counts: 120, seed: 1)
        var p = SegmentationParameters()
        p.kMin = 2; p.kMax = 8
        let result = try Segmenter(parameters: p).segment(synthetic.cube)
        let ari = ClusteringMetrics.adjustedRandIndex(synthetic.labels, result.labels)
        print("maxrf: K=\(result.chosenK) truth=\(synthetic.classCount) ARI=\(ari) timings=\(result.timings) epochs=\(result.history.count) reason=\(result.selection.reason)")
        #expect(ari >= 0.9)
    }
}
