import Testing
import CubeSpectroscopy

@Suite struct XRayLinesTests {
    @Test("well-known line energies match the literature to 10 eV", arguments: [
        ("Fe", "Ka", 6.40), ("Fe", "Kb", 7.06), ("Cu", "Ka", 8.05), ("Pb", "La", 10.55), ("Pb", "Lb1", 12.61),
        ("Ca", "Ka", 3.69), ("Zn", "Ka", 8.64), ("Hg", "La", 9.99), ("Ti", "Ka", 4.51), ("Sn", "La", 3.44),
    ])
    func knownEnergies(element: String, line: String, expected: Double) throws {
        let found = try #require(XRayLines.lines(of: element).first { $0.name == line })
        #expect(abs(found.energy - expected) <= 0.01)
    }

    @Test("the table covers sodium to uranium, each element with a K alpha line")
    func coverage() {
        let numbers = Set(XRayLines.all.map(\.atomicNumber))
        #expect(numbers == Set(11...92))
        for z in 11...92 {
            #expect(XRayLines.all.contains { $0.atomicNumber == z && $0.name == "Ka" }, "Z = \(z) has no Ka")
        }
        #expect(XRayLines.lines(of: "Na").first?.atomicNumber == 11)
        #expect(XRayLines.lines(of: "U").contains { $0.name == "Ma" })
    }

    @Test("every weight is in (0, 1] and every family has a line of weight 1")
    func weights() {
        for line in XRayLines.all { #expect(line.weight > 0 && line.weight <= 1, "\(line)") }
        for (element, lines) in Dictionary(grouping: XRayLines.all, by: \.element) {
            for family in Set(lines.map { $0.name.prefix(1) }) {
                #expect(lines.contains { $0.name.hasPrefix(family) && $0.weight == 1 }, "\(element) \(family)")
            }
        }
    }

    @Test("energies are positive and K alpha is below K beta for every element")
    func ordering() {
        for line in XRayLines.all { #expect(line.energy > 0 && line.energy.isFinite, "\(line)") }
        for (element, lines) in Dictionary(grouping: XRayLines.all, by: \.element) {
            let ka = lines.first { $0.name == "Ka" }, kb = lines.first { $0.name == "Kb" }
            if let ka, let kb { #expect(ka.energy < kb.energy, "\(element)") }
            if let la = lines.first(where: { $0.name == "La" }), let lb = lines.first(where: { $0.name == "Lb1" }) {
                #expect(la.energy < lb.energy, "\(element)")
            }
        }
    }

    @Test("element look-up ignores letter case and is empty for unknown symbols")
    func lookUp() {
        #expect(XRayLines.lines(of: "fe") == XRayLines.lines(of: "Fe"))
        #expect(XRayLines.lines(of: "PB") == XRayLines.lines(of: "Pb"))
        #expect(XRayLines.lines(of: "Xx").isEmpty)
        #expect(XRayLines.lines(of: "").isEmpty)
        #expect(XRayLines.lines(of: "H").isEmpty)
        #expect(XRayLines.lines(of: "Fe").allSatisfy { $0.element == "Fe" && $0.atomicNumber == 26 })
    }
}
