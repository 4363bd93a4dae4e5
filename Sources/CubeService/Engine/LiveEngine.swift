import CubeFormats
import CubeML
import Foundation

// MERGE: the bodies below call throwaway stand-ins until the `formats`, `imaging` and the
// result-files work land. When they do, replace them:
//   openCube      -> CubeReader.open(url, options: CubeOpenOptions(format:raw:dataset:...)),
//                    mapping "unknown format" errors to .unknownFormat and the rest to .unusable;
//   writeResults  -> ResultFiles.write(result, cube: <CubeSummary of cube>, to: directory);
//   renderPreview -> IntensityImage.grayscale(values:width:height:scale:).
// and delete Engine/StandInNpyReader.swift and Engine/StandInResultFiles.swift.
enum LiveEngine {
    static func openCube(_ url: URL, _ request: CubeOpenRequest) throws -> Datacube {
        switch request.format {
        case nil, "npy"?:
            return try StandInNpyReader.open(url)
        case let f?:
            throw CubeOpenFailure.unknownFormat("\(f) (this build reads only .npy until the format readers land)")
        }
    }

    static func writeResults(_ result: SegmentationResult, _ cube: Datacube, _ directory: URL) throws {
        try StandInResultFiles.write(result, to: directory)
    }

    static func renderPreview(_ values: [Float], _ width: Int, _ height: Int) throws -> Data {
        throw PreviewUnavailable()
    }
}
