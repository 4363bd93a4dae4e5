import Foundation

/// Everything `cubeseg serve` can be told, with defaults that need no file at all.
///
/// Sources, later ones winning: the built-in defaults, `config/cubeseg.yaml` (or the file given
/// with `--config`), `CUBESEG_*` environment variables, then command-line flags. See
/// `ServiceConfiguration.load(file:environment:overrides:)` and `config/cubeseg.yaml`.
///
/// With no API token configured the service runs in local single-user mode and refuses to
/// bind anything but a loopback address unless `allowUnauthenticatedRemote` is set.
public struct ServiceConfiguration: Sendable, Equatable {
    // MARK: Network
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests).
    public var port: Int = 8080
    /// HTTP worker threads of the front (libmicrohttpd thread pool).
    public var httpThreads: Int = 2
    /// Seconds an idle connection is kept open.
    public var connectionTimeoutSeconds: Int = 30
    public var maxConnections: Int = 512
    public var maxConnectionsPerIP: Int = 64
    /// PEM files; both set turns HTTPS on.
    public var tlsCertificate: String? = nil
    public var tlsKey: String? = nil

    // MARK: Storage
    /// Holds `blobs/` and `uploads/`, and `cubeseg.sqlite` when `store` is empty. With SQLite
    /// it must be a local file system; with PostgreSQL, every process of the cluster shares it
    /// (see deploy/cluster.md for what a network file system must provide).
    public var dataDirectory: String = "./data"
    /// Where rows live: empty for SQLite in the data directory, or a `postgres://` URL
    /// (`StoreLocation`).
    public var store: String = ""
    /// Largest upload (a cube, or a multipart job with its cube), bytes.
    public var maxCubeBytes: Int64 = 8 << 30
    /// Largest JSON request body, bytes.
    public var maxJSONBytes: Int64 = 1 << 20
    /// Free space the data directory's file system keeps, bytes: below it `/readyz` answers
    /// 503 and uploads that would cross it 507, before anything is written.
    public var minFreeBytes: Int64 = 512 << 20
    /// Finished jobs and their result files are removed after this many days (0: never). Cubes
    /// and models stay until deleted.
    public var retentionDays: Double = 30

    // MARK: Jobs
    /// Jobs run at once (worker threads) by this process; 0 for a front that only accepts
    /// work (with a PostgreSQL store and `cubeseg worker` processes elsewhere).
    public var workers: Int = 1
    /// Threads per job (products and parallel loops; results do not depend on it); nil: max(1, cores / workers) minus what the HTTP front needs.
    public var blasThreads: Int? = nil
    /// Queued + running jobs allowed overall and per token; beyond them POST answers 429.
    public var maxQueuedJobs: Int = 1000
    public var maxQueuedJobsPerToken: Int = 100
    /// A claimed job's lease; the worker renews it every `heartbeatSeconds`.
    public var leaseSeconds: Double = 30
    public var heartbeatSeconds: Double = 5
    /// Runs of one job before it fails for good (lease expiries and retryable errors count).
    public var maxAttempts: Int = 3
    /// Base of the exponential retry back-off, seconds (jittered, capped at 10 minutes).
    public var retryBaseSeconds: Double = 5
    /// How often an idle worker looks at the queue even without a wake-up, seconds.
    public var pollSeconds: Double = 1
    /// Longest `?wait=N` a client may ask for, seconds.
    public var maxWaitSeconds: Int = 60

    // MARK: Authentication
    public var tokens: [APIToken] = []
    /// Allows binding a non-loopback address with no token configured (anyone reaching the
    /// port can then use the service).
    public var allowUnauthenticatedRemote: Bool = false

    public init() {}

    /// One API token: the bearer secret, the owner name its cubes, jobs and models are filed
    /// under, and whether it sees everyone's.
    public struct APIToken: Sendable, Codable, Equatable {
        public var token: String
        public var name: String
        public var admin: Bool
        public init(token: String, name: String, admin: Bool = false) {
            self.token = token; self.name = name; self.admin = admin
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            token = try c.decode(String.self, forKey: .token)
            name = try c.decode(String.self, forKey: .name)
            admin = try c.decodeIfPresent(Bool.self, forKey: .admin) ?? false
        }
    }

    /// True when no token is configured: every request acts as the local admin user.
    public var isLocalMode: Bool { tokens.isEmpty }

    /// Threads a job gets: `blasThreads`, else the cores left after one per HTTP
    /// thread's share, divided among workers (at least 1).
    public var effectiveBLASThreads: Int {
        if let b = blasThreads { return max(1, b) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return max(1, (cores - 1) / max(1, workers))
    }

    public var dataDirectoryURL: URL { URL(fileURLWithPath: dataDirectory, isDirectory: true).standardizedFileURL }

    /// True with a PostgreSQL store: other processes share the database and the data directory.
    public var isClustered: Bool {
        if case .postgres = try? storeLocation { return true }
        return false
    }

    /// `store`, parsed.
    public var storeLocation: StoreLocation {
        get throws { try StoreLocation.parse(store, dataDirectory: dataDirectoryURL) }
    }

    /// Checks values and the loopback rule; throws the first problem found.
    public func validate() throws {
        func positive(_ name: String, _ v: Double) throws {
            if !(v > 0) { throw ConfigurationError.invalidValue(key: name, value: "\(v)", reason: "must be > 0") }
        }
        if !(0...65535).contains(port) { throw ConfigurationError.invalidValue(key: "port", value: "\(port)", reason: "must be 0...65535") }
        if workers < 0 { throw ConfigurationError.invalidValue(key: "workers", value: "\(workers)", reason: "must be >= 0") }
        let location = try storeLocation
        if workers == 0, case .sqlite = location {
            throw ConfigurationError.invalidValue(key: "workers", value: "0",
                                                  reason: "only makes sense with a PostgreSQL store (store: postgres://...) and cubeseg worker processes")
        }
        try positive("http_threads", Double(httpThreads))
        try positive("lease_seconds", leaseSeconds)
        try positive("heartbeat_seconds", heartbeatSeconds)
        try positive("poll_seconds", pollSeconds)
        try positive("max_attempts", Double(maxAttempts))
        try positive("max_cube_bytes", Double(maxCubeBytes))
        if minFreeBytes < 0 { throw ConfigurationError.invalidValue(key: "min_free_bytes", value: "\(minFreeBytes)", reason: "must be >= 0") }
        try positive("max_queued_jobs", Double(maxQueuedJobs))
        try positive("max_queued_jobs_per_token", Double(maxQueuedJobsPerToken))
        if heartbeatSeconds * 2 > leaseSeconds {
            throw ConfigurationError.invalidValue(key: "lease_seconds", value: "\(leaseSeconds)",
                                                  reason: "must be at least twice heartbeat_seconds (\(heartbeatSeconds)); 3-5 times is advised")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ConfigurationError.invalidValue(key: "tls_certificate", value: tlsCertificate ?? "nil", reason: "tls_certificate and tls_key go together")
        }
        var seen = Set<String>()
        for t in tokens {
            if t.token.count < 16 { throw ConfigurationError.invalidValue(key: "tokens", value: t.name, reason: "token of \(t.name) is shorter than 16 characters") }
            if !seen.insert(t.token).inserted { throw ConfigurationError.invalidValue(key: "tokens", value: t.name, reason: "token of \(t.name) is used twice") }
        }
        if isLocalMode && !allowUnauthenticatedRemote && !Self.isLoopback(host) {
            throw ConfigurationError.unauthenticatedRemote(host: host)
        }
    }

    /// `localhost`, `127.0.0.0/8` and `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

/// Why the configuration cannot be used; one line each.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    case unknownKey(source: String, key: String)
    case invalidValue(key: String, value: String, reason: String)
    case unauthenticatedRemote(host: String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): return "cannot read configuration \(path): \(reason)"
        case let .unknownKey(source, key): return "\(source): unknown configuration key \"\(key)\""
        case let .invalidValue(key, value, reason): return "configuration \(key) = \(value): \(reason)"
        case let .unauthenticatedRemote(host):
            return "refusing to bind \(host) with no API token configured; add tokens, bind 127.0.0.1, or set allow_unauthenticated_remote: true"
        }
    }
}
