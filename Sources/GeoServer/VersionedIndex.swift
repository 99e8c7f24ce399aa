import Foundation
import GeoStore

/// An in-memory index built from store layers (grid locator, geocoder), rebuilt when one of those layers'
/// catalogue version changes. The catalogue is checked at most once per `checkInterval`, by the one request
/// that finds the interval over; every other request reads the current index under a lock without waiting, so
/// a hundred concurrent requests do not queue behind one another (an actor here was the server's bottleneck).
final class VersionedIndex<Value: Sendable>: @unchecked Sendable {
    // Guarded by `lock`.
    private var current: Value
    private var versions: [String: Int64]
    private var lastCheck = ContinuousClock.now
    private var checking = false
    private let lock = NSLock()

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

    /// The index; the request that finds the check interval over first rebuilds it if a layer changed.
    var value: Value {
        get async throws {
            let (snapshot, known, mustCheck) = lock.withLock { () -> (Value, [String: Int64], Bool) in
                let now = ContinuousClock.now
                guard isDue(at: now) else { return (current, versions, false) }
                checking = true
                lastCheck = now
                return (current, versions, true)
            }
            guard mustCheck else { return snapshot }
            defer { lock.withLock { checking = false } }
            let latest = try await Self.versions(of: layerNames, in: store)
            guard latest != known else { return snapshot }
            let rebuilt = try await build(store)
            lock.withLock {
                current = rebuilt
                versions = latest
            }
            return rebuilt
        }
    }

    /// The index without waiting, or nil when the check interval is over and the caller must take `value`
    /// (which checks the catalogue) instead. For answers given on an event loop, which cannot await.
    var valueIfChecked: Value? {
        lock.withLock { isDue(at: ContinuousClock.now) ? nil : current }
    }

    /// Whether the catalogue is due for a look and no one is looking yet. Called under `lock`.
    private func isDue(at now: ContinuousClock.Instant) -> Bool { !checking && now - lastCheck >= checkInterval }

    private static func versions(of names: [String], in store: SpatialStore) async throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        for name in names { result[name] = try await store.layer(named: name)?.version }
        return result
    }
}
