import Foundation
import Testing
@testable import CubeService

@Suite struct ConfigurationTests {
    @Test func defaultsNeedNoFileAndBindLoopback() throws {
        let c = try ServiceConfiguration.load(file: nil, environment: [:])
        #expect(c.host == "127.0.0.1")
        #expect(c.port == 8080)
        #expect(c.dataDirectory == "./data")
        #expect(c.workers == 1)
        #expect(c.isLocalMode)
    }

    @Test func fileThenEnvironmentThenFlagsWin() throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("c.yaml")
            try """
            port: 9000
            workers: 2
            data_dir: /srv/a
            tokens:
              - {token: "0123456789abcdef-x", name: alice}
              - {token: "0123456789abcdef-y", name: root, admin: true}
            """.write(to: file, atomically: true, encoding: .utf8)
            let c = try ServiceConfiguration.load(file: file, environment: ["CUBESEG_PORT": "9100", "CUBESEG_WORKERS": "3", "PATH": "/bin"],
                                                  overrides: ["port": "9200"])
            #expect(c.port == 9200)
            #expect(c.workers == 3)
            #expect(c.dataDirectory == "/srv/a")
            #expect(c.tokens == [.init(token: "0123456789abcdef-x", name: "alice"), .init(token: "0123456789abcdef-y", name: "root", admin: true)])
        }
    }

    @Test func tokensFromTheEnvironment() throws {
        let c = try ServiceConfiguration.load(file: nil, environment: ["CUBESEG_TOKENS": "ann:aaaaaaaaaaaaaaaaaa,boss:bbbbbbbbbbbbbbbbbb:admin"])
        #expect(c.tokens == [.init(token: "aaaaaaaaaaaaaaaaaa", name: "ann"), .init(token: "bbbbbbbbbbbbbbbbbb", name: "boss", admin: true)])
    }

    @Test func unknownKeysAndBadValuesAreRejectedWithTheirName() throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("c.yaml")
            try "prot: 8080\n".write(to: file, atomically: true, encoding: .utf8)
            #expect(throws: ConfigurationError.unknownKey(source: "c.yaml", key: "prot")) {
                try ServiceConfiguration.load(file: file, environment: [:])
            }
            #expect(throws: ConfigurationError.unknownKey(source: "flag", key: "prot")) {
                try ServiceConfiguration.load(file: nil, environment: [:], overrides: ["prot": "1"])
            }
            // Other tools share the environment prefix: unknown variables are ignored, and listed.
            #expect(try ServiceConfiguration.load(file: nil, environment: ["CUBESEG_PROT": "1"]) == ServiceConfiguration())
            #expect(ServiceConfiguration.unrecognisedEnvironment(["CUBESEG_PROT": "1", "CUBESEG_PORT": "2", "HOME": "/"]) == ["CUBESEG_PROT"])
            #expect(throws: ConfigurationError.invalidValue(key: "port", value: "eighty", reason: "expected an integer")) {
                try ServiceConfiguration.load(file: nil, environment: [:], overrides: ["port": "eighty"])
            }
            #expect(throws: ConfigurationError.self) {
                try ServiceConfiguration.load(file: nil, environment: [:], overrides: ["lease_seconds": "1", "heartbeat_seconds": "1"])
            }
        }
    }

    @Test func aRemoteAddressWithoutTokensIsRefusedUnlessForced() throws {
        #expect(throws: ConfigurationError.unauthenticatedRemote(host: "0.0.0.0")) {
            try ServiceConfiguration.load(file: nil, environment: [:], overrides: ["host": "0.0.0.0"])
        }
        let forced = try ServiceConfiguration.load(file: nil, environment: [:], overrides: ["host": "0.0.0.0", "allow_unauthenticated_remote": "true"])
        #expect(forced.host == "0.0.0.0")
        let withTokens = try ServiceConfiguration.load(file: nil, environment: ["CUBESEG_TOKENS": "ann:aaaaaaaaaaaaaaaaaa"], overrides: ["host": "0.0.0.0"])
        #expect(!withTokens.isLocalMode)
    }

    @Test func theCommittedDefaultFileLoadsAndMatchesTheBuiltInDefaults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let c = try ServiceConfiguration.load(file: root.appendingPathComponent("config/cubeseg.yaml"), environment: [:])
        #expect(c == ServiceConfiguration())
        // The file names every key, and every key it names is known (to the environment too).
        let text = try String(contentsOf: root.appendingPathComponent("config/cubeseg.yaml"), encoding: .utf8)
        let fileKeys = Set(text.split(separator: "\n").compactMap { line -> String? in
            guard let first = line.first, first.isLetter, let colon = line.firstIndex(of: ":") else { return nil }
            return String(line[..<colon])
        })
        #expect(fileKeys == ServiceConfiguration.knownKeys)
    }
}
