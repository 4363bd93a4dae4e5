import Foundation
import Testing
@testable import CubeService

@Suite("The store setting")
struct StoreLocationTests {
    let dir = URL(fileURLWithPath: "/srv/cubeseg")

    @Test("empty means SQLite in the data directory; a postgres URL names server, socket, schema and TLS")
    func parsesWhatTheDocsShow() throws {
        #expect(try StoreLocation.parse("", dataDirectory: dir) == .sqlite(path: "/srv/cubeseg/cubeseg.sqlite"))
        guard case .postgres(let tcp) = try StoreLocation.parse("postgres://cubeseg:s3cret@db.example.org:6543/queue?sslmode=require",
                                                                 dataDirectory: dir) else { Issue.record("not postgres"); return }
        #expect(tcp.host == "db.example.org" && tcp.port == 6543 && tcp.user == "cubeseg" && tcp.password == "s3cret")
        #expect(tcp.database == "queue" && tcp.tls == .require && tcp.socketDirectory == nil && tcp.schema == nil)
        #expect(!tcp.description.contains("s3cret"))
        guard case .postgres(let socket) = try StoreLocation.parse("postgresql://me@localhost/db?host=/tmp/pg&schema=cubeseg_a",
                                                                    dataDirectory: dir) else { Issue.record("not postgres"); return }
        #expect(socket.socketDirectory == "/tmp/pg" && socket.schema == "cubeseg_a" && socket.tls == .prefer)
    }

    @Test("a wrong store is refused at start, naming the key and what is wrong, never the password")
    func wrongStoresAreNamed() {
        for (url, words) in [
            ("mysql://a@b/c", "postgres://"),
            ("postgres://db.example.org/queue", "no user"),
            ("postgres://me:pw@db.example.org", "no database"),
            ("postgres://me:pw@db.example.org/q?sslmode=maybe", "sslmode"),
            ("postgres://me:pw@db.example.org/q?schema=Robert');DROP", "schema"),
            ("postgres://me:pw@db.example.org/q?colour=blue", "colour"),
        ] {
            var c = ServiceConfiguration()
            c.store = url
            do {
                try c.validate()
                Issue.record("\(url) was accepted")
            } catch {
                let text = "\(error)"
                #expect(text.contains("store") && text.contains(words), "\(text)")
                #expect(!text.contains(":pw@"), "\(text)")
            }
        }
    }

    @Test("a front with no workers needs a PostgreSQL store")
    func zeroWorkersNeedsPostgres() throws {
        var c = ServiceConfiguration()
        c.workers = 0
        #expect(throws: ConfigurationError.self) { try c.validate() }
        c.store = "postgres://me@db.example.org/q"
        try c.validate()
        #expect(c.isClustered)
    }
}
