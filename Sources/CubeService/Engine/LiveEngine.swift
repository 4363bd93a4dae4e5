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
        let options: CubeOpenOptions
        do { options = try request.options() }
        catch { throw error.field == "format" ? CubeOpenFailure.unknownFormat(error.reason) : CubeOpenFailure.unusable(error.description) }
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
