import CubeFormats
import CubeSynth
import Foundation
import Testing
@testable import CubeML

/// A (height, width, channels) cube whose value at (y, x, c) is `f(y, x, c)`.
private func cube(_ h: Int, _ w: Int, _ c: Int, _ f: (Int, Int, Int) -> Float) -> Datacube {
    var v = [Float](repeating: 0, count: h * w * c)
    for y in 0..<h { for x in 0..<w { for k in 0..<c { v[(y * w + x) * c + k] = f(y, x, k) } } }
    return Datacube(height: h, width: w, channels: c, values: v)
}

private func parameters(_ edit: (inout SegmentationParameters) -> Void) -> SegmentationParameters {
    var p = SegmentationParameters()
    edit(&p)
    return p
}

private func expectInvalid(_ name: String, _ cube: Datacube, _ p: SegmentationParameters) {
    #expect {
        _ = try Preprocessor.recipe(for: cube, parameters: p)
    } throws: { error in
        guard case let SegmentationError.invalidParameter(n, reason) = error else { return false }
        return n == name && !reason.isEmpty
    }
}

@Suite("Preprocessor")
struct PreprocessingPreprocessorTests {
    @Test("crop, rebinning by sums, negatives as zero and totals follow the recipe")
    func cropAndRebin() throws {
        // 2 x 3 pixels, 6 channels; value = 10 * pixel + channel, channel 2 of pixel 4 negative.
        let c = cube(2, 3, 6) { y, x, k in (y == 1 && x == 1 && k == 2) ? -50 : Float(10 * (y * 3 + x) + k) }
        let recipe = try Preprocessor.recipe(for: c, parameters: parameters {
            $0.cropStart = 1; $0.cropEnd = 6; $0.bins = 2; $0.transform = .identity; $0.background = .none
        })
        #expect(recipe.binEdges == [0, 2, 5])
        #expect(recipe.cropStart == 1 && recipe.cropEnd == 6 && recipe.sourceChannels == 6)
        #expect(recipe.backgroundThreshold == nil)
        let prepared = try Preprocessor(recipe: recipe).prepare(c)
        #expect(prepared.pixelIndex == [0, 1, 2, 3, 4, 5])
        #expect(prepared.backgroundCount == 0)
        #expect(prepared.spectra.rows == 6 && prepared.spectra.cols == 2)
        for p in 0..<6 {
            let base = Float(10 * p)
            let first = p == 4 ? (base + 1) + 0 : (base + 1) + (base + 2)  // channels 1, 2
            let second = (base + 3) + (base + 4) + (base + 5)               // channels 3, 4, 5
            #expect(prepared.spectra[p, 0] == first)
            #expect(prepared.spectra[p, 1] == second)
            #expect(prepared.totals[p] == first + second)
        }
    }

    @Test("log-max and smoothing in prepare equal the transforms applied to the rebinned spectrum")
    func transformAndSmoothing() throws {
        let c = cube(3, 4, 40) { y, x, k in Float((y * 7 + x * 3 + k * k) % 11) }
        let recipe = try Preprocessor.recipe(for: c, parameters: parameters {
            $0.bins = 16; $0.transform = .logMax; $0.smoothing = 3; $0.background = .none
        })
        let prepared = try Preprocessor(recipe: recipe).prepare(c)
        let raw = try c.readAll()
        for p in 0..<12 {
            var spectrum = [Float](repeating: 0, count: 16)
            for b in 0..<16 { for k in recipe.binEdges[b]..<recipe.binEdges[b + 1] { spectrum[b] += raw[p * 40 + k] } }
            var scratch = [Float](repeating: 0, count: 17)
            spectrum.withUnsafeMutableBufferPointer { s in
                scratch.withUnsafeMutableBufferPointer { t in
                    SpectrumTransforms.logMax(s)
                    SpectrumTransforms.boxSmooth(s, width: 3, scratch: t)
                }
            }
            #expect(prepared.spectra.row(p) == spectrum)
        }
    }

