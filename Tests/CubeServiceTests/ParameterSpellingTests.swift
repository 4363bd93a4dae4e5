import CubeFormats
import CubeML
import Foundation
import Testing
import Yams
@testable import CubeService

/// One spelling of each engine parameter: `SegmentationParameters` defines them; the HTTP
/// parameters, openapi.yaml and the `cubeseg segment` options are checked against it, so a
/// parameter added there and forgotten elsewhere fails here.
@Suite("Engine parameters, spelled once")
struct ParameterSpellingTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `components.schemas.Parameters.properties` of openapi.yaml.
    func documented() throws -> [String: [String: Any]] {
        let text = try String(contentsOf: Self.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let doc = try #require(try Yams.load(yaml: text) as? [String: Any])
        let schemas = (doc["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let properties = (schemas?["Parameters"] as? [String: Any])?["properties"] as? [String: Any]
        return try #require(properties?.compactMapValues { $0 as? [String: Any] })
    }

    /// The defaults as the service stores them (every key, nulls included).
    func defaults() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: RequestParsing.canonicalJSON(SegmentationParameters())) as? [String: Any])
    }

    @Test("openapi.yaml documents exactly the parameters the engine reads, each once, with the engine's default")
    func openAPIMatchesTheEngine() throws {
        let properties = try documented()
        #expect(Set(properties.keys) == RequestParsing.parameterKeys)
        // A key written twice in the YAML would silently keep the last one.
        let text = try String(contentsOf: Self.root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        let block = text.components(separatedBy: "\n    Parameters:\n")[1].components(separatedBy: "\n    ").first ?? ""
        let keys = block.split(separator: "\n").filter { $0.hasPrefix("        ") && !$0.hasPrefix("         ") }
            .map { $0.trimmingCharacters(in: .whitespaces).split(separator: ":")[0] }
        #expect(keys.count == Set(keys).count, "\(keys)")
        let engine = try defaults()
        for (key, schema) in properties {
            guard let documentedDefault = schema["default"] else { continue }
            let actual = engine[key]
            switch (documentedDefault, actual) {
            case (is NSNull, is NSNull), (is NSNull, nil): break
            case (let d as String, let a as String): #expect(d == a, "\(key)")
            case (let d as Bool, let a as Bool): #expect(d == a, "\(key)")
            case (let d as Int, let a as NSNumber): #expect(Double(d) == a.doubleValue, "\(key)")
            case (let d as Double, let a as NSNumber): #expect(d == a.doubleValue, "\(key)")
            default: Issue.record("\(key): documented default \(documentedDefault), engine \(String(describing: actual))")
            }
        }
    }

    @Test("a value just outside a documented range is refused with a 400 naming the parameter")
    func documentedRangesAreEnforced() throws {
        for (key, schema) in try documented() {
            var outside: [Double] = []
            if let m = schema["minimum"] as? Double ?? (schema["minimum"] as? Int).map(Double.init) {
                outside.append(isInteger(schema) ? m - 1 : m - 0.001)
            }
            if let m = schema["maximum"] as? Double ?? (schema["maximum"] as? Int).map(Double.init) {
                outside.append(isInteger(schema) ? m + 1 : m + 0.001)
            }
            for key2 in ["exclusiveMinimum", "exclusiveMaximum"] {
                if let m = schema[key2] as? Double ?? (schema[key2] as? Int).map(Double.init) { outside.append(m) }
            }
            for value in outside {
                let json: JSONValue = isInteger(schema) ? .integer(Int64(value)) : .number(value)
                #expect(throws: APIError.self, "\(key) = \(value)") { try RequestParsing.parameters(.object([key: json])) }
                do { _ = try RequestParsing.parameters(.object([key: json])) } catch let e as APIError {
                    #expect(e.detail.contains(key), "\(key): \(e.detail)")
                }
            }
        }
    }

    private func isInteger(_ schema: [String: Any]) -> Bool {
        if let t = schema["type"] as? String { return t == "integer" }
        return (schema["type"] as? [Any])?.contains { ($0 as? String) == "integer" } ?? false
    }

    @Test("cubeseg segment has an option for every parameter, and 0 training pixels means all in both")
    func theCommandLineHasEveryParameter() throws {
        let binary = Bundle.main.executableURL!.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("cubeseg")
        let p = Process()
        p.executableURL = binary
        p.arguments = ["segment", "--experimental-dump-help"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let dump = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let arguments = try #require((dump["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        let options = Set(arguments.flatMap { ($0["names"] as? [[String: Any]]) ?? [] }
            .filter { $0["kind"] as? String == "long" }
            .compactMap { ($0["name"] as? String)?.replacingOccurrences(of: "-", with: "_") })
        #expect(RequestParsing.parameterKeys.subtracting(options).isEmpty, "missing: \(RequestParsing.parameterKeys.subtracting(options).sorted())")
        let (all, _) = try RequestParsing.parameters(.object(["training_pixels": .integer(0)]))
        #expect(all.trainingPixels == nil)
    }
}

/// How to open a cube: one `CubeOpenRequest` behind the CLI flags, the upload's fields and the
/// stored cube row.
@Suite("Opening a cube, spelled once")
final class CubeOpenRequestTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    @Test("raw data with a header offset uploads through the service, and opens the same way in a job")
    func headerOffsetReachesTheService() async throws {
        let s = try buildService(configuration: testConfiguration(dir), logger: quietLogger,
                                 options: ServiceBuildOptions(engine: fakeEngine(), startWorkers: true, startHTTP: false,
                                                              waitPollSeconds: 0.02))
        defer { s.shutdown() }
        let values = makeCubeNpy().1
        var raw = Data(repeating: 0xAB, count: 16)
        values.withUnsafeBytes { raw.append(contentsOf: $0) }
        let query = ["format": "raw", "shape": "6,8,5", "dtype": "float32", "header_offset": "16"]
        let up = await s.responder.upload(raw, query: query)
        #expect(up.status == 201)
        let cubeID = try #require(up.json["id"] as? String)
        let job = await s.responder.postJSON("/v1/jobs", ["cube_id": cubeID, "params": ["epochs": 1]])
        let jobID = try #require(job.json["id"] as? String)
        #expect(await waitFor(s.responder, jobID, ["succeeded", "failed"])["state"] as? String == "succeeded")
        let labels = await s.responder.call("GET", "/v1/jobs/\(jobID)/results/labels.npy")
        #expect(labels.body == NumPyWriter.encode(fakeLabels(Datacube(height: 6, width: 8, channels: 5, values: values)), shape: [6, 8]))
        // A bad field is named, whichever door it comes through.
        let bad = await s.responder.upload(raw, query: ["format": "raw", "shape": "6,8,5", "dtype": "float32", "interleave": "zigzag"])
        #expect(bad.status == 400)
        #expect((bad.json["detail"] as? String)?.contains("interleave") == true)
        #expect(throws: CubeOpenRequest.Invalid(field: "byte_order", reason: "must be little or big, not \"middle\"")) {
            try CubeOpenRequest(shape: [6, 8, 5], dtype: "float32", byteOrder: "middle").options()
        }
    }
}
