import CubeML
import Foundation
import Testing
import Yams
@testable import CubeService

@Suite final class BlobStoreTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    @Test func writesLandWholeAndLeaveNoTemporaryFiles() throws {
        let blobs = try BlobStore(root: dir)
        try blobs.write(Data("hello".utf8), to: "models/m.json")
        #expect(try Data(contentsOf: blobs.modelURL("m")) == Data("hello".utf8))
        try blobs.writeDirectory(to: blobs.resultDirectory("r1")) { d in
            try Data("a".utf8).write(to: d.appendingPathComponent("a.json"))
            try Data("b".utf8).write(to: d.appendingPathComponent("b.json"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs.resultDirectory("r1").path).sorted() == ["a.json", "b.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs.temporaryDirectory.path).isEmpty)
    }

    @Test func aFailedDirectoryWriteLeavesNothingBehind() throws {
        struct Boom: Error {}
        let blobs = try BlobStore(root: dir)
        #expect(throws: Boom.self) {
            try blobs.writeDirectory(to: blobs.resultDirectory("r2")) { d in
                try Data("a".utf8).write(to: d.appendingPathComponent("a.json"))
                throw Boom()
            }
        }
        #expect(!FileManager.default.fileExists(atPath: blobs.resultDirectory("r2").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs.temporaryDirectory.path).isEmpty)
    }

    @Test func adoptingAnUploadMovesIt() throws {
        let blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
        let upload = dir.appendingPathComponent("upload.part")
        try Data("cube".utf8).write(to: upload)
        try blobs.adopt(file: upload, as: "cubes/c1/cube.npy")
        #expect(!FileManager.default.fileExists(atPath: upload.path))
        #expect(try Data(contentsOf: blobs.url(relative: "cubes/c1/cube.npy")) == Data("cube".utf8))
    }

    @Test func aFailedAdoptionLeavesNoTemporaryCopy() throws {
        let blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
        let upload = dir.appendingPathComponent("upload.part")
        try Data("cube".utf8).write(to: upload)
        // The destination is a non-empty directory: the move fails, so does the copy's rename.
        try FileManager.default.createDirectory(at: blobs.url(relative: "cubes/c1/cube.npy/inside"), withIntermediateDirectories: true)
        #expect {
            try blobs.adopt(file: upload, as: "cubes/c1/cube.npy")
        } throws: { error in
            guard case let BlobStoreError.io(operation, _) = error else { return false }
            return operation.hasPrefix("rename") && operation.hasSuffix("cubes/c1/cube.npy")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: blobs.temporaryDirectory.path).isEmpty)
        #expect(try Data(contentsOf: upload) == Data("cube".utf8))
    }
}

@Suite struct RetentionTests {
    @Test func theSweeperRemovesOnlyFinishedJobsPastRetentionWithTheirResults() async throws {
        try await withTemporaryDirectory { dir in
            let running = try buildService(configuration: testConfiguration(dir), logger: quietLogger,
                                           options: ServiceBuildOptions(engine: fakeEngine(), startWorkers: true, startHTTP: false))
            defer { running.shutdown() }
            let s = running.responder
            let cube = try #require(await s.upload(makeCubeNpy().0).json["id"] as? String)
            let done = try #require(await s.postJSON("/v1/jobs", ["cube_id": cube, "params": ["epochs": 1]]).json["id"] as? String)
            #expect(try await waitUntil { try running.store.job(id: done, owner: nil)?.state == .succeeded })
            let resultDir = running.blobs.resultDirectory(try #require(try running.store.job(id: done, owner: nil)?.resultID))
            #expect(FileManager.default.fileExists(atPath: resultDir.path))
            let sweeper = RetentionSweeper(store: running.store, blobs: running.blobs, retentionDays: 30, logger: quietLogger)
            #expect(sweeper.sweep(now: Date().addingTimeInterval(29 * 86400)).isEmpty)
            #expect(sweeper.sweep(now: Date().addingTimeInterval(31 * 86400)) == [done])
            #expect(try running.store.job(id: done, owner: nil) == nil)
            #expect(!FileManager.default.fileExists(atPath: resultDir.path))
            #expect(try running.store.cube(id: cube, owner: nil) != nil)
        }
    }
}

@Suite struct ParameterTests {
    @Test func theServiceKnowsEveryEngineParameterAndOpenAPIDocumentsExactlyThem() throws {
        var all = SegmentationParameters()
        all.cropStart = 0; all.cropEnd = 4; all.bins = 16; all.trainingPixels = 100; all.transform = .logMax; all.latent = 8
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(all)) as! [String: Any]
        #expect(RequestParsing.parameterKeys == Set(encoded.keys))
        #expect(RequestParsing.parameterKeys.contains("k_min") && RequestParsing.parameterKeys.contains("crop_end"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try #require(try Yams.load(yaml: String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)) as? [String: Any])
        let schemas = try #require((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let props = try #require((schemas["Parameters"] as? [String: Any])?["properties"] as? [String: Any])
        #expect(Set(props.keys) == RequestParsing.parameterKeys)
    }

    @Test func aFullParameterSetRoundTripsThroughTheRequestParser() throws {
        var p = SegmentationParameters()
        p.seed = 42; p.kMin = 3; p.kMax = 7; p.background = .threshold(12.5); p.cropStart = 1; p.cropEnd = 9; p.bins = nil
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(p)) as? [String: Any])
        object["bins"] = NSNull()  // what a client sends to keep the cube's own channels
        let (parsed, canonical) = try RequestParsing.parameters(jsonValue(object))
        #expect(parsed == p)
        // The stored form keeps the null (the engine's own encoder would drop it and bins
        // would come back as 1024).
        #expect(try JSONDecoder().decode(SegmentationParameters.self, from: canonical) == p)
        #expect(try RequestParsing.parameters(JSONValue(data: canonical)).0 == p)
    }

    @Test func nullParamsMeanTheDefaults() throws {
        #expect(try RequestParsing.parameters(nil).0 == SegmentationParameters())
        #expect(try RequestParsing.parameters(.null).0 == SegmentationParameters())
    }
}
