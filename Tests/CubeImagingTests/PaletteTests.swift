import Testing
@testable import CubeImaging

@Suite struct PaletteTests {
    static func minimumDistance(_ colors: [PNG.RGBA]) -> Double {
        var m = Double.infinity
        for i in 0..<colors.count { for j in (i + 1)..<colors.count { m = min(m, CIELab(colors[i]).distance(to: CIELab(colors[j]))) } }
        return m
    }

    @Test func theCategoricalPaletteHas255DistinctColoursStartingWithTableau10() {
        let colors = Palette.categorical.colors
        #expect(colors.count == 255)
        #expect(Set(colors).count == 255)
        #expect(Array(colors.prefix(10)) == Palette.tableau10)
        #expect(colors.allSatisfy { $0.a == 255 })
        #expect(Palette.categorical.background == PNG.RGBA(0, 0, 0, 255))
    }

    @Test func theFirstTwentyColoursAreFarApartAndFarFromTheBackground() {
        let first = Array(Palette.categorical.colors.prefix(20))
        // CIE76 delta E: about 2.3 is a just-noticeable difference; 20 is clearly distinct.
        #expect(Self.minimumDistance(first) > 20)
        #expect(first.allSatisfy { CIELab($0).distance(to: CIELab(Palette.black)) > 20 })
    }

    @Test func eachGreedyPickIsTheGridColourFarthestFromEverythingChosenBefore() {
        // Picks 11...14 beyond Tableau 10: no colour of the 16-level grid is farther from the
        // earlier colours (and black) than the colour that was picked.
        let colors = Palette.categorical.colors
        let grid: [PNG.RGBA] = (0..<4096).map { (i: Int) -> PNG.RGBA in
            let r = UInt8((i >> 8) * 17), g = UInt8(((i >> 4) & 15) * 17), b = UInt8((i & 15) * 17)
            return PNG.RGBA(r, g, b)
        }
        let gridLab = grid.map(CIELab.init)
        for pick in 10..<14 {
            let earlier = ([Palette.black] + colors[..<pick]).map(CIELab.init)
            func gap(_ c: CIELab) -> Double { earlier.map { $0.distance(to: c) }.min()! }
            let picked = gap(CIELab(colors[pick]))
            #expect(picked > 0)
            #expect(gridLab.allSatisfy { gap($0) <= picked + 1e-9 }, "pick \(pick)")
        }
    }

    @Test func labelsMapToTheirColourAndNegativeLabelsToTheBackground() {
        let p = Palette(colors: [PNG.RGBA(1, 1, 1), PNG.RGBA(2, 2, 2)], background: Palette.transparent)
        #expect(p.color(forLabel: 0) == PNG.RGBA(1, 1, 1))
        #expect(p.color(forLabel: 3) == PNG.RGBA(2, 2, 2))  // cycles
        #expect(p.color(forLabel: -1) == Palette.transparent)
    }

    @Test func cielabOfKnownColoursMatchesTheStandard() {
        // sRGB white is L* = 100, a* = b* = 0 under D65; black is 0, 0, 0.
        let white = CIELab(PNG.RGBA(255, 255, 255)), black = CIELab(PNG.RGBA(0, 0, 0))
        #expect(abs(white.l - 100) < 0.01 && abs(white.a) < 0.01 && abs(white.b) < 0.01)
        #expect(abs(black.l) < 1e-9)
    }
}
