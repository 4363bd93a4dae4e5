import CubeFormats
import CubeML
import Foundation
import Testing
@testable import CubeService

/// The real engine behind the service: a job's labels equal those of the offline
/// `Segmenter` on the same cube and seed.
@Suite struct EngineEndToEndTests {
    @Test
    func aJobGivesTheSameLabelsAsTheOfflineSegmenter() async throws {
        try await withTemporaryDirectory { dir in
            let running = try buildService(configuration: testConfiguration(dir), logger: quietLogger,
                                           options: ServiceBuildOptions(engine: .live, startWorkers: true, startHTTP: false, waitPollSeconds: 0.05))
            defer { running.shutdown() }
            let s = running.responder
            let (npy, values) = makeCubeNpy(height: 12, width: 12, channels: 16)
            let params: [String: Any] = ["seed": 11, "k_min": 2, "k_max": 3, "epochs": 5, "bins": NSNull(), "training_pixels": NSNull(),
                                         "background": "none", "batch_size": 32]
            let up = await s.upload(npy)
            let cubeID = try #require(up.json["id"] as? String)
            let jobID = try #require(await s.postJSON("/v1/jobs", ["cube_id": cubeID, "params": params]).json["id"] as? String)
            var state = ""
            _ = await waitUntil(120) {
                state = await s.call("GET", "/v1/jobs/\(jobID)", query: ["wait": "2"]).json["state"] as? String ?? ""
                return ["succeeded", "failed", "cancelled"].contains(state)
            }
            #expect(state == "succeeded")
            let labels = await s.call("GET", "/v1/jobs/\(jobID)/results/labels.npy")
            let (p, _) = try RequestParsing.parameters(jsonValue(params))
            let offline = try Segmenter(parameters: p).segment(Datacube(height: 12, width: 12, channels: 16, values: values))
            #expect(labels.body == NumPyWriter.encode(offline.labels, shape: [12, 12]))
            for file in ["labels.json", "clusters.json", "scores.json", "report.json", "labels.png"] {
                #expect(await s.call("GET", "/v1/jobs/\(jobID)/results/\(file)").status == 200, "\(file)")
            }
        }
    }
}
