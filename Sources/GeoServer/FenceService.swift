import Foundation
import GeoCore
import GeoFences
import GeoStore
import GeoTiles

/// The server's one fence evaluator and the fences it evaluates, behind an actor: positions from many
/// connections are evaluated one batch at a time, and the evaluator (a value type with scratch buffers) never
/// crosses tasks.
///
/// Durability: after each batch the new events are upserted by id and the evaluator state saved under
/// ``stateName``, both before the request answers. A crash between the two at worst re-raises the batch's
/// events on the next start, under the same ids, which the upsert absorbs.
actor FenceService {
    static let stateName = "server"
    static let registryName = "vehicle_registry"

    let persistence: FencePersistence
    let settings: FenceRuleSettings
    private(set) var fences: [String: Fence]
    private(set) var registry: VehicleRegistry?
    private var evaluator: FenceEvaluator
    private var subscribers: [UUID: AsyncStream<FenceEvent>.Continuation] = [:]
    /// Bumped on every change of fences or vehicles: the revision of the `fences` tile source.
    private(set) var changeCount: Int64 = 1
    private var tileSourceCache: FeatureSetSource?

    init(store: SpatialStore, settings: FenceRuleSettings) async throws {
        persistence = FencePersistence(store)
        self.settings = settings
        let loaded = try await persistence.fences()
        fences = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id, $0) })
        if let data = try await store.evaluatorState(name: Self.registryName) {
            registry = try JSONDecoder().decode(VehicleRegistry.self, from: data)
        }
        let state = try await persistence.state(name: Self.stateName) ?? FenceEvaluatorState()
        evaluator = FenceEvaluator(fences: loaded, registry: registry, settings: settings, state: state)
    }

    /// Rebuilds the index after a change of fences or vehicles, keeping the state (it is keyed by fence id).
    private func rebuild() {
        changeCount += 1
        evaluator = FenceEvaluator(
            fences: fences.values.sorted { $0.id < $1.id }, registry: registry, settings: settings, state: evaluator.state)
    }

    func list() -> [Fence] { fences.values.sorted { $0.id < $1.id } }

    func create(_ fence: Fence) async throws -> Fence {
        guard fences[fence.id] == nil else {
            throw APIError(status: .conflict, code: "fence_exists", message: "fence \(fence.id) exists; PUT /v1/fences/\(fence.id) replaces it", details: ["field": "properties.id"])
        }
        var fence = fence
        fence.version = 1
        try await persistence.save(fence)
        fences[fence.id] = fence
        rebuild()
        return fence
    }

    /// Replaces a fence; its version becomes one more than the stored one.
    func replace(id: String, with fence: Fence) async throws -> Fence {
        guard let old = fences[id] else { throw Self.notFound(id) }
        var fence = fence
        fence.id = id
        fence.version = old.version + 1
        try await persistence.save(fence)
        fences[id] = fence
        rebuild()
        return fence
    }

    func delete(id: String) async throws {
        guard fences[id] != nil else { throw Self.notFound(id) }
        _ = try await persistence.deleteFence(id: id)
        fences[id] = nil
        rebuild()
    }

    func setRegistry(_ vehicles: [Vehicle]) async throws {
        let registry = VehicleRegistry(vehicles)
        try await persistence.repository.saveEvaluatorState(name: Self.registryName, body: try JSONEncoder().encode(registry))
        self.registry = registry
        rebuild()
    }

    /// Evaluates a batch, persists its events and the state, then tells stream subscribers.
    func ingest(_ positions: [VehiclePosition], flush: Bool) async throws -> (events: [FenceEvent], counters: FenceEvaluatorCounters) {
        var events = evaluator.ingest(positions)
        // The batch's newest fix is the feed's clock: it releases the held fixes of vehicles gone quiet.
        if let newest = positions.map(\.time).max() { events += evaluator.advance(to: newest) }
        if flush { events += evaluator.flush() }
        try await persistence.save(events)
        try await persistence.save(state: evaluator.state, name: Self.stateName)
        for event in events { for continuation in subscribers.values { continuation.yield(event) } }
        return (events, evaluator.state.counters)
    }

    /// A stream of every event raised from now on, until the consumer goes away.
    func subscribe() -> AsyncStream<FenceEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<FenceEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        subscribers[id] = continuation
        return stream
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    static func notFound(_ id: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "no fence \(id)", details: ["field": "id"])
    }

    /// The fences as a tile source (`/tiles/fences/…`), indexed once per change.
    func tileSource() -> FeatureSetSource {
        if let cached = tileSourceCache, cached.revisionValue == changeCount { return cached }
        let source = FeatureSetSource(id: "fences", layer: "fences", features: list().map(\.feature), revision: changeCount)
        tileSourceCache = source
        return source
    }
}
