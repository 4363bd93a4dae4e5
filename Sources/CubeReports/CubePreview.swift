import CubeFormats
import CubeImaging
import Foundation

/// A quick look at a cube before (or beside) segmenting it: the total intensity of every
/// pixel as a grayscale PNG.
public enum CubePreview {
    /// Sum over channels of every pixel: row-major (height, width), accumulated in Double,
    /// in the cube's own units, NaN and infinities left out (a pixel with no finite value
    /// sums to 0). Reads the cube in row blocks (one Float32 block in memory).
    public static func totalIntensity(_ cube: Datacube) throws -> [Float] {
        var totals = [Float](repeating: 0, count: cube.pixelCount)
        let channels = cube.channels
        try totals.withUnsafeMutableBufferPointer { out in
            try cube.forEachRowBlock { rows, values in
                let first = rows.lowerBound * cube.width
                for p in 0..<(rows.count * cube.width) {
                    var s = 0.0
                    let base = p * channels
                    for c in 0..<channels where values[base + c].isFinite { s += Double(values[base + c]) }
                    out[first + p] = Float(s)
                }
            }
        }
        return totals
    }

    /// The total-intensity map as an 8-bit grayscale PNG, stretched between the 1st and 99th
    /// percentiles after `scale` (see `IntensityImage.grayscale`).
    public static func intensityPNG(_ cube: Datacube, scale: IntensityImage.Scale = .log) throws -> Data {
        let text = [PNG.TextEntry(keyword: "Software", text: "\(ResultFiles.softwareName) \(ResultFiles.softwareVersion)"),
                    PNG.TextEntry(keyword: "Description", text: "Total intensity per pixel, \(scale.rawValue) scale, 1-99 percentile stretch")]
        return Data(try IntensityImage.grayscale(values: try totalIntensity(cube), width: cube.width, height: cube.height,
                                                 scale: scale, text: text))
    }
}
