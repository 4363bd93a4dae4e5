import CubeFormats
import CubeImaging
import Foundation

/// The per-K views of a result directory that are not files of their own: a service asked
/// for `labels.npy` or `clusters.json` of another K tried derives it from the stored files.
extension ResultFiles {
    /// The result files that take a K: `labels.png` (and its `index` style), `labels.npy`
    /// and `clusters.json`. Every other file is about the chosen K or about all of them.
    public static let perKFileNames: Set<String> = ["labels.png", "labels.npy", "clusters.json"]

    /// The Ks whose label maps a result directory holds, from the names
    /// `labels_k<K>.png` among `fileNames`, sorted.
    public static func keptKs(in fileNames: [String]) -> [Int] {
        fileNames.compactMap { name -> Int? in
            guard name.hasPrefix("labels_k"), name.hasSuffix(".png") else { return nil }
            return Int(name.dropFirst("labels_k".count).dropLast(".png".count))
        }.sorted()
    }

    /// `labels.npy` of one K from that K's `labels_index_k<K>.png` (grey value = label,
    /// 255 = background): int32, shape (height, width), -1 = background, as `labelsNPY`.
    public static func labelsNPY(fromIndexPNG data: Data) throws -> Data {
        let image = try PNG.Decoder().decode(data)
        guard image.colorType == .grayscale, image.bitDepth == 8, image.samples.count == image.width * image.height else {
            throw ResultFilesError.image(k: 0, reason: "not an 8-bit grayscale label map")
        }
        let labels = image.samples.map { $0 == 255 ? Int32(-1) : Int32($0) }
        return NumPyWriter.encode(labels, shape: [image.height, image.width])
    }

    /// `clusters.json` as if `k` had been chosen: `k` and `clusters` taken from `by_k`.
    public static func clustersJSON(_ data: Data, k: Int) throws -> Data {
        var document = try JSONDecoder().decode(ClustersDocument.self, from: data)
        guard let clusters = document.byK[String(k)] else {
            throw ResultFilesError.unknownK(k, available: document.byK.keys.compactMap { Int($0) }.sorted())
        }
        document.k = k
        document.clusters = clusters
        return try json(document, pretty: false)
    }
}
