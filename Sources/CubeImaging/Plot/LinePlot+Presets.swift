extension LinePlot {
    /// Mean spectra of clusters: `spectra[i]` (one value per `axis` entry) drawn in the colour
    /// of `labels[i]` (default i) from `palette`, so curves match the label map's colours.
    /// `xTitle` names the axis with its unit ("Energy (keV)"), `valueUnit` the spectra's values
    /// ("counts", "intensity").
    public static func meanSpectra(axis: [Double], spectra: [[Float]], labels: [Int]? = nil, xTitle: String, valueUnit: String,
                                   palette: Palette = .categorical, logY: Bool = false, title: String? = nil,
                                   width: Int = 800, height: Int = 480) -> LinePlot {
        let labels = labels ?? Array(spectra.indices)
        let series = zip(labels, spectra).map { label, y in
            Series(x: axis, y: y.map(Double.init), color: palette.color(forLabel: label), label: "\(label)")
        }
        let yTitle = valueUnit == "counts" ? "mean counts per channel" : "mean \(valueUnit)"
        return LinePlot(series: series, width: width, height: height, title: title, xLabel: xTitle,
                        yLabel: logY ? "\(yTitle) (log scale)" : yTitle, logY: logY)
    }

    /// A score against K with a marker at every K and a dashed line at the chosen K.
    public static func scoreCurve(ks: [Int], values: [Double], name: String, chosenK: Int?, title: String? = nil,
                                  width: Int = 640, height: Int = 400) -> LinePlot {
        LinePlot(series: [Series(x: ks.map(Double.init), y: values, color: Palette.tableau10[0], markers: true)],
                 width: width, height: height, title: title, xLabel: "K", yLabel: name,
                 verticalMarkers: chosenK.map { [Double($0)] } ?? [])
    }
}
