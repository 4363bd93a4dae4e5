import Foundation

/// The HTTP front's configuration from the service's: threads, timeouts, connection limits,
/// the body limit (the largest upload), uploads under `<data_dir>/uploads` (the same file
/// system as the blob store, so adopting an upload is a rename), TLS PEM files read here.
func makeServerConfiguration(_ c: ServiceConfiguration) throws -> HTTPServerConfiguration {
    func pem(_ path: String?, key: String) throws -> String? {
        guard let path else { return nil }
        do { return try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8) }
        catch { throw ConfigurationError.invalidValue(key: key, value: path, reason: "cannot read the PEM file: \(error.localizedDescription)") }
    }
    return HTTPServerConfiguration(
        host: c.host, port: c.port, threads: c.httpThreads, connectionTimeout: c.connectionTimeoutSeconds,
        connectionLimit: c.maxConnections, perIPConnectionLimit: c.maxConnectionsPerIP,
        maxBodyBytes: max(c.maxCubeBytes, c.maxJSONBytes),
        uploadDirectory: c.dataDirectoryURL.appendingPathComponent("uploads", isDirectory: true),
        tlsCertificatePEM: try pem(c.tlsCertificate, key: "tls_certificate"), tlsKeyPEM: try pem(c.tlsKey, key: "tls_key"))
}