    @Test("a cube spanning several row blocks is prepared pixel by pixel in order")
    func severalBlocks() throws {
        // 128 x 128 x 512 floats = 32 MiB: two 16 MiB blocks.
        let synth = SyntheticCubes.maxrf(size: 128, channels: 512, seed: 2)
        let recipe = try Preprocessor.recipe(for: synth.cube, parameters: parameters {
            $0.bins = 128; $0.transform = .robust; $0.background = .threshold(110)
        })
        let prepared = try Preprocessor(recipe: recipe).prepare(synth.cube)
        let raw = try synth.cube.readAll()
        var expectedIndex: [Int32] = []
        for p in 0..<synth.cube.pixelCount {
            let total = raw[(p * 512)..<((p + 1) * 512)].reduce(0, +)
            #expect(prepared.totals[p] == total)
            if total >= 110 { expectedIndex.append(Int32(p)) }
        }
        #expect(prepared.pixelIndex == expectedIndex)
        #expect(prepared.backgroundCount == synth.cube.pixelCount - expectedIndex.count)
        #expect(prepared.backgroundCount > 0 && !expectedIndex.isEmpty)
        // Spot-check rows against the transform applied by hand.
        for row in [0, expectedIndex.count / 2, expectedIndex.count - 1] {
            let p = Int(expectedIndex[row])
            var spectrum = [Float](repeating: 0, count: 128)
            for b in 0..<128 { for k in (4 * b)..<(4 * b + 4) { spectrum[b] += raw[p * 512 + k] } }
            var scratch = [Float](repeating: 0, count: 129)
            spectrum.withUnsafeMutableBufferPointer { s in
                scratch.withUnsafeMutableBufferPointer { SpectrumTransforms.robust(s, scratch: $0) }
            }
            #expect(prepared.spectra.row(row) == spectrum)
        }
    }

