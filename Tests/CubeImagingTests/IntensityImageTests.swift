import Foundation
import Testing
@testable import CubeImaging

@Suite struct IntensityImageTests {
    @Test func theLinearStretchMapsThePercentilesToBlackAndWhite() throws {
        // 0 ... 100: the 1st percentile is 1 and the 99th is 99 (101 values, exact ranks).
        let values = (0...100).map(Float.init)
        let grey = try IntensityImage.grayLevels(values, scale: .linear)
        #expect(grey[0] == 0 && grey[1] == 0)
        #expect(grey[99] == 255 && grey[100] == 255)
        #expect(grey[50] == UInt8((255.0 * 49 / 98).rounded()))
        #expect(zip(grey, grey.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func theLogScaleSpacesAGeometricSeriesEvenly() throws {
        let values: [Float] = [1, 10, 100, 1000, 10000, 0, -5, .nan]
        let grey = try IntensityImage.grayLevels(values, scale: .log, lowerPercentile: 0, upperPercentile: 100)
        #expect(Array(grey.prefix(5)) == [0, 64, 128, 191, 255])
        #expect(Array(grey.suffix(3)) == [0, 0, 0])
    }

    @Test func theSquareRootScaleStretchesSquares() throws {
        let grey = try IntensityImage.grayLevels([0, 25, 100], scale: .sqrt, lowerPercentile: 0, upperPercentile: 100)
        #expect(grey == [0, 128, 255])
    }

    @Test func aConstantMapIsBlackAndNonFiniteValuesAreBlack() throws {
        #expect(try IntensityImage.grayLevels([3, 3, 3], scale: .linear) == [0, 0, 0])
        #expect(try IntensityImage.grayLevels([.infinity, .nan], scale: .linear) == [0, 0])
    }

    @Test func thePNGIsAnEightBitGrayscaleImageOfTheGreyLevels() throws {
        var rng = TestRandom(seed: 5)
        let values = (0..<(17 * 9)).map { _ in Float.random(in: 0...1000, using: &rng) }
        let png = try IntensityImage.grayscale(values: values, width: 17, height: 9, scale: .sqrt)
        let image = try PNG.Decoder().decode(png)
        #expect(image.colorType == .grayscale && image.width == 17 && image.height == 9)
        #expect(image.samples == (try IntensityImage.grayLevels(values, scale: .sqrt)))
    }

    @Test func badPercentilesAndSizesAreRejected() {
        #expect(throws: ImagingError.invalidPercentiles(lower: 50, upper: 50)) {
            try IntensityImage.grayLevels([1, 2], scale: .linear, lowerPercentile: 50, upperPercentile: 50)
        }
        #expect(throws: ImagingError.sizeMismatch(count: 2, width: 3, height: 1)) {
            try IntensityImage.grayscale(values: [1, 2], width: 3, height: 1)
        }
    }
}
