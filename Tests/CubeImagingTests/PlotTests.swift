import Foundation
import Testing
@testable import CubeImaging

@Suite struct PlotTests {
    @Test func niceTicksAreMultiplesOfOneTwoOrFiveTimesAPowerOfTenCoveringTheRange() {
        for (lo, hi) in [(0.0, 97.0), (-3.2, 7.9), (1000.0, 10200.0), (0.31, 0.62), (2.0, 10.0)] {
            let ticks = LinePlot.niceTicks(lo, hi, count: 5)
            let step = ticks[1] - ticks[0]
            let mantissa = step / pow(10, floor(log10(step)))
            #expect([1.0, 2, 5].contains { abs($0 - mantissa) < 1e-9 }, "step \(step)")
            #expect(ticks.first! <= lo && ticks.last! >= hi)
            #expect((3...12).contains(ticks.count - 1), "\(ticks)")
        }
    }

    @Test func tickLabelsShowAsManyDecimalsAsTheStepNeeds() {
        #expect(LinePlot.format(0.5, step: 0.1) == "0.5")
        #expect(LinePlot.format(2000, step: 1000) == "2000")
        #expect(LinePlot.format(0.25, step: 0.05) == "0.25")
        #expect(LinePlot.format(0, step: 0.1) == "0")
        #expect(LinePlot.format(1.5e7, step: 5e6) == "1.5e7")
    }

    @Test func linesCoverBothEndsAndEveryColumnBetween() {
        var canvas = Canvas(width: 20, height: 10)
        let red = PNG.RGBA(255, 0, 0)
        canvas.line(from: (1, 1), to: (18, 8), color: red)
        #expect(canvas.color(x: 1, y: 1) == red && canvas.color(x: 18, y: 8) == red)
        for x in 1...18 { #expect((0..<10).contains { canvas.color(x: x, y: $0) == red }, "column \(x)") }
        #expect(canvas.color(x: 18, y: 1) == PNG.RGBA(255, 255, 255))
    }

    @Test func textDrawsTheGlyphsPixelsAtScale() {
        var canvas = Canvas(width: 20, height: 20)
        let ink = PNG.RGBA(0, 0, 0)
        canvas.text("1", x: 2, y: 3, color: ink, scale: 2)
        let rows = BitmapFont.rows("1")
        for r in 0..<7 {
            for c in 0..<5 {
                let on = rows[r] & (1 << (4 - c)) != 0
                #expect((canvas.color(x: 2 + 2 * c + 1, y: 3 + 2 * r + 1) == ink) == on, "row \(r) column \(c)")
            }
        }
        #expect(BitmapFont.rows("a") != BitmapFont.rows("A"))
        #expect(BitmapFont.rows("\u{2603}") == BitmapFont.rows("?"))
    }

    @Test func aPlotDrawsEachSeriesInItsColourAcrossThePlotArea() throws {
        let blue = PNG.RGBA(0, 0, 255), orange = PNG.RGBA(255, 128, 0)
        let plot = LinePlot(series: [LinePlot.Series(x: [0, 10], y: [1, 1], color: blue),
                                     LinePlot.Series(x: [0, 10], y: [3, 3], color: orange)],
                            width: 300, height: 200, title: "t", xLabel: "eV", yLabel: "counts")
        let canvas = try plot.render()
        let middle = 150
        let blueRows = (0..<200).filter { canvas.color(x: middle, y: $0) == blue }
        let orangeRows = (0..<200).filter { canvas.color(x: middle, y: $0) == orange }
        #expect(!blueRows.isEmpty && !orangeRows.isEmpty)
        #expect(orangeRows.max()! < blueRows.min()!)  // larger y is higher up
        let image = try PNG.Decoder().decode(try plot.png())
        #expect(image.colorType == .rgb && image.width == 300 && image.height == 200 && image.samples == canvas.pixels)
    }

    @Test func logPlotsSkipNonPositiveValues() throws {
        let green = PNG.RGBA(0, 200, 0)
        let canvas = try LinePlot(series: [LinePlot.Series(x: [0, 1, 2, 3], y: [10, 0, -1, 1000], color: green)],
                                  width: 200, height: 120, logY: true).render()
        #expect(canvas.pixels.count == 200 * 120 * 3)
        // Only the first and last points are drawable and they are not adjacent: no line at all.
        #expect(!(0..<120).contains { y in (0..<200).contains { canvas.color(x: $0, y: y) == green } })
    }

    @Test func logPlotsWithinOneDecadeStillGetSeveralTicks() throws {
        let plot = LinePlot(series: [LinePlot.Series(x: [0, 1, 2], y: [20, 30, 40], color: Palette.black)],
                            width: 300, height: 300, logY: true)
        let canvas = try plot.render()
        // Tick marks are 4-pixel ink stubs left of the y axis; count the rows that have one.
        let axisX = (0..<300).first { x in (0..<300).filter { canvas.color(x: x, y: $0) == LinePlot.ink }.count > 200 }!
        let stubs = (0..<300).filter { y in canvas.color(x: axisX - 3, y: y) == LinePlot.ink }
        #expect(stubs.count >= 2)
    }

    @Test func plotsWithoutDrawableDataOrWithMismatchedSeriesAreRejected() {
        #expect(throws: ImagingError.self) {
            try LinePlot(series: [LinePlot.Series(x: [0, 1], y: [1], color: Palette.black)]).render()
        }
        #expect(throws: ImagingError.invalidPlotData("no finite point to draw")) {
            try LinePlot(series: [LinePlot.Series(x: [0, 1], y: [.nan, .nan], color: Palette.black)]).render()
        }
    }

    @Test func meanSpectraUseTheLabelMapColours() throws {
        let plot = LinePlot.meanSpectra(axis: [1, 2, 3], spectra: [[1, 2, 3], [3, 2, 1]], labels: [4, 7], xTitle: "Energy (keV)", valueUnit: "counts")
        #expect(plot.series.map(\.color) == [Palette.categorical.color(forLabel: 4), Palette.categorical.color(forLabel: 7)])
        #expect(plot.xLabel == "Energy (keV)" && plot.yLabel == "mean counts per channel")
        let score = LinePlot.scoreCurve(ks: [2, 3, 4], values: [0.1, 0.5, 0.3], name: "silhouette", chosenK: 3)
        #expect(score.verticalMarkers == [3] && score.series[0].markers)
        _ = try score.render()
    }
}
