import Hummingbird

@testable import GeoServer

/// Routes built once and shared by the tests that only read through them: building them loads the grid locator
/// and the geocoders from the store, which costs seconds in a debug build, so each suite builds each
/// configuration once instead of once per test.
actor SharedRoutes {
    static let shared = SharedRoutes()
    private var built: [String: Task<(RouterResponder<CityRequestContext>, InlineLookups), any Error>] = [:]

    /// The routes known as `key`, made by `build` on first use.
    func routes(
        _ key: String, build: @escaping @Sendable () async throws -> (Router<CityRequestContext>, InlineLookups)
    ) async throws -> (responder: RouterResponder<CityRequestContext>, lookups: InlineLookups) {
        let task = built[key] ?? Task {
            let (router, lookups) = try await build()
            return (router.buildResponder(), lookups)
        }
        built[key] = task
        return try await task.value
    }
}
