import CubeFormats
import CubeSynth
import Foundation
import Testing
@testable import CubeML

@Test("diag write cubes") func diagWrite() throws {
    for (name, size, ch) in [("m64", 64, 512), ("m128", 128, 1024)] {
        let s = SyntheticCubes.maxrf(size: size, channels: ch, counts: 120, seed: 1)
        try s.write(to: URL(fileURLWithPath: "/tmp/e2e/\(name).npy"))
    }
}

@Test("diag per K") func diagPerK() throws {
    let s = SyntheticCubes.maxrf(size: 64, channels: 512, counts: 120, seed: 1)
    let env = ProcessInfo.processInfo.environment
    var p = SegmentationParameters()
    p.kMin = 2; p.kMax = 9
    if let e = env["EPOCHS"] { p.epochs = Int(e)! }
    if let e = env["TERM_"] { p.clusteringTerm = ClusteringTerm(rawValue: e)! }
    if let e = env["GAMMA"] { p.gamma = Double(e)! }
    if let e = env["LR"] { p.learningRate = Double(e)! }
    if let e = env["BATCH"] { p.batchSize = Int(e)! }
    if let e = env["LATENT"] { p.latent = Int(e)! }
    if let e = env["DROPOUT"] { p.dropout = Double(e)! }
    if let e = env["BINS"] { p.bins = Int(e)! }
    if let e = env["SMOOTH"] { p.smoothing = Int(e)! }
    if let e = env["PATIENCE"] { p.earlyStoppingPatience = Int(e)! }
    if let e = env["VAE"] { p.variational = e == "1" }
    let r = try Segmenter(parameters: p).segment(s.cube)
    for k in r.labelsByK.keys.sorted() {
        let sc = r.selection.scores.first { $0.k == k }!
        print("k", k, "ari", ClusteringMetrics.adjustedRandIndex(s.labels, r.labelsByK[k]!), "sil", sc.silhouette, "ch", sc.calinskiHarabasz, "db", sc.daviesBouldin)
    }
    print("epochs", r.history.count, "last", r.history.last.map { "\($0.reconstruction) val \($0.validation) clu \($0.clustering)" } ?? "", r.timings)
}
