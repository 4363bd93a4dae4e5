import CubeML
import CubeSpectroscopy

/// The named X-ray peaks of every cluster's mean spectrum (`PeakIdentification`), found once
/// per result and shared by clusters.json, spectra.png and the labels.png legends. Empty
/// when the axis is not an energy in eV or keV, one value per channel.
public struct ClusterPeaks: Sendable {
    /// K -> label -> peaks, strongest first; a cluster whose spectrum has values that are not
    /// finite has none.
    private let byK: [Int: [Int: [NamedPeak]]]

    public init(_ result: SegmentationResult) {
        guard ["eV", "keV"].contains(result.spectralUnit) else { byK = [:]; return }
        var clustersByK = result.clustersByK
        if clustersByK[result.chosenK] == nil { clustersByK[result.chosenK] = result.clusters }
        var byK: [Int: [Int: [NamedPeak]]] = [:]
        for (k, clusters) in clustersByK {
            for c in clusters where c.meanSpectrum.count == result.spectralAxis.count {
                byK[k, default: [:]][c.label] = try? PeakIdentification.identify(x: result.spectralAxis, y: c.meanSpectrum,
                                                                                 unit: result.spectralUnit)
            }
        }
        self.byK = byK
    }

    /// The peaks of cluster `label` of K = `k`; nil when there are none to name (see the type).
    public func peaks(k: Int, label: Int) -> [NamedPeak]? { byK[k]?[label] }
}