    @Test("a pixel with no finite value is left out as a pixel without data; NaN and infinities elsewhere count as 0 and are counted")
    func nonFiniteValues() throws {
        let c = cube(3, 4, 5) { y, x, k in
            if y == 0 && x == 0 { return .nan }                        // no data at all
            if y == 0 && x == 1 { return k % 2 == 0 ? .infinity : .nan }  // no finite value either
            if y == 1 && x == 2 && k == 3 { return .nan }
            if y == 2 && x == 0 && k == 1 { return -.infinity }
            return Float(1 + k)
        }
        let recipe = try Preprocessor.recipe(for: c, parameters: parameters { $0.background = .none; $0.bins = 0; $0.transform = .identity })
        let prepared = try Preprocessor(recipe: recipe).prepare(c)
        #expect(prepared.missing == MissingValues(pixelsWithoutData: 2, nonFiniteValues: 2))
        #expect(prepared.spectra.rows == 10)
        #expect(!prepared.pixelIndex.contains(0) && !prepared.pixelIndex.contains(1))
        #expect(prepared.backgroundCount == 2)
        let row = try #require(prepared.pixelIndex.firstIndex(of: 1 * 4 + 2))
        #expect(prepared.spectra.row(row) == [1, 2, 3, 0, 5])
        let other = try #require(prepared.pixelIndex.firstIndex(of: 2 * 4 + 0))
        #expect(prepared.spectra.row(other) == [1, 0, 3, 4, 5])
        #expect(prepared.spectra.storage.allSatisfy { $0.isFinite })
        // The automatic decisions read only the pixels with data and the finite values.
        let stats = try CubeStatistics.measure(c, channels: 0..<5)
        #expect(stats.hasData.filter { !$0 }.count == 2 && stats.dataTotals.count == 10)
        #expect(stats.wholeNumbers && stats.zeroFraction == 0)
        let plan = try Preprocessor.plan(for: c, parameters: SegmentationParameters())
        #expect(plan.background?.masks == false)
        // A cube without any finite value says so, naming the channels read.
        let empty = cube(2, 2, 3) { _, _, _ in .nan }
        #expect {
            _ = try Preprocessor.plan(for: empty, parameters: SegmentationParameters())
        } throws: { error in
            guard case let SegmentationError.invalidData(message) = error else { return false }
            return message.contains("NaN or infinite") && message.contains("0..<3")
        }
        // Values outside the crop range are never read.
        let e = cube(2, 2, 4) { _, _, k in k == 3 ? .nan : 1 }
        let r3 = try Preprocessor.recipe(for: e, parameters: parameters { $0.cropEnd = 3; $0.background = .auto })
        let p3 = try Preprocessor(recipe: r3).prepare(e)
        #expect(p3.spectra.rows == 4 && p3.missing.isEmpty)
    }

    @Test("without bins, whole numbers without Poisson noise and flux data keep their channels; bins 0 keeps every channel")
    func automaticBins() throws {
        // 4 x 4 identical pixels, 512 channels, whole numbers: no noise, so not counts
        // (`DataKindTests` covers real counts, which are rebinned).
        let counts = cube(4, 4, 512) { y, x, k in (k % 4 == 0) ? 1 : 0 }
        let auto = try Preprocessor.recipe(for: counts, parameters: parameters { $0.background = .none })
        #expect(auto.binEdges.count - 1 == 512)
        let kept = try Preprocessor.recipe(for: counts, parameters: parameters { $0.background = .none; $0.bins = 0; $0.transform = .logMax })
        #expect(kept.binEdges.count - 1 == 512)
        let flux = cube(4, 4, 512) { y, x, k in (k % 4 == 0) ? 1.5 : 0.25 }
        let fluxRecipe = try Preprocessor.recipe(for: flux, parameters: parameters { $0.background = .none })
        #expect(fluxRecipe.binEdges.count - 1 == 512)
    }

    @Test("invalid crop, bins, smoothing and threshold are rejected naming the parameter")
    func validation() {
        let c = cube(2, 2, 10) { _, _, _ in 1 }
        expectInvalid("crop_start", c, parameters { $0.cropStart = -1 })
        expectInvalid("crop_end", c, parameters { $0.cropEnd = 11 })
        expectInvalid("crop_end", c, parameters { $0.cropStart = 5; $0.cropEnd = 5 })
        expectInvalid("crop_end", c, parameters { $0.cropStart = 6; $0.cropEnd = 2 })
        expectInvalid("bins", c, parameters { $0.bins = 1 })
        expectInvalid("bins", c, parameters { $0.bins = -3 })
        expectInvalid("smoothing", c, parameters { $0.smoothing = -2 })
        expectInvalid("smoothing", c, parameters { $0.bins = 4; $0.smoothing = 5 })
        expectInvalid("background", c, parameters { $0.background = .threshold(-1) })
        expectInvalid("background", c, parameters { $0.background = .threshold(.nan) })
        let message = String(describing: SegmentationError.invalidParameter(name: "crop_end", reason: "must be <= the cube's 10 channels, got 11"))
        #expect(message == "invalid parameter crop_end: must be <= the cube's 10 channels, got 11")
    }

    @Test("a recipe applied to a cube with another channel count is a model mismatch")
    func mismatch() throws {
        let a = cube(2, 2, 10) { _, _, _ in 1 }
        let b = cube(2, 2, 12) { _, _, _ in 1 }
        let recipe = try Preprocessor.recipe(for: a, parameters: parameters { $0.background = .none })
        #expect(throws: SegmentationError.modelMismatch("the recipe expects 10 channels, the cube has 12")) {
            _ = try Preprocessor(recipe: recipe).prepare(b)
        }
    }

    @Test("background modes: none gives no threshold, a number is kept as given")
    func backgroundModes() throws {
        let c = cube(2, 2, 4) { y, _, _ in Float(y) }
        #expect(try Preprocessor.recipe(for: c, parameters: parameters { $0.background = .none }).backgroundThreshold == nil)
        let recipe = try Preprocessor.recipe(for: c, parameters: parameters { $0.background = .threshold(2.5) })
        #expect(recipe.backgroundThreshold == 2.5)
        let prepared = try Preprocessor(recipe: recipe).prepare(c)
        // Row 0 totals 0, row 1 totals 4: only row 1 is signal.
        #expect(prepared.pixelIndex == [2, 3])
        #expect(prepared.backgroundCount == 2)
        #expect(prepared.totals == [0, 0, 4, 4])
    }
}
