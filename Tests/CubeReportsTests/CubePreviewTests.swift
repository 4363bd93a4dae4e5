import CubeFormats
import CubeImaging
import Foundation
import Testing
@testable import CubeReports

@Suite struct CubePreviewTests {
    // 3 x 2 pixels, 4 channels: pixel p has channels p, p, p, 10 * p.
    let cube: Datacube = {
        var values: [Float] = []
        for p in 0..<6 {
            let v = Float(p)
            values += [v, v, v, 10 * v]
        }
        return Datacube(height: 2, width: 3, channels: 4, values: values,
                        axis: .linear(count: 4, start: 100, step: 10, unit: .eV, quantity: .energy))
    }()

    @Test func totalIntensityIsTheSumOverChannelsOfEachPixel() throws {
        #expect(try CubePreview.totalIntensity(cube) == (0..<6).map { Float(13 * $0) })
    }

    @Test func thePreviewIsTheStretchedTotalIntensity() throws {
        let image = try PNG.Decoder().decode(try CubePreview.intensityPNG(cube, scale: .sqrt))
        #expect(image.colorType == .grayscale && image.width == 3 && image.height == 2)
        #expect(image.samples == (try IntensityImage.grayLevels(try CubePreview.totalIntensity(cube), scale: .sqrt)))
    }

    @Test func aSummaryOfACubeTakesItsShapeFormatAndUnit() {
        let s = CubeSummary(name: "memory cube", cube: cube)
        #expect(s == CubeSummary(name: "memory cube", format: "memory", height: 2, width: 3, channels: 4, dtype: "float32", axisUnit: "eV"))
    }
}
