import Foundation
import GeoCore
import GeoFences
import GeoStore
import GeoTiles

/// The server's one fence evaluator and the fences it evaluates, behind an actor: positions from many
/// connections are evaluated one batch at a time, and the evaluator (a value type with scratch buffers) never
/// crosses tasks.
///
/// Durability: a batch's events (upserted by id) and the evaluator state after it (under ``stateName``) are
/// written in one transaction before the request answers, so what a client was told is on disk, and a crash
/// leaves the state of some batch boundary with exactly the events raised up to it.
///
/// Batches take turns: one is evaluated, committed and answered before the next is evaluated. The actor alone
/// would not do that, because it is reentrant at the commit's `await`: a later batch could be evaluated
/// meanwhile, and its commit could land before an earlier one's, leaving an older state on disk than the one
/// an acknowledged answer reported (the state lost that batch's fixes after a restart), or a failed commit could
/// leave its batch evaluated in memory so that the client's retry was dropped as duplicates. A failed commit
/// puts the evaluator back to the state before the batch. Changes of fences and vehicles take the same turns.
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

    /// Whether a batch or a change holds the turn; the tasks waiting for it, first come first served.
    private var turnTaken = false
    private var waitingForTurn: [CheckedContinuation<Void, Never>] = []

    init(store: any FenceRepository, settings: FenceRuleSettings) async throws {
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

    /// Waits until no other batch or change is between its start and its commit, then holds the turn.
    private func takeTurn() async {
        guard turnTaken else {
            turnTaken = true
            return
        }
        await withCheckedContinuation { waitingForTurn.append($0) }
    }

    /// Hands the turn to the longest waiting task, if any.
    private func passTurn() {
        if waitingForTurn.isEmpty { turnTaken = false } else { waitingForTurn.removeFirst().resume() }
    }

    func list() -> [Fence] { fences.values.sorted { $0.id < $1.id } }

    func create(_ fence: Fence) async throws -> Fence {
        await takeTurn()
        defer { passTurn() }
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
        await takeTurn()
        defer { passTurn() }
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
        await takeTurn()
        defer { passTurn() }
        guard fences[id] != nil else { throw Self.notFound(id) }
        _ = try await persistence.deleteFence(id: id)
        fences[id] = nil
        rebuild()
    }

    func setRegistry(_ vehicles: [Vehicle]) async throws {
        await takeTurn()
        defer { passTurn() }
        let registry = VehicleRegistry(vehicles)
        try await persistence.repository.saveEvaluatorState(name: Self.registryName, body: try JSONEncoder().encode(registry))
        self.registry = registry
        rebuild()
    }

    /// Evaluates a batch, commits its events with the state after it, then tells stream subscribers. When the
    /// commit fails nothing of the batch remains, in memory or on disk, and the error is thrown.
    func ingest(_ positions: [VehiclePosition], flush: Bool) async throws -> (events: [FenceEvent], counters: FenceEvaluatorCounters) {
        await takeTurn()
        defer { passTurn() }
        let before = evaluator.state
        var events = evaluator.ingest(positions)
        // The batch's newest fix is the feed's clock: it releases the held fixes of vehicles gone quiet.
        if let newest = positions.map(\.time).max() { events += evaluator.advance(to: newest) }
        if flush { events += evaluator.flush() }
        do {
            try await persistence.save(events, state: evaluator.state, name: Self.stateName)
        } catch {
            // A retry of the batch must be evaluated afresh, not taken for duplicates of fixes never committed.
            evaluator = FenceEvaluator(index: evaluator.index, registry: registry, settings: settings, state: before)
            throw error
        }
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
