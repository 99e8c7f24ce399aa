import GeoCore
import GeoStore
import Hummingbird

/// `/health`: the process is up and the database answers, with the store's backend and version and the layer count.
struct HealthController {
    let store: any CityStore

    func register(on router: Router<CityRequestContext>) {
        router.get("health", use: health)
    }

    /// `GET /health`.
    @Sendable func health(_ request: Request, context: CityRequestContext) async throws -> Response {
        let description = try await store.describe()
        let layers = try await store.layers()
        var body: [String: JSONValue] = [
            "status": "ok", "backend": .string(description.backend), "backend_version": .string(description.version),
            "layers": .int(Int64(layers.count)),
        ]
        // The field clients of earlier versions read.
        if description.backend == "spatialite" { body["spatialite"] = .string(description.version) }
        return try JSONResponse.make(.object(body))
    }

}
