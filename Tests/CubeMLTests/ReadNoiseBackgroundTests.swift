import CubeFormats
import CubeSynth
import Foundation
import Testing
@testable import CubeML

/// A painting of CubeSeg's generator (`size` x `size` x `channels`, `counts` per pixel)
/// framed on every side by `margin` pixels holding 0-2 counts (the sample holder), row
/// major; with the side of the framed square and whether each of its pixels is the
/// painting's.
private func framedPainting(size: Int, margin: Int, channels: Int, counts: Double) throws
    -> (values: [Float], side: Int, painting: [Bool]) {
    let s = SyntheticCubes.maxrf(size: size, channels: channels, counts: counts, seed: 5)
    let inner = try s.cube.readAll()
    let side = size + 2 * margin
    var values = [Float](repeating: 0, count: side * side * channels)
    var painting = [Bool](repeating: false, count: side * side)
    var rng = SeededGenerator(seed: 17)
    for y in 0..<side {
        for x in 0..<side {
            let p = y * side + x
            if (margin..<(margin + size)).contains(y) && (margin..<(margin + size)).contains(x) {
                let q = (y - margin) * size + (x - margin)
                for k in 0..<channels { values[p * channels + k] = inner[q * channels + k] }
                painting[p] = true
            } else {
                for _ in 0..<rng.nextInt(below: 3) { values[p * channels + rng.nextInt(below: channels)] += 1 }
            }
        }
    }
    return (values, side, painting)
}

@Suite("Background of counts with read noise")
struct ReadNoiseBackgroundTests {
    @Test("neighbourhood medians take the pixels with data within the radius, clipped at the image's edges")
    func neighbourhoodMedians() {
        // 3 x 4, row major; the pixel holding 6 has no data.
        let values: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        var hasData = [Bool](repeating: true, count: 12)
        hasData[5] = false
        let m = BackgroundThreshold.neighbourhoodMedians(values, hasData: hasData, width: 4, radius: 1)
        #expect(m[0] == 2)    // 1, 2, 5
        #expect(m[5] == 6)    // 1, 2, 3, 5, 7, 9, 10, 11: the middle two, 5 and 7
        #expect(m[3] == 5.5)  // 3, 4, 7, 8
        #expect(m[11] == 9.5) // 7, 8, 11, 12
        let none = BackgroundThreshold.neighbourhoodMedians(values, hasData: hasData, width: 4, radius: 0)
        #expect(none == [1, 2, 3, 4, 5, 0, 7, 8, 9, 10, 11, 12])
    }

    @Test("Kuwahara's mean takes the most uniform box with the pixel in a corner: beside an edge, the pixel's own side")
    func uniformQuadrantMeans() {
        // 4 x 6, row major: a step from 0 (columns 0-2) to 100 (columns 3-5), and a 1 on the
        // left side of the step in the first row.
        var values = [Float](repeating: 0, count: 24)
        for y in 0..<4 { for x in 3..<6 { values[y * 6 + x] = 100 } }
        values[1] = 1
        let all = [Bool](repeating: true, count: 24)
        let k = BackgroundThreshold.uniformQuadrantMeans(values, hasData: all, width: 6, radius: 1)
        // Beside the step on either side: its own side's level, where the box across it
        // would give 50 (and a 5 x 5 median, 3 of 5 columns one side, that side's level).
        #expect(k[1 * 6 + 2] == 0 && k[2 * 6 + 2] == 0)
        #expect(k[1 * 6 + 3] == 100 && k[2 * 6 + 3] == 100)
        // The corner pixel (0, 0) has one box: pixels (0, 0), (0, 1), (1, 0), (1, 1).
        #expect(k[0] == 0.25)
        // Pixel (0, 1): boxes {0, 1, 0, 0} and {1, 0, 0, 0}, equally uniform; the first wins.
        #expect(k[1] == 0.25)
        // Without data around a pixel: 0.
        var none = all
        for p in [0, 1, 6, 7] { none[p] = false }
        #expect(BackgroundThreshold.uniformQuadrantMeans(values, hasData: none, width: 6, radius: 1)[0] == 0)
        // Read noise's levels take the smaller of the median and Kuwahara's mean.
        let levels = BackgroundThreshold.readNoiseLevels(signedTotals: values, hasData: all, width: 6, radius: 1)
        let medians = BackgroundThreshold.neighbourhoodMedians(values, hasData: all, width: 6, radius: 1)
        #expect(levels == zip(medians, k).map { min($0, $1) })
    }

