import Testing
@testable import CubeSpectroscopy

@Suite struct SpectrumPeaksTests {
    static let lines: [(energy: Double, amplitude: Double)] = [
        (lineEnergy("Ca", "Ka"), 500), (lineEnergy("Fe", "Ka"), 3000), (lineEnergy("Fe", "Kb"), 380),
        (lineEnergy("Pb", "La"), 2000), (lineEnergy("Pb", "Lb1"), 800),
    ]

    @Test("peaks of a synthetic spectrum are found at the line energies, strongest first", arguments: [256, 1024, 2048, 4096])
    func syntheticPeaks(channels: Int) throws {
        let spectrum = SyntheticSpectrum(channels: channels, lines: Self.lines, seed: 42)
        let peaks = try SpectrumPeaks.find(x: spectrum.energy, y: spectrum.counts)
        #expect(peaks.count >= 5 && peaks.count <= 12)
        let step = 40.96 / Double(channels)
        for line in Self.lines {
            #expect(peaks.contains { abs($0.x - line.energy) <= max(0.04, step) }, "no peak at \(line.energy) keV")
        }
        #expect(zip(peaks, peaks.dropFirst()).allSatisfy { $0.prominence >= $1.prominence })
        #expect(abs(peaks[0].x - lineEnergy("Fe", "Ka")) <= max(0.04, step))
        #expect(peaks.allSatisfy { $0.prominence > 0 && $0.height >= $0.prominence })
    }

    @Test("maxPeaks caps the number of peaks")
    func cap() throws {
        let spectrum = SyntheticSpectrum(channels: 2048, lines: Self.lines, seed: 1)
        let two = try SpectrumPeaks.find(x: spectrum.energy, y: spectrum.counts, maxPeaks: 2)
        #expect(two.count == 2)
        #expect(try SpectrumPeaks.find(x: spectrum.energy, y: spectrum.counts, maxPeaks: 0).isEmpty)
    }

    @Test("a flat spectrum, a noisy flat spectrum and an all-zero spectrum have no peaks")
    func flat() throws {
        let x = (0..<2048).map { Double($0) * 0.02 }
        #expect(try SpectrumPeaks.find(x: x, y: [Double](repeating: 0, count: 2048)).isEmpty)
        #expect(try SpectrumPeaks.find(x: x, y: [Double](repeating: 100, count: 2048)).isEmpty)
        #expect(try SpectrumPeaks.find(x: x, y: [Float](repeating: 0.37, count: 2048)).isEmpty)
        for (seed, mean) in [(UInt64(3), 0.2), (4, 5), (5, 100), (6, 10_000)] {
            var rng = SeededRandom(seed: seed)
            let noisy = x.map { _ in rng.poisson(mean) }
            #expect(try SpectrumPeaks.find(x: x, y: noisy).isEmpty, "Poisson mean \(mean)")
        }
    }

    @Test("a smooth continuum without lines has no peaks")
    func continuumOnly() throws {
        let spectrum = SyntheticSpectrum(channels: 4096, lines: [], seed: 9)
        #expect(try SpectrumPeaks.find(x: spectrum.energy, y: spectrum.counts).isEmpty)
    }

    @Test("an eV axis gives the same peaks as a keV axis")
    func electronVolts() throws {
        let spectrum = SyntheticSpectrum(channels: 2048, lines: Self.lines, seed: 7)
        let inKeV = try SpectrumPeaks.find(x: spectrum.energy, y: spectrum.counts, unit: "keV")
        let inEV = try SpectrumPeaks.find(x: spectrum.energy.map { $0 * 1000 }, y: spectrum.counts, unit: "eV")
        #expect(inKeV.count == inEV.count && !inKeV.isEmpty)
        for (a, b) in zip(inKeV, inEV) {
            #expect(abs(a.x - b.x) < 1e-9 && abs(a.height - b.height) < 1e-6 && abs(a.prominence - b.prominence) < 1e-6)
        }
    }

    @Test("Float and scaled spectra give the same peak positions as counts")
    func floatAndScaled() throws {
        let spectrum = SyntheticSpectrum(channels: 1024, lines: Self.lines, seed: 5)
        let counts = try SpectrumPeaks.find(x: spectrum.energy, y: spectrum.counts)
        let floats = try SpectrumPeaks.find(x: spectrum.energy.map(Float.init), y: spectrum.counts.map(Float.init))
        #expect(floats.map(\.x).map { ($0 * 1000).rounded() } == counts.map(\.x).map { ($0 * 1000).rounded() })
        let scaled = try SpectrumPeaks.find(x: spectrum.energy, y: spectrum.counts.map { $0 / 37.3 })
        for line in Self.lines {
            #expect(scaled.contains { abs($0.x - line.energy) <= 0.05 }, "no peak at \(line.energy) keV in the scaled spectrum")
        }
    }

    @Test("invalid input throws: length mismatch, unknown unit, decreasing axis, NaN")
    func errors() {
        #expect(throws: SpectrumError.lengthMismatch(x: 3, y: 2)) { try SpectrumPeaks.find(x: [1.0, 2, 3], y: [1.0, 2]) }
        #expect(throws: SpectrumError.unknownUnit("nm")) { try SpectrumPeaks.find(x: [1.0, 2, 3], y: [1.0, 2, 1], unit: "nm") }
        #expect(throws: SpectrumError.axisNotIncreasing(index: 2)) { try SpectrumPeaks.find(x: [1.0, 2, 2], y: [1.0, 2, 1]) }
        #expect(throws: SpectrumError.nonFinite(index: 1)) { try SpectrumPeaks.find(x: [1.0, 2, 3], y: [1.0, .nan, 1]) }
        #expect(throws: Never.self) { try SpectrumPeaks.find(x: [Double](), y: [Double]()) }
        #expect(throws: Never.self) { try SpectrumPeaks.find(x: [1.0, 2], y: [5.0, 1], unit: "KEV") }
    }
}
