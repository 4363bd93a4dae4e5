import Foundation
import Yams

extension ServiceConfiguration {
    /// Builds the configuration from, in order: defaults, the YAML `file` (snake_case keys as in
    /// `config/cubeseg.yaml`; nil: none), `CUBESEG_<KEY>` variables of `environment` (e.g.
    /// `CUBESEG_PORT=9000`, `CUBESEG_DATA_DIR=/srv/cubeseg`, `CUBESEG_TOKENS=name:secret[:admin],...`),
    /// then `overrides` (the same snake_case keys, as strings: what the CLI's flags say).
    /// Validates the result.
    ///
    /// - Throws: `ConfigurationError` naming the key and source at fault.
    public static func load(file: URL?, environment: [String: String] = ProcessInfo.processInfo.environment,
                            overrides: [String: String] = [:]) throws -> ServiceConfiguration {
        var c = ServiceConfiguration()
        if let file {
            let text: String
            do { text = try String(contentsOf: file, encoding: .utf8) }
            catch { throw ConfigurationError.unreadableFile(path: file.path, reason: "\(error.localizedDescription)") }
            let node: Any?
            do { node = try Yams.load(yaml: text) }
            catch { throw ConfigurationError.unreadableFile(path: file.path, reason: "not YAML: \(error)") }
            if let node {
                guard let map = node as? [String: Any] else {
                    throw ConfigurationError.unreadableFile(path: file.path, reason: "the top level must be a mapping")
                }
                for key in map.keys.sorted() { try c.apply(key: key, value: map[key]!, source: file.lastPathComponent) }
            }
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("CUBESEG_") {
            let key = String(name.dropFirst("CUBESEG_".count)).lowercased()
            // Other tools share the prefix (CUBESEG_OPENAPI, CUBESEG_BIN, ...): only known keys count.
            guard knownKeys.contains(key) else { continue }
            try c.apply(key: key, value: value, source: "environment \(name)")
        }
        for key in overrides.keys.sorted() { try c.apply(key: key, value: overrides[key]!, source: "flag") }
        try c.validate()
        return c
    }

    /// Every configuration key (snake_case), as in the file and after `CUBESEG_` in the environment.
    public static let knownKeys: Set<String> = [
        "host", "port", "http_threads", "connection_timeout_seconds", "max_connections", "max_connections_per_ip",
        "tls_certificate", "tls_key", "data_dir", "store", "max_cube_bytes", "max_json_bytes", "min_free_bytes", "retention_days", "workers",
        "blas_threads", "max_queued_jobs", "max_queued_jobs_per_token", "lease_seconds", "heartbeat_seconds",
        "max_attempts", "retry_base_seconds", "poll_seconds", "max_wait_seconds", "allow_unauthenticated_remote", "tokens",
    ]

    /// `CUBESEG_*` variables that are not configuration keys (ignored by `load`; worth a
    /// warning in case of a typo).
    public static func unrecognisedEnvironment(_ environment: [String: String]) -> [String] {
        environment.keys.filter { $0.hasPrefix("CUBESEG_") && !knownKeys.contains(String($0.dropFirst(8)).lowercased()) }.sorted()
    }

    /// The configuration file `cubeseg serve` reads when none is given: `config/cubeseg.yaml`
    /// under the current directory, if it exists.
    public static var defaultFile: URL? {
        let url = URL(fileURLWithPath: "config/cubeseg.yaml")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Sets one key from a YAML scalar or an environment/flag string.
    mutating func apply(key: String, value: Any, source: String) throws {
        func bad(_ reason: String) -> ConfigurationError { .invalidValue(key: key, value: "\(value)", reason: reason) }
        func int() throws -> Int {
            if let v = value as? Int { return v }
            if let s = value as? String, let v = Int(s.trimmingCharacters(in: .whitespaces)) { return v }
            throw bad("expected an integer")
        }
        func double() throws -> Double {
            if let v = value as? Double { return v }
            if let v = value as? Int { return Double(v) }
            if let s = value as? String, let v = Double(s.trimmingCharacters(in: .whitespaces)) { return v }
            throw bad("expected a number")
        }
        func bool() throws -> Bool {
            if let v = value as? Bool { return v }
            if let s = value as? String {
                switch s.lowercased() { case "1", "true", "yes", "on": return true; case "0", "false", "no", "off": return false; default: break }
            }
            throw bad("expected true or false")
        }
        func string() throws -> String {
            if let s = value as? String { return s }
            if let v = value as? Int { return String(v) }
            throw bad("expected a string")
        }
        func optionalString() throws -> String? {
            if value is NSNull { return nil }
            let s = try string()
            return s.isEmpty ? nil : s
        }
        switch key {
        case "host": host = try string()
        case "port": port = try int()
        case "http_threads": httpThreads = try int()
        case "connection_timeout_seconds": connectionTimeoutSeconds = try int()
        case "max_connections": maxConnections = try int()
        case "max_connections_per_ip": maxConnectionsPerIP = try int()
        case "tls_certificate": tlsCertificate = try optionalString()
        case "tls_key": tlsKey = try optionalString()
        case "data_dir": dataDirectory = try string()
        case "store": store = value is NSNull ? "" : try string()
        case "max_cube_bytes": maxCubeBytes = Int64(try int())
        case "max_json_bytes": maxJSONBytes = Int64(try int())
        case "min_free_bytes": minFreeBytes = Int64(try int())
        case "retention_days": retentionDays = try double()
        case "workers": workers = try int()
        case "blas_threads":
            if value is NSNull || (value as? String)?.isEmpty == true { blasThreads = nil } else { blasThreads = try int() }
        case "max_queued_jobs": maxQueuedJobs = try int()
        case "max_queued_jobs_per_token": maxQueuedJobsPerToken = try int()
        case "lease_seconds": leaseSeconds = try double()
        case "heartbeat_seconds": heartbeatSeconds = try double()
        case "max_attempts": maxAttempts = try int()
        case "retry_base_seconds": retryBaseSeconds = try double()
        case "poll_seconds": pollSeconds = try double()
        case "max_wait_seconds": maxWaitSeconds = try int()
        case "allow_unauthenticated_remote": allowUnauthenticatedRemote = try bool()
        case "tokens": tokens = try Self.parseTokens(value, key: key)
        default: throw ConfigurationError.unknownKey(source: source, key: key)
        }
    }

    /// Tokens from YAML (a list of `{token, name, admin}`) or a string `name:token[:admin],...`.
    static func parseTokens(_ value: Any, key: String) throws -> [APIToken] {
        if value is NSNull { return [] }
        if let list = value as? [Any] {
            return try list.map { item in
                guard let m = item as? [String: Any], let token = m["token"] as? String, let name = m["name"] as? String else {
                    throw ConfigurationError.invalidValue(key: key, value: "\(item)", reason: "each token needs string `token` and `name`")
                }
                if let extra = Set(m.keys).subtracting(["token", "name", "admin"]).first {
                    throw ConfigurationError.invalidValue(key: key, value: name, reason: "unknown token field \"\(extra)\"")
                }
                return APIToken(token: token, name: name, admin: (m["admin"] as? Bool) ?? false)
            }
        }
        if let s = value as? String {
            return try s.split(separator: ",").map { entry in
                let f = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 2 || (f.count == 3 && f[2] == "admin"), !f[0].isEmpty, !f[1].isEmpty else {
                    throw ConfigurationError.invalidValue(key: key, value: f.first ?? "", reason: "expected name:token or name:token:admin")
                }
                return APIToken(token: f[1], name: f[0], admin: f.count == 3)
            }
        }
        throw ConfigurationError.invalidValue(key: key, value: "\(value)", reason: "expected a list of {token, name, admin}")
    }
}
