/// The routes of the API, matched from a decoded path. `template` names the route in logs
/// and metrics without ids.
enum Route: Equatable {
    case healthz, readyz, metrics, openapi
    /// The browser viewer: `/` (its page) and `/viewer/{file}`.
    case viewerIndex, viewerFile(String)
    case cubes, cube(String), cubePreview(String), cubeSpectrum(String)
    case jobs, job(String), jobCancel(String), jobResults(String), jobResult(String, String)
    case models, model(String), modelApply(String)

    init?(path: String) {
        let p = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch p.count {
        case 0: self = .viewerIndex
        case 2 where p[0] == "viewer": self = .viewerFile(p[1])
        case 1:
            switch p[0] {
            case "healthz": self = .healthz
            case "readyz": self = .readyz
            case "metrics": self = .metrics
            case "openapi.yaml": self = .openapi
            case "favicon.ico": self = .viewerFile("favicon.svg")  // what browsers ask for unprompted
            default: return nil
            }
        case 2 where p[0] == "v1":
            switch p[1] { case "cubes": self = .cubes; case "jobs": self = .jobs; case "models": self = .models; default: return nil }
        case 3 where p[0] == "v1":
            switch p[1] { case "cubes": self = .cube(p[2]); case "jobs": self = .job(p[2]); case "models": self = .model(p[2]); default: return nil }
        case 4 where p[0] == "v1":
            switch (p[1], p[3]) {
            case ("cubes", "preview.png"): self = .cubePreview(p[2])
            case ("cubes", "spectrum"): self = .cubeSpectrum(p[2])
            case ("jobs", "results"): self = .jobResults(p[2])
            case ("jobs", "cancel"): self = .jobCancel(p[2])
            case ("models", "apply"): self = .modelApply(p[2])
            default: return nil
            }
        case 5 where p[0] == "v1" && p[1] == "jobs" && p[3] == "results": self = .jobResult(p[2], p[4])
        default: return nil
        }
    }

    var template: String {
        switch self {
        case .healthz: return "/healthz"
        case .readyz: return "/readyz"
        case .metrics: return "/metrics"
        case .openapi: return "/openapi.yaml"
        case .viewerIndex: return "/"
        case .viewerFile: return "/viewer/{file}"
        case .cubes: return "/v1/cubes"
        case .cube: return "/v1/cubes/{id}"
        case .cubePreview: return "/v1/cubes/{id}/preview.png"
        case .cubeSpectrum: return "/v1/cubes/{id}/spectrum"
        case .jobs: return "/v1/jobs"
        case .job: return "/v1/jobs/{id}"
        case .jobCancel: return "/v1/jobs/{id}/cancel"
        case .jobResults: return "/v1/jobs/{id}/results"
        case .jobResult: return "/v1/jobs/{id}/results/{file}"
        case .models: return "/v1/models"
        case .model: return "/v1/models/{id}"
        case .modelApply: return "/v1/models/{id}/apply"
        }
    }

    var allowedMethods: [String] {
        switch self {
        case .healthz, .readyz, .metrics, .openapi, .viewerIndex, .viewerFile, .cubePreview, .cubeSpectrum, .jobResults, .jobResult:
            return ["GET"]
        // PUT /v1/cubes is what `curl -T cube.npy URL` sends: the same upload as POST.
        case .cubes: return ["GET", "POST", "PUT"]
        case .jobs: return ["GET", "POST"]
        case .cube, .job, .model: return ["GET", "DELETE"]
        case .models: return ["GET"]
        case .modelApply, .jobCancel: return ["POST"]
        }
    }

    /// Routes anyone may call, token or not.
    var isPublic: Bool {
        switch self { case .healthz, .readyz, .openapi, .viewerIndex, .viewerFile: return true; default: return false }
    }
}
