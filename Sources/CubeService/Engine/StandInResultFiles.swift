import CubeFormats
import CubeML
import Foundation

// STAND-IN: delete when CubeReports' ResultFiles lands (see LiveEngine.swift). Writes the
// JSON and .npy result files the routes serve (no PNGs).
enum StandInResultFiles {
    static func write(_ r: SegmentationResult, to dir: URL) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        struct Labels: Encodable { var height: Int; var width: Int; var k: Int; var labels: [Int32] }
        try e.encode(Labels(height: r.height, width: r.width, k: r.chosenK, labels: r.labels)).write(to: dir.appendingPathComponent("labels.json"))
        try NumPyWriter.encode(r.labels, shape: [r.height, r.width]).write(to: dir.appendingPathComponent("labels.npy"))
        try e.encode(r.clusters).write(to: dir.appendingPathComponent("clusters.json"))
        try e.encode(r.selection).write(to: dir.appendingPathComponent("scores.json"))
        try r.model.encoded().write(to: dir.appendingPathComponent("model.json"))
        struct Report: Encodable { var parameters: SegmentationParameters; var timings: [String: Double]; var history: [EpochRecord]; var chosenK: Int }
        try e.encode(Report(parameters: r.parameters, timings: r.timings, history: r.history, chosenK: r.chosenK))
            .write(to: dir.appendingPathComponent("report.json"))
    }
}
