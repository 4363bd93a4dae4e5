import CubeFormats
import Foundation

/// A synthetic datacube with its ground truth.
public struct SyntheticCube: Sendable {
    /// In-memory cube (height, width, channels) with its spectral axis.
    public var cube: Datacube
    /// Ground-truth class of every pixel, row-major (height, width), in `0..<classCount`.
    public var labels: [Int32]
    /// Name of each class, indexed by label.
    public var classNames: [String]

    public init(cube: Datacube, labels: [Int32], classNames: [String]) {
        precondition(labels.count == cube.pixelCount, "one label per pixel")
        self.cube = cube; self.labels = labels; self.classNames = classNames
    }

    public var classCount: Int { classNames.count }

    /// Writes the cube to `url` (`OUT.npy`: float32 (height, width, channels)) and the
    /// labels and the axis next to it (`OUT_labels.npy`: int32 (height, width);
    /// `OUT_axis.json`: `AxisCalibration`).
    public func write(to url: URL) throws {
        let values = try cube.readAll()
        try NumPyWriter.write(NumPyWriter.encode(values, shape: [cube.height, cube.width, cube.channels]), to: url)
        try NumPyWriter.write(NumPyWriter.encode(labels, shape: [cube.height, cube.width]), to: Self.labelsURL(for: url))
        try AxisCalibration.encode(cube.axis).write(to: AxisCalibration.sidecarURL(for: url), options: .atomic)
    }

    /// `OUT_labels.npy` beside `OUT.npy`.
    public static func labelsURL(for url: URL) -> URL {
        let stem = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(stem + "_labels.npy")
    }
}
