import Foundation

/// Who is calling: the owner name their cubes, jobs and models are filed under, and whether
/// they see everyone's. In local mode (no token configured) everyone is the admin `local`.
struct Principal: Sendable, Equatable {
    var owner: String
    var admin: Bool

    /// The owner filter for store look-ups: nil (all) for an admin.
    var scope: String? { admin ? nil : owner }

    static let local = Principal(owner: "local", admin: true)
}

/// Maps bearer tokens to principals.
struct Authenticator: Sendable {
    let byToken: [String: Principal]
    let localMode: Bool

    init(tokens: [ServiceConfiguration.APIToken]) {
        var m: [String: Principal] = [:]
        for t in tokens { m[t.token] = Principal(owner: t.name, admin: t.admin) }
        byToken = m
        localMode = tokens.isEmpty
    }

    /// The caller of a request with these (lowercased) headers.
    func principal(headers: [String: String]) throws -> Principal {
        if localMode { return .local }
        guard let auth = headers["authorization"] else { throw APIError.unauthorized("send Authorization: Bearer <token>") }
        let parts = auth.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be Bearer <token>")
        }
        guard let p = byToken[String(parts[1]).trimmingCharacters(in: .whitespaces)] else {
            throw APIError.unauthorized("unknown token")
        }
        return p
    }
}
