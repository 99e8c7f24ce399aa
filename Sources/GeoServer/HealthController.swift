import GeoCore
import GeoStore
import Hummingbird

/// `/health`: the process is up and the database answers, with the SpatiaLite version and layer count.
struct HealthController {
    let store: SpatialStore

    func register(on router: Router<CityRequestContext>) {
        router.get("health") { _, _ -> Response in
            let version = try await store.spatialiteVersion()
            let layers = try await store.layers()
            return try JSONResponse.make(
                .object(["status": "ok", "spatialite": .string(version), "layers": .int(Int64(layers.count))]))
        }
    }
}
