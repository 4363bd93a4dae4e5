import Foundation

/// Where the service keeps its rows: the `store` configuration key.
///
/// - empty (the default): SQLite, `cubeseg.sqlite` in the data directory; one machine.
/// - `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`, or
///   with `?host=/socket/directory` for a Unix socket (libpq's spelling; the socket file is
///   `.s.PGSQL.PORT` in that directory), and `&schema=NAME` to keep CubeSeg's tables in their
///   own schema (created when missing; default: the user's search path): PostgreSQL, shared by
///   every `serve` and `worker` process of a cluster.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses the `store` setting; `dataDirectory` places the SQLite file.
    public static func parse(_ text: String, dataDirectory: URL) throws -> StoreLocation {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .sqlite(path: dataDirectory.appendingPathComponent("cubeseg.sqlite").path) }
        return .postgres(try PostgresLocation(url: trimmed))
    }

    /// Safe to log: no password.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let p): return p.description
        }
    }
}

/// A PostgreSQL server and database, parsed from a `postgres://` URL.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require }
    public var host: String
    public var port: Int
    /// Directory of the server's Unix socket; nil for TCP.
    public var socketDirectory: String?
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Schema of CubeSeg's tables; nil: the server's search path (usually `public`).
    public var schema: String?

    public init(url text: String) throws {
        func bad(_ why: String) -> ConfigurationError {
            ConfigurationError.invalidValue(key: "store", value: PostgresLocation.withoutPassword(text), reason: why)
        }
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw bad("must be empty (SQLite in the data directory) or a postgres://user@host/database URL")
        }
        guard let user = url.user, !user.isEmpty else { throw bad("names no user (postgres://USER@HOST/DATABASE)") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw bad("names no database (postgres://USER@HOST/DATABASE)") }
        var socket: String? = nil
        var tls = TLSMode.prefer
        var schema: String? = nil
        for item in url.queryItems ?? [] {
            switch item.name {
            case "host":
                guard let v = item.value, v.hasPrefix("/") else { throw bad("host= must be the absolute path of the socket directory") }
                socket = v
            case "sslmode":
                guard let v = item.value, let mode = TLSMode(rawValue: v) else { throw bad("sslmode must be disable, prefer or require") }
                tls = mode
            case "schema":
                guard let v = item.value, v.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                    throw bad("schema must be a lower-case SQL identifier")
                }
                schema = v
            default:
                throw bad("unknown parameter \"\(item.name)\" (host, sslmode, schema)")
            }
        }
        self.host = url.host ?? "localhost"
        self.port = url.port ?? 5432
        self.socketDirectory = socket
        self.user = user
        self.password = url.password
        self.database = database
        self.tls = tls
        self.schema = schema
        if socket == nil, (url.host ?? "").isEmpty { throw bad("names no host (postgres://USER@HOST/DATABASE, or ?host=/socket/dir)") }
    }

    public var description: String {
        var query = [socketDirectory.map { "host=\($0)" }, schema.map { "schema=\($0)" }].compactMap { $0 }.joined(separator: "&")
        if !query.isEmpty { query = "?" + query }
        let target = socketDirectory == nil ? "\(host):\(port)" : host
        return "postgres://\(user)@\(target)/\(database)\(query)"
    }

    static func withoutPassword(_ text: String) -> String {
        guard var c = URLComponents(string: text), c.password != nil else { return text }
        c.password = "***"
        return c.string ?? "postgres://***"
    }
}
