import CubeML
import Foundation

/// `/v1/models`: list, get (the model JSON), apply to another cube, delete.
extension CubeSegService {
    func listModels(_ head: HTTPRequestHead, _ principal: Principal) throws -> HTTPResponse {
        let page = try Self.page(head, noun: "model", exists: { try store.model(id: $0, owner: principal.scope) != nil },
                                 fetch: { try store.listModels(owner: principal.scope, limit: $0, after: $1) }, id: \.id)
        return Self.json(ListView(items: page.items.map(ModelView.init), nextCursor: page.next))
    }

    /// The trained model as stored (`cubeseg-model/4` JSON).
    func getModel(_ id: String, _ principal: Principal) throws -> HTTPResponse {
        let (_, url) = try jobs.model(id, scope: principal.scope)
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .file(url, contentType: "application/json"))
    }

    /// `{cube_id, params?}`: segments the cube with the model (no training); 202 with the job.
    /// The K range is the model's unless `params` gives `k_min` or `k_max`.
    func applyModel(_ id: String, _ request: HTTPRequest, _ principal: Principal) throws -> Handled {
        let (m, url) = try jobs.model(id, scope: principal.scope)
        let obj = try RequestParsing.jsonObject(try RequestParsing.bodyData(request.body))
        if let extra = Set(obj.keys).subtracting(["cube_id", "params", "priority"]).sorted().first {
            throw APIError.badRequest("unknown_field", "unknown field \"\(extra)\"; send cube_id and optionally params, priority")
        }
        guard let cubeID = try RequestParsing.string(obj, "cube_id") else { throw APIError.badRequest("missing_field", "cube_id (a string) is required") }
        var params = obj["params"]
        if case .object(var p)? = params ?? .object([:]), p["k_min"] == nil, p["k_max"] == nil,
           let model = try? TrainedModel.decode(Data(contentsOf: url)) {
            p["k_min"] = .integer(Int64(model.kMin)); p["k_max"] = .integer(Int64(model.kMax))
            params = .object(p)
        }
        let (_, paramsJSON) = try RequestParsing.parameters(params)
        let priority = try Self.priority(obj["priority"])
        let cube = try cubes.cube(cubeID, scope: principal.scope)
        let submission = JobDesk.Submission(kind: .apply, modelID: m.id, paramsJSON: paramsJSON, priority: priority,
                                            idempotencyKey: try idempotencyKey(request.head),
                                            fingerprint: "apply|model:\(m.id)|cube:\(cube.id)|p\(priority)")
        return .now(jobCreated(try jobs.submit(submission, cube: cube, principal: principal)))
    }

    func deleteModel(_ id: String, _ principal: Principal) throws -> HTTPResponse {
        try jobs.deleteModel(id, scope: principal.scope)
        return HTTPResponse(status: 204)
    }
}
