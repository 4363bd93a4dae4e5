import Foundation

// MERGE: map the service configuration onto the HTTP front's `HTTPServerConfiguration` once
// the `http` branch lands (thread pool size, timeouts, connection limits, body limit, upload
// directory `<data_dir>/uploads`, TLS files).
func makeServerConfiguration(_ c: ServiceConfiguration) -> HTTPServerConfiguration {
    HTTPServerConfiguration(host: c.host, port: c.port)
}
