import CubeSpectroscopy

/// `clusters.json`: what each cluster is. Keys: k (chosen), signal_pixels, total_pixels,
/// value_unit (of the mean spectra: "counts" when the cube holds photon counts, else
/// "intensity", the file's own units), clusters (the chosen K's, by label), by_k
/// ({"<k>": clusters} for every K tried). Cluster numbers follow a region from one K to the
/// next (`ConsistentLabels`); `parent` says which cluster of the previous K each came from.
public struct ClustersDocument: Sendable, Codable, Equatable {
    public var k: Int
    public var signalPixels: Int
    public var totalPixels: Int
    public var valueUnit: String
    public var clusters: [Cluster]
    public var byK: [String: [Cluster]]

    enum CodingKeys: String, CodingKey {
        case k, signalPixels = "signal_pixels", totalPixels = "total_pixels", valueUnit = "value_unit", clusters, byK = "by_k"
    }

    /// One cluster. `fraction` is of the signal (non-background) pixels, `fraction_of_image`
    /// of all height * width pixels; `color` is its colour in labels.png ("#rrggbb");
    /// `centroid` is in latent space (length L).
    public struct Cluster: Sendable, Codable, Equatable {
        public var label: Int
        public var color: String
        public var pixels: Int
        public var fraction: Double
        public var fractionOfImage: Double
        public var centroid: [Float]
        /// Mean measured spectrum: x = the (cropped) spectral axis in the cube's unit.
        public var meanSpectrum: Series
        /// Mean decoder output, in transformed units: x = the rebinned axis.
        public var meanReconstruction: Series
        /// Mean preprocessed input, comparable to `meanReconstruction`: x = the rebinned axis.
        public var meanInput: Series
        /// The label, at the previous K tried, of the cluster this one mostly came from;
        /// absent at the smallest K.
        public var parent: Int?
        /// The peaks of `meanSpectrum`, strongest first, named by element and X-ray line where
        /// one fits (`PeakIdentification`; x and line energies in keV); absent when the axis
        /// is not an energy in eV or keV.
        public var peaks: [NamedPeak]?

        enum CodingKeys: String, CodingKey {
            case label, color, pixels, fraction, fractionOfImage = "fraction_of_image", centroid, parent, peaks
            case meanSpectrum = "mean_spectrum", meanReconstruction = "mean_reconstruction", meanInput = "mean_input"
        }
    }

    /// A curve: `y[i]` at `x[i]`, x in `unit`. When the result's axis does not have one value
    /// per y, x is the index 0, 1, ... and unit is "channel".
    public struct Series: Sendable, Codable, Equatable {
        public var x: [Double]
        public var unit: String
        public var y: [Float]
    }
}
