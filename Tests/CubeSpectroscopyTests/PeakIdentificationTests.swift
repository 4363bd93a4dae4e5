import Foundation
import Testing
@testable import CubeSpectroscopy

@Suite struct PeakIdentificationTests {
    static let lines = SpectrumPeaksTests.lines

    @Test("a synthetic Fe, Pb and Ca spectrum is named Fe, Pb and Ca", arguments: [256, 1024, 2048, 4096])
    func syntheticSpectrum(channels: Int) throws {
        for seed in UInt64(1)...3 {
            let spectrum = SyntheticSpectrum(channels: channels, lines: Self.lines, seed: seed)
            let named = try PeakIdentification.identify(x: spectrum.energy, y: spectrum.counts)
            let labels = Set(named.compactMap { peak in peak.element.map { "\($0) \(peak.line!)" } })
            for expected in ["Fe Ka", "Fe Kb", "Pb La", "Pb Lb1", "Ca Ka"] {
                #expect(labels.contains(expected), "\(channels) channels, seed \(seed): \(named)")
            }
            #expect(Set(named.compactMap(\.element)).isSubset(of: ["Fe", "Pb", "Ca"]), "\(named)")
            for peak in named where peak.element != nil {
                #expect(abs(peak.energy! - peak.x) <= PeakIdentification.tolerance(at: peak.x, channelStep: 40.96 / Double(channels)))
            }
        }
    }

    @Test("Pb L alpha is told from As K alpha by Pb L beta, and As by its own K beta")
    func leadVersusArsenic() {
        let range = 0.0...40.0
        let lead = PeakIdentification.name([
            SpectrumPeak(x: 10.55, height: 1000, prominence: 900), SpectrumPeak(x: 12.61, height: 500, prominence: 400),
        ], energyRange: range)
        #expect(lead.map(\.element) == ["Pb", "Pb"] && lead.map(\.line) == ["La", "Lb1"])
        let arsenic = PeakIdentification.name([
            SpectrumPeak(x: 10.54, height: 1000, prominence: 900), SpectrumPeak(x: 11.73, height: 200, prominence: 150),
        ], energyRange: range)
        #expect(arsenic.map(\.element) == ["As", "As"] && arsenic.map(\.line) == ["Ka", "Kb"])
    }

    @Test("a strong line wins over a weak line of another element without its main line")
    func strongLinePreferred() {
        // 3.66 keV is Sn Lb1 and near Ca Ka; without Sn La (3.44) it is Ca.
        let named = PeakIdentification.name([SpectrumPeak(x: 3.68, height: 100, prominence: 90)], energyRange: 0...40)
        #expect(named.first?.element == "Ca" && named.first?.line == "Ka")
        #expect(named.first?.energy == lineEnergy("Ca", "Ka"))
    }

    @Test("a peak far from every line stays unnamed")
    func unnamed() {
        let named = PeakIdentification.name([SpectrumPeak(x: 0.05, height: 10, prominence: 10)], energyRange: 0...40)
        #expect(named == [NamedPeak(x: 0.05, height: 10, element: nil, line: nil, energy: nil)])
        #expect(PeakIdentification.name([], energyRange: 0...40).isEmpty)
    }

    @Test("flat and all-zero spectra yield no named peaks, in keV or eV")
    func flatSpectra() throws {
        let x = (0..<1024).map { Double($0) * 40 }
        #expect(try PeakIdentification.identify(x: x, y: [Float](repeating: 0, count: 1024), unit: "eV").isEmpty)
        #expect(try PeakIdentification.identify(x: x.map { $0 / 1000 }, y: [Double](repeating: 7, count: 1024)).isEmpty)
    }

    @Test("an eV axis names the same peaks as a keV axis")
    func electronVolts() throws {
        let spectrum = SyntheticSpectrum(channels: 2048, lines: Self.lines, seed: 11)
        let inKeV = try PeakIdentification.identify(x: spectrum.energy, y: spectrum.counts)
        let inEV = try PeakIdentification.identify(x: spectrum.energy.map { $0 * 1000 }, y: spectrum.counts, unit: "eV")
        #expect(inKeV.map(\.element) == inEV.map(\.element) && inKeV.map(\.line) == inEV.map(\.line))
        #expect(zip(inKeV, inEV).allSatisfy { abs($0.x - $1.x) < 1e-9 })
    }

    @Test("named peaks encode to JSON with one-word keys and round-trip")
    func coding() throws {
        let named = PeakIdentification.name([
            SpectrumPeak(x: 6.40, height: 1000, prominence: 900), SpectrumPeak(x: 0.05, height: 10, prominence: 10),
        ], energyRange: 0...40)
        let data = try JSONEncoder().encode(named)
        let objects = try #require(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(Set(objects[0].keys) == ["x", "height", "element", "line", "energy"])
        #expect(objects[0]["element"] as? String == "Fe" && objects[0]["line"] as? String == "Ka")
        #expect(Set(objects[1].keys) == ["x", "height"])
        #expect(try JSONDecoder().decode([NamedPeak].self, from: data) == named)
    }
}
