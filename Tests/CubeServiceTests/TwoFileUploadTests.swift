import Foundation
import Testing

@testable import CubeService

/// ENVI and Lispix cubes arrive as two parts of one multipart upload: `cube` (the data) and
/// `header` (the `.hdr` or `.rpl`); the service keeps both and opens the cube through its header.
@Suite final class TwoFileUploadTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CubeFormatsTests/Fixtures")

    func parts(_ data: String, _ header: String) throws -> [MultipartPart] {
        [MultipartPart(name: "cube", filename: data, contentType: "application/octet-stream",
                       body: .data(try Data(contentsOf: Self.fixtures.appendingPathComponent(data)))),
         MultipartPart(name: "header", filename: header, contentType: "text/plain",
                       body: .data(try Data(contentsOf: Self.fixtures.appendingPathComponent(header))))]
    }

    @Test("an ENVI cube and its .hdr uploaded as two parts become one cube; so does an RPL pair, also through POST /v1/jobs")
    func twoFileCubesAreAccepted() async throws {
        let running = try buildService(configuration: testConfiguration(dir), logger: quietLogger,
                                       options: ServiceBuildOptions(engine: fakeEngine(), startWorkers: true, startHTTP: false, waitPollSeconds: 0.02))
        defer { running.shutdown() }
        let s = running.responder
        let multipart = ["content-type": "multipart/form-data; boundary=x"]
        let envi = await s.call("POST", "/v1/cubes", headers: multipart, parts: try parts("envi_bsq.img", "envi_bsq.hdr"))
        #expect(envi.status == 201, "\(envi.json)")
        #expect(envi.json["format"] as? String == "envi")
        let rpl = await s.call("POST", "/v1/cubes", headers: multipart, parts: try parts("rpl_vector.raw", "rpl_vector.rpl"))
        #expect(rpl.status == 201, "\(rpl.json)")
        #expect(rpl.json["format"] as? String == "rpl")
        #expect(envi.json["shape"] as? [Int] == rpl.json["shape"] as? [Int])

        var jobParts = try parts("envi_bil.img", "envi_bil.hdr")
        jobParts.append(MultipartPart(name: "params", body: .data(Data(#"{"k_max": 3, "epochs": 2}"#.utf8))))
        let job = await s.call("POST", "/v1/jobs", headers: multipart, parts: jobParts)
        #expect(job.status == 202, "\(job.json)")
        let jobID = try #require(job.json["id"] as? String)
        #expect(await waitFor(s, jobID, ["succeeded", "failed"])["state"] as? String == "succeeded")

        // The data part without its header is not a cube CubeSeg can read.
        let alone = await s.call("POST", "/v1/cubes", headers: multipart, parts: [try parts("envi_bsq.img", "envi_bsq.hdr")[0]])
        #expect([415, 422].contains(alone.status))
    }
}
