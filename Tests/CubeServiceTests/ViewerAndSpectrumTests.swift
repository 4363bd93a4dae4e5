import CubeFormats
import Foundation
import Testing
@testable import CubeService

/// The routes the browser viewer stands on: its files, one pixel's spectrum, and the
/// physical axis an upload can carry.
@Suite final class ViewerAndSpectrumTests {
    let dir = makeServiceTestDirectory()
    deinit { cleanUp(dir) }

    func service() throws -> CubeSegService {
        try buildService(configuration: testConfiguration(dir, tokens: [alice, bob]), logger: quietLogger,
                         options: ServiceBuildOptions(engine: fakeEngine(), startWorkers: false, startHTTP: false)).responder
    }

    @Test("the viewer's page and files are served without a token, and nothing outside its folder is")
    func viewerFiles() async throws {
        let s = try service()
        let page = await s.call("GET", "/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(String(decoding: page.body, as: UTF8.self).contains("<script"))
        #expect(page.header("Content-Security-Policy")?.contains("default-src 'self'") == true)
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        let files = try FileManager.default.contentsOfDirectory(atPath: ServiceResources.folders.last!.appendingPathComponent("viewer").path)
        for name in files where name.hasSuffix(".js") || name.hasSuffix(".css") {
            let r = await s.call("GET", "/viewer/\(name)")
            #expect(r.status == 200, "\(name)")
            #expect(r.header("Content-Type")?.contains(name.hasSuffix(".js") ? "javascript" : "css") == true, "\(name)")
        }
        #expect(await s.call("GET", "/viewer/missing.js").problemCode == "file_not_found")
        #expect(await s.call("GET", "/favicon.ico").header("Content-Type") == "image/svg+xml")
        #expect(await s.call("GET", "/viewer/..%2Fopenapi.yaml").status == 404)
        #expect(await s.call("GET", "/viewer/.hidden.js").status == 404)
        #expect(await s.call("GET", "/viewer/openapi.yaml").status == 404)
        #expect(await s.call("POST", "/viewer/index.html").status == 405)
    }

    @Test("a pixel's spectrum is the cube's values at that pixel on the uploaded axis")
    func pixelSpectrum() async throws {
        let s = try service()
        let (npy, values) = makeCubeNpy(height: 6, width: 8, channels: 5)
        let up = await s.upload(npy, token: alice.token, query: ["axis_start": "1.5", "axis_step": "0.5", "axis_unit": "keV"])
        #expect(up.status == 201)
        let id = try #require(up.json["id"] as? String)
        let axis = try #require(up.json["spectral_axis"] as? [String: Any])
        #expect(axis["unit"] as? String == "keV" && axis["first"] as? Double == 1.5 && axis["last"] as? Double == 3.5)

        let r = await s.call("GET", "/v1/cubes/\(id)/spectrum", query: ["row": "4", "col": "6"], token: alice.token)
        #expect(r.status == 200)
        #expect(r.json["row"] as? Int == 4 && r.json["col"] as? Int == 6)
        let spectrum = try #require(r.json["spectrum"] as? [String: Any])
        #expect(spectrum["unit"] as? String == "keV")
        #expect(spectrum["x"] as? [Double] == [1.5, 2.0, 2.5, 3.0, 3.5])
        let y = try #require(spectrum["y"] as? [Double])
        #expect(y == (0..<5).map { Double(values[(4 * 8 + 6) * 5 + $0]) })

        #expect(await s.call("GET", "/v1/cubes/\(id)/spectrum", query: ["row": "6", "col": "0"], token: alice.token).problemCode == "invalid_query")
        #expect(await s.call("GET", "/v1/cubes/\(id)/spectrum", query: ["row": "-1", "col": "0"], token: alice.token).problemCode == "invalid_query")
        #expect(await s.call("GET", "/v1/cubes/\(id)/spectrum", query: ["col": "0"], token: alice.token).problemCode == "invalid_query")
        #expect(await s.call("GET", "/v1/cubes/\(id)/spectrum", query: ["row": "0", "col": "0"], token: bob.token).status == 404)
        #expect(await s.call("GET", "/v1/cubes/\(id)/spectrum", query: ["row": "0", "col": "0"]).status == 401)
    }

    @Test("an upload's axis fields are checked before the file is kept, each error naming its field")
    func badAxisFields() async throws {
        let s = try service()
        let (npy, _) = makeCubeNpy()
        for (query, field) in [(["axis_start": "1"], "axis_step"), (["axis_start": "x", "axis_step": "1"], "axis_start"),
                               (["axis_start": "0", "axis_step": "0"], "axis_step"),
                               (["axis_start": "0", "axis_step": "1", "axis_unit": "parsec"], "axis_unit")] {
            let r = await s.upload(npy, token: alice.token, query: query)
            #expect(r.status == 400, "\(query)")
            #expect((r.json["detail"] as? String)?.contains(field) == true, "\(query): \(r.json)")
        }
        let misspelt = await s.upload(npy, token: alice.token, query: ["dtpye": "float32"])
        #expect(misspelt.status == 400 && misspelt.problemCode == "unknown_query_parameter")
        #expect((misspelt.json["detail"] as? String)?.contains("dtpye") == true)
        let listed = await s.call("GET", "/v1/cubes", token: alice.token)
        #expect((listed.json["items"] as? [Any])?.isEmpty == true)
    }
}
