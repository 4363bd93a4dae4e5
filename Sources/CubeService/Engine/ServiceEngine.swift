import CubeFormats
import CubeML
import Foundation

/// What the service needs from the engine targets, as swappable functions: open an uploaded
/// cube, segment it, write the result files, draw a preview. `ServiceEngine.live` wires the
/// real ones; tests may swap `segment` for a fast fake to exercise the queue.
public struct ServiceEngine: Sendable {
    /// Opens a stored cube; throws `CubeOpenFailure`.
    public var openCube: @Sendable (_ url: URL, _ request: CubeOpenRequest) throws -> Datacube
    /// Runs a segmentation (the engine's `Segmenter`).
    public var segment: @Sendable (_ cube: Datacube, _ model: TrainedModel?, _ parameters: SegmentationParameters,
                                   _ observer: SegmentationObserver) throws -> SegmentationResult
    /// Writes the result files (labels.png, labels.json, ...) of `result` on `cube` (stored as
    /// `record`) into `directory`.
    public var writeResults: @Sendable (_ result: SegmentationResult, _ cube: Datacube, _ record: CubeRecord, _ directory: URL) throws -> Void
    /// PNG bytes of the cube's total intensity per pixel (grayscale).
    public var renderPreview: @Sendable (_ cube: Datacube) throws -> Data

    public init(openCube: @escaping @Sendable (URL, CubeOpenRequest) throws -> Datacube,
                segment: @escaping @Sendable (Datacube, TrainedModel?, SegmentationParameters, SegmentationObserver) throws -> SegmentationResult,
                writeResults: @escaping @Sendable (SegmentationResult, Datacube, CubeRecord, URL) throws -> Void,
                renderPreview: @escaping @Sendable (Datacube) throws -> Data) {
        self.openCube = openCube; self.segment = segment; self.writeResults = writeResults; self.renderPreview = renderPreview
    }

    /// The real engine.
    public static var live: ServiceEngine {
        ServiceEngine(
            openCube: { url, request in try LiveEngine.openCube(url, request) },
            segment: { cube, model, parameters, observer in
                try Segmenter(parameters: parameters).segment(cube, model: model, observer: observer)
            },
            writeResults: { result, cube, record, dir in try LiveEngine.writeResults(result, cube, record, dir) },
            renderPreview: { cube in try LiveEngine.renderPreview(cube) })
    }
}

/// Why an uploaded file cannot be used as a cube.
public enum CubeOpenFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a format the readers know (HTTP 415).
    case unknownFormat(String)
    /// A known format, but not a usable cube (HTTP 422).
    case unusable(String)
    public var description: String {
        switch self {
        case .unknownFormat(let s): return "unsupported cube format: \(s)"
        case .unusable(let s): return "not a usable cube: \(s)"
        }
    }
}