    @Test("signal is the pixels whose level reaches the threshold, less groups smaller than the box the levels are measured over")
    func readNoiseSignal() {
        // 12 x 12: a 6 x 6 block at 100 in the top left corner, one pixel at 100 far from it,
        // a 2 x 2 group at 100 touching the block's corner diagonally, and a pixel without data
        // inside the block (its level is still 100: it stays out, having no data).
        let w = 12
        var levels = [Float](repeating: 0, count: w * w)
        for y in 0..<6 { for x in 0..<6 { levels[y * w + x] = 100 } }
        levels[10 * w + 10] = 100
        for (y, x) in [(6, 6), (6, 7), (7, 6), (7, 7)] { levels[y * w + x] = 100 }
        var hasData = [Bool](repeating: true, count: w * w)
        hasData[2 * w + 2] = false
        let signal = BackgroundThreshold.readNoiseSignal(levels: levels, hasData: hasData, width: w, radius: 1, threshold: 50)
        #expect(!signal[10 * w + 10])              // alone: fewer than 3 x 3
        #expect(signal[6 * w + 6] && signal[7 * w + 7]) // 4 pixels, but joined to the block
        #expect(signal[0] && signal[5 * w + 5] && !signal[2 * w + 2])
        #expect(signal.filter { $0 }.count == 36 - 1 + 4)
        // With radius 0 the smallest group is one pixel: the lone pixel stays.
        #expect(BackgroundThreshold.readNoiseSignal(levels: levels, hasData: hasData, width: w, radius: 0, threshold: 50)[10 * w + 10])
    }

    @Test("a painting framed by an empty margin and read through an amplifier has the margin masked, which its positive totals hide")
    func framedPaintingWithReadNoise() throws {
        let framed = try framedPainting(size: 32, margin: 8, channels: 256, counts: 400)
        let dn = readThroughAmplifier(framed.values, sigma: 2, gain: 3.7)
        let cube = Datacube(height: framed.side, width: framed.side, channels: 256, values: dn)
        let plan = try Preprocessor.plan(for: cube, parameters: SegmentationParameters())
        let data = try #require(plan.data)
        #expect(data.kind == .counts && data.readNoiseVariance != nil, "\(data.reason)")
        #expect(plan.recipe.backgroundRadius == BackgroundThreshold.readNoiseRadius)
        #expect(plan.background?.masks == true && plan.background?.radius == BackgroundThreshold.readNoiseRadius,
                "\(String(describing: plan.background))")
        let prepared = try Preprocessor(recipe: plan.recipe).prepare(cube)
        // Every margin pixel is background: beside the painting the most uniform quadrant
        // lies on the margin, and the noise's tail passes in specks smaller than the box.
        let keptMargin = prepared.pixelIndex.filter { !framed.painting[Int($0)] }
        #expect(keptMargin.isEmpty, "\(keptMargin.count) margin pixels kept")
        let paintingPixels = framed.painting.filter { $0 }.count
        // Of the painting at most the corners are background: a corner pixel's box holds 9
        // painting pixels of 25, its neighbours' along the edges 12.
        let keptPainting = prepared.pixelIndex.count - keptMargin.count
        #expect(keptPainting >= paintingPixels - 12, "\(keptPainting) of \(paintingPixels)")
        // Each pixel's positive total holds the noise's positive half: no background there.
        let statistics = try CubeStatistics.measure(cube, channels: 0..<256)
        #expect(!BackgroundThreshold.decide(totals: statistics.totals, unit: try #require(data.countUnit)).masks)
    }

    @Test("a painting with a dark pigment read through an amplifier with strong read noise keeps the pigment")
    func darkPigmentWithReadNoise() throws {
        // 400 counts per pixel on 1,024 channels; a bone black of about 140; 4 counts of read
        // noise scatter each signed total by 128 counts.
        let s = SyntheticCubes.maxrf(size: 48, channels: 1024, counts: 400, seed: 3,
                                     options: MAXRFOptions(classes: 6, darkClass: true))
        let dn = readThroughAmplifier(try s.cube.readAll(), sigma: 4, gain: 3.7)
        let cube = Datacube(height: 48, width: 48, channels: 1024, values: dn)
        let plan = try Preprocessor.plan(for: cube, parameters: SegmentationParameters())
        #expect(plan.data?.readNoiseVariance != nil, "\(plan.data?.reason ?? "")")
        #expect(plan.background?.radius == BackgroundThreshold.readNoiseRadius)
        #expect(plan.recipe.backgroundThreshold == 0 && plan.recipe.backgroundRadius == nil, "\(String(describing: plan.background))")
        #expect(try Preprocessor(recipe: plan.recipe).prepare(cube).backgroundCount == 0)
    }
}
