import Foundation

/// Settings of the libmicrohttpd front: where it listens, how many threads poll, the limits it
/// enforces and where streamed request bodies go. A plain value; every parameter has a default.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: an IPv4 or IPv6 literal, or a host name resolved at start.
    public var host: String
    /// TCP port; 0 binds any free port (read it back with `HTTPServer.port`).
    public var port: Int
    /// Size of libmicrohttpd's thread pool (internal polling, epoll on Linux).
    public var threads: Int
    /// Idle connection timeout, in seconds (0 = none).
    public var connectionTimeout: Int
    /// Concurrent connections accepted in total.
    public var connectionLimit: Int
    /// Concurrent connections accepted from one client address (0 = no limit).
    public var perIPConnectionLimit: Int
    /// Largest request body accepted, in bytes; larger ones are answered 413.
    public var maxBodyBytes: Int64
    /// Bodies (and multipart fields without a file name) up to this many bytes are kept in
    /// memory as `HTTPBody.data`; larger ones stream to a file in `uploadDirectory`.
    public var maxInMemoryBody: Int
    /// Where streamed bodies go: `<dir>/<uuid>.part` while arriving, renamed to
    /// `<dir>/<uuid>.upload` once complete and fsynced. Created at start if missing.
    public var uploadDirectory: URL
    /// PEM certificate chain and private key: HTTPS (GnuTLS) when both are set.
    public var tlsCertificatePEM: String?
    public var tlsKeyPEM: String?
    /// Memory pool of one connection, in bytes (MHD_OPTION_CONNECTION_MEMORY_LIMIT). It bounds
    /// the size of the body chunks handed to the server (larger chunks, fewer calls), and is
    /// cleared for every request: 64 KiB keeps uploads at the same speed as 256 KiB while small
    /// requests (job polls) no longer spend 5% of their time in memset.
    public var connectionMemoryLimit: Int

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        threads: Int = 2,
        connectionTimeout: Int = 60,
        connectionLimit: Int = 1024,
        perIPConnectionLimit: Int = 64,
        maxBodyBytes: Int64 = 64 << 30,
        maxInMemoryBody: Int = 1 << 20,
        uploadDirectory: URL = FileManager.default.temporaryDirectory
            .appendingPathComponent("cubeseg-uploads", isDirectory: true),
        tlsCertificatePEM: String? = nil,
        tlsKeyPEM: String? = nil,
        connectionMemoryLimit: Int = 64 << 10
    ) {
        self.host = host
        self.port = port
        self.threads = threads
        self.connectionTimeout = connectionTimeout
        self.connectionLimit = connectionLimit
        self.perIPConnectionLimit = perIPConnectionLimit
        self.maxBodyBytes = maxBodyBytes
        self.maxInMemoryBody = maxInMemoryBody
        self.uploadDirectory = uploadDirectory
        self.tlsCertificatePEM = tlsCertificatePEM
        self.tlsKeyPEM = tlsKeyPEM
        self.connectionMemoryLimit = connectionMemoryLimit
    }

    /// True when both PEM strings are set.
    /// Bytes per second a body must average once it has taken longer than
    /// `connectionTimeout`: the idle timeout alone lets a client that sends one byte every few
    /// seconds hold a connection for ever. Slower bodies have their connection closed.
    public static let minimumBodyBytesPerSecond: Double = 1024

    public var usesTLS: Bool { tlsCertificatePEM != nil && tlsKeyPEM != nil }
}
