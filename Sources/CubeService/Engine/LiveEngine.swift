import CubeFormats
import CubeML
import CubeReports
import Foundation

/// The engine targets behind `ServiceEngine.live`: CubeFormats' reader, CubeReports' result
/// files and preview.
enum LiveEngine {
    /// Opens a stored cube with `CubeReader`; unknown formats become `.unknownFormat` (415),
    /// every other reader error `.unusable` (422).
    static func openCube(_ url: URL, _ request: CubeOpenRequest) throws -> Datacube {
        var options = CubeOpenOptions(dataset: request.dataset)
        if let f = request.format {
            guard let format = CubeFormat(rawValue: f) else { throw CubeOpenFailure.unknownFormat(f) }
            options.format = format
        }
        if options.format == .raw {
            guard let shape = request.shape, shape.count == 3, let d = request.dtype, let dtype = CubeDataType(rawValue: d) else {
                throw CubeOpenFailure.unusable("raw data needs shape (height,width,channels) and dtype")
            }
            options.raw = RawLayout(height: shape[0], width: shape[1], channels: shape[2], dataType: dtype,
                                    byteOrder: request.byteOrder.flatMap(ByteOrder.init(rawValue:)) ?? .little,
                                    interleave: request.interleave.flatMap(Interleave.init(rawValue:)) ?? .bip)
        }
        do { return try CubeReader.open(url, options: options) }
        catch let e as CubeFormatError where e.kind == .unknownFormat { throw CubeOpenFailure.unknownFormat(e.description) }
        catch let e as CubeFormatError { throw CubeOpenFailure.unusable(e.description) }
        catch { throw CubeOpenFailure.unusable("\(error)") }
    }

    static func writeResults(_ result: SegmentationResult, _ cube: Datacube, _ record: CubeRecord, _ directory: URL) throws {
        try ResultFiles.write(result, cube: CubeSummary(name: record.name, cube: cube, sha256: record.sha256), to: directory)
    }

    static func renderPreview(_ cube: Datacube) throws -> Data {
        try CubePreview.intensityPNG(cube)
    }
}
