import Crypto
import Foundation
import Testing
@testable import CubeService

@Suite("HTTP front: streamed uploads")
struct HTTPUploadTests {
    @Test("a 50 MB raw upload streams to a hashed file without growing memory by its size")
    func largeRawUpload() async throws {
        try await withServer { server, configuration in
            let client = try HTTPTestClient(port: server.port)
            let block = patternData(count: 1 << 20, seed: 11)
            let blocks = 50
            var hasher = SHA256()
            for _ in 0..<blocks { hasher.update(data: block) }
            let expected = hasher.finalize().map { String(format: "%02x", $0) }.joined()

            let baseline = residentBytes()
            var peak = baseline
            try client.sendHead("PUT", "/v1/cubes?name=big", headers: [("Content-Length", String(blocks << 20))])
            for _ in 0..<blocks {
                try client.send(block)
                peak = max(peak, residentBytes())
            }
            let response = try client.readResponse()
            peak = max(peak, residentBytes())
            #expect(response.status == 200)
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.body.kind == "file")
            #expect(echo.body.size == Int64(blocks << 20))
            #expect(echo.body.sha256 == expected)
            #expect(echo.body.fileExists == true)
            // The body is 50 MB; streaming keeps the server's share to its 1 MiB write buffer
            // plus connection pools (measured: a few MB). A server holding the body would grow
            // by 50 MB or more; the wide margin absorbs other suites running in this process.
            let growth = peak - baseline
            #expect(growth < 40 << 20, "resident memory grew by \(growth >> 20) MB during a 50 MB upload")
            // A file the responder did not move is removed after the response.
            #expect(await eventually { filesIn(configuration.uploadDirectory).isEmpty })
            #expect(server.metrics.bytesUploaded >= Int64(blocks << 20))
        }
    }

    @Test("a chunked upload is reassembled: small in memory, large spilled to a file with its hash")
    func chunkedUpload() async throws {
        try await withServer { server, configuration in
            let client = try HTTPTestClient(port: server.port)
            try client.sendHead("POST", "/small", headers: [("Transfer-Encoding", "chunked")])
            for piece in ["hello ", "chunked ", "world"] { try client.sendChunk(Data(piece.utf8)) }
            try client.sendChunk(Data())
            let small = try JSONDecoder().decode(Echo.self, from: client.readResponse().body)
            #expect(small.body.kind == "data")
            #expect(small.body.text == "hello chunked world")

            let payload = patternData(count: 3 << 20, seed: 5)
            try client.sendHead("POST", "/large", headers: [("Transfer-Encoding", "chunked")])
            var offset = 0
            var size = 1000
            while offset < payload.count {
                let end = min(offset + size, payload.count)
                try client.sendChunk(payload.subdata(in: offset..<end))
                offset = end
                size = size * 3 % 200_003 + 17
            }
            try client.sendChunk(Data())
            let large = try JSONDecoder().decode(Echo.self, from: client.readResponse().body)
            #expect(large.body.kind == "file")
            #expect(large.body.size == Int64(payload.count))
            #expect(large.body.sha256 == sha256Hex(payload))
            #expect(await eventually { filesIn(configuration.uploadDirectory).isEmpty })
        }
    }

    @Test("a multipart upload streams the file part to disk and keeps the field in memory")
    func multipartUpload() async throws {
        try await withServer { server, _ in
            let file = patternData(count: (2 << 20) + 123, seed: 9)
            let params = #"{"seed":7,"k_min":2}"#
            let boundary = "----cubeseg-test-boundary-7d1f"
            var body = Data()
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"params\"\r\n\r\n\(params)\r\n".utf8))
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"cube\"; filename=\"scene.npy\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
            body.append(file)
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let response = try HTTPTestClient(port: server.port).request(
                "POST", "/v1/jobs", headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body)
            #expect(response.status == 201)
            let echo = try JSONDecoder().decode(Echo.self, from: response.body)
            #expect(echo.body.kind == "none")
            #expect(echo.parts.map(\.name) == ["params", "cube"])
            let field = try #require(echo.parts.first)
            #expect(field.filename == nil)
            #expect(field.body.kind == "data")
            #expect(field.body.text == params)
            let cube = try #require(echo.parts.last)
            #expect(cube.filename == "scene.npy")
            #expect(cube.contentType == "application/octet-stream")
            #expect(cube.body.kind == "file")
            #expect(cube.body.size == Int64(file.count))
            #expect(cube.body.sha256 == sha256Hex(file))
        }
    }

    @Test("curl -F sends a multipart upload the server understands", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func curlMultipart() async throws {
        try await withServer { server, _ in
            try withTemporaryDirectory { directory in
                let file = directory.appendingPathComponent("cube.bin")
                let content = patternData(count: 700_000, seed: 21)
                try content.write(to: file)
                let output = try runProcess("/usr/bin/curl", ["-sS", "-F", "cube=@\(file.path)", "-F", #"params={"seed":1}"#,
                                                             "http://127.0.0.1:\(server.port)/v1/jobs"])
                let echo = try JSONDecoder().decode(Echo.self, from: output)
                #expect(echo.parts.count == 2)
                let cube = try #require(echo.parts.first { $0.name == "cube" })
                #expect(cube.filename == "cube.bin")
                #expect(cube.body.kind == "file")
                #expect(cube.body.sha256 == sha256Hex(content))
                #expect(echo.parts.first { $0.name == "params" }?.body.text == #"{"seed":1}"#)
            }
        }
    }

    @Test("a Content-Length over the limit is answered 413 before any body byte is sent")
    func declaredBodyTooLarge() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 1 << 20 }) { server, configuration in
            let client = try HTTPTestClient(port: server.port)
            try client.sendHead("PUT", "/v1/cubes", headers: [("Content-Length", String(10 << 20))])
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.headers["content-type"] == "application/problem+json")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: response.body)
            #expect(problem.code == "payload_too_large")
            #expect(problem.extensions["max_bytes"] == .int(1 << 20))
            #expect(filesIn(configuration.uploadDirectory).isEmpty)
        }
    }

    @Test("a chunked body that ends a little over the limit is answered 413 and leaves no file")
    func chunkedBodySlightlyTooLarge() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 2 << 20; $0.maxInMemoryBody = 64 << 10 }) { server, configuration in
            let client = try HTTPTestClient(port: server.port)
            try client.sendHead("PUT", "/v1/cubes", headers: [("Transfer-Encoding", "chunked")])
            let block = patternData(count: 256 << 10, seed: 2)
            for _ in 0..<10 { try client.sendChunk(block) }  // 2.5 MiB
            try client.sendChunk(Data())
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(try JSONDecoder().decode(ProblemDetails.self, from: response.body).code == "payload_too_large")
            #expect(filesIn(configuration.uploadDirectory).isEmpty)
        }
    }

    @Test("a chunked body that goes on far over the limit gets its connection closed and leaves no file")
    func chunkedBodyFarTooLarge() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 2 << 20; $0.maxInMemoryBody = 64 << 10 }) { server, configuration in
            let client = try HTTPTestClient(port: server.port)
            try client.sendHead("PUT", "/v1/cubes", headers: [("Transfer-Encoding", "chunked")])
            let block = patternData(count: 256 << 10, seed: 2)
            var sendFailed = false
            for _ in 0..<200 {  // 50 MiB offered
                do { try client.sendChunk(block) } catch { sendFailed = true; break }
            }
            #expect(sendFailed || client.isClosedByServer())
            #expect(await eventually { server.metrics.abortedRequests == 1 })
            // The server stopped reading soon after the limit plus the drain allowance.
            #expect(server.metrics.bytesUploaded < (2 << 20) + (1 << 20) + (1 << 20))
            #expect(filesIn(configuration.uploadDirectory).isEmpty)
        }
    }

    @Test("a body trickled a byte at a time is cut off once it is older than the timeout, and leaves no file")
    func slowLorisBody() async throws {
        try await withServer(configure: { $0.connectionTimeout = 2 }) { server, configuration in
            let client = try HTTPTestClient(port: server.port)
            try client.sendHead("PUT", "/v1/cubes", headers: [("Content-Length", "100000")])
            // One byte every 0.3 s never lets the 2 s idle timeout fire; the rate check must.
            var closed = false
            for _ in 0..<400 {
                do { try client.send(Data([0x41])) } catch { closed = true; break }
                try await Task.sleep(nanoseconds: 300_000_000)
                if await eventually(within: 0.01, { server.metrics.abortedRequests == 1 }) { closed = true; break }
            }
            #expect(closed)
            #expect(await eventually { server.metrics.abortedRequests == 1 })
            #expect(await eventually { filesIn(configuration.uploadDirectory).isEmpty })
        }
    }

    @Test("an upload cut short by the client leaves nothing in the upload directory")
    func abortedUpload() async throws {
        try await withServer { server, configuration in
            let client = try HTTPTestClient(port: server.port)
            try client.sendHead("PUT", "/v1/cubes", headers: [("Content-Length", String(20 << 20))])
            let block = patternData(count: 1 << 20, seed: 4)
            for _ in 0..<4 { try client.send(block) }
            // The .part file exists while the body arrives.
            #expect(await eventually { filesIn(configuration.uploadDirectory).contains { $0.hasSuffix(".part") } })
            client.abort()
            #expect(await eventually { server.metrics.abortedRequests == 1 })
            #expect(filesIn(configuration.uploadDirectory).isEmpty)
        }
    }
}

/// Runs a program to completion and returns its standard output.
func runProcess(_ path: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return data
}
