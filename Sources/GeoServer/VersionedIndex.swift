import GeoStore

/// An in-memory index built from store layers (grid locator, geocoder), rebuilt when one of those layers'
/// catalogue version changes. The catalogue is checked at most once per `checkInterval`, so the hot path does
/// not query the database per request; a rebuild happens on the request that notices the change.
actor VersionedIndex<Value: Sendable> {
    private var current: Value
    private var versions: [String: Int64]
    private var lastCheck = ContinuousClock.now
    private let store: SpatialStore
    private let layerNames: [String]
    private let checkInterval: Duration
    private let build: @Sendable (SpatialStore) async throws -> Value

    init(
        store: SpatialStore, layerNames: [String], checkInterval: Duration,
        build: @escaping @Sendable (SpatialStore) async throws -> Value
    ) async throws {
        self.store = store
        self.layerNames = layerNames
        self.checkInterval = checkInterval
        self.build = build
        versions = try await Self.versions(of: layerNames, in: store)
        current = try await build(store)
    }

    /// The index, rebuilt first if one of its layers changed since the last check.
    var value: Value {
        get async throws {
            let now = ContinuousClock.now
            guard now - lastCheck >= checkInterval else { return current }
            lastCheck = now
            let latest = try await Self.versions(of: layerNames, in: store)
            if latest != versions {
                current = try await build(store)
                versions = latest
            }
            return current
        }
    }

    private static func versions(of names: [String], in store: SpatialStore) async throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for name in names { result[name] = try await store.layer(named: name)?.version }
        return result
    }
}
