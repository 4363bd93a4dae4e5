import CubeFormats
import CubeSynth
import Foundation
import Testing

@testable import CubeML

@Suite("Cubes with missing values")
struct MissingValuesTests {
    @Test("an IFU cube with a NaN border outside its field of view and a NaN voxel inside segments; the border stays unlabelled and report.json counts both")
    func nanBorderIsLeftOut() throws {
        let synthetic = SyntheticCubes.ifu(size: 32, channels: 128, seed: 9)
        let (h, w, c) = (32, 32, 128)
        var values = try synthetic.cube.readAll()
        var border: Set<Int> = []
        for y in 0..<h {
            for x in 0..<w where y < 3 || x >= w - 2 {
                border.insert(y * w + x)
                for k in 0..<c { values[(y * w + x) * c + k] = .nan }
            }
        }
        values[(16 * w + 16) * c + 40] = .infinity
        let cube = Datacube(height: h, width: w, channels: c, values: values)
        var p = SegmentationParameters()
        p.embedding = .pca; p.kMax = 5
        let result = try Segmenter(parameters: p).segment(cube)

        #expect(result.decisions.missingValues == MissingValues(pixelsWithoutData: border.count, nonFiniteValues: 1))
        #expect(result.backgroundPixels == border.count)
        for (k, labels) in result.labelsByK {
            #expect(border.allSatisfy { labels[$0] == -1 }, "K = \(k)")
            #expect(labels.indices.filter { !border.contains($0) }.allSatisfy { labels[$0] >= 0 }, "K = \(k)")
        }
        #expect(result.clusters.allSatisfy { $0.meanSpectrum.allSatisfy { $0.isFinite } })
        let json = try JSONEncoder().encode(result.decisions)
        let object = try #require(JSONSerialization.jsonObject(with: json) as? [String: Any])
        let missing = try #require(object["missing_values"] as? [String: Any])
        #expect(missing["pixels_without_data"] as? Int == border.count && missing["non_finite_values"] as? Int == 1)
    }

    @Test("a cube without missing values records none")
    func nothingMissing() throws {
        var p = SegmentationParameters()
        p.embedding = .pca; p.kMax = 4
        let result = try Segmenter(parameters: p).segment(SyntheticCubes.ifu(size: 16, channels: 64, seed: 2).cube)
        #expect(result.decisions.missingValues == nil)
        let object = try #require(JSONSerialization.jsonObject(with: try JSONEncoder().encode(result.decisions)) as? [String: Any])
        #expect(object["missing_values"] == nil)
    }
}
