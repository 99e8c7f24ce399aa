import Foundation
import GeoCore
import GeoFences
import GeoStore
import GeoTiles

/// The server's one fence evaluator and the fences it evaluates, behind an actor: positions from many
/// connections are evaluated one batch at a time, and the evaluator (a value type with scratch buffers) never
/// crosses tasks.
///
/// Durability: a batch is answered only once its events (upserted by id) and an evaluator state that includes it
/// (under ``stateName``) are committed in one transaction, so what a client was told is on disk, and a crash
/// leaves the state of some batch boundary with exactly the events raised up to it.
///
/// Batches are evaluated one at a time in arrival order and committed in groups: while one commit is being
/// written, the batches evaluated meanwhile wait and go to disk together in the next one, with the state after
/// the last of them (one transaction, one sync, for many small batches). Commits never overlap, so the state on
/// disk only moves forward. A failed commit undoes everything evaluated since the last commit (the evaluator
/// goes back to the committed state) and fails those batches, so that a client's retry is evaluated afresh
/// instead of being dropped as duplicates. Changes of fences and vehicles wait for the commits in flight and
/// hold back new batches until they are done (the turn).
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
    /// The evaluator state last committed: where a failed commit goes back to.
    private var committedState: FenceEvaluatorState
    /// Batches evaluated but not yet committed, in order: their events and whom to tell.
    private var uncommitted: [(events: [FenceEvent], done: CheckedContinuation<Void, any Error>)] = []
    /// Whether the commit loop runs; changes waiting for it to finish.
    private var committing = false
    private var waitingForCommits: [CheckedContinuation<Void, Never>] = []
    /// The stored fences as last seen (``FenceRepository/fenceRevision()``), and when the store was last asked:
    /// fences another process stored (`citygeo fence import`) are taken in at most `checkInterval` later.
    private var knownRevision: FenceRevision
    private var lastRevisionCheck = ContinuousClock.now
    let checkInterval: Duration

    init(store: any FenceRepository, settings: FenceRuleSettings, checkInterval: Duration = .seconds(1)) async throws {
        persistence = FencePersistence(store)
        self.settings = settings
        self.checkInterval = checkInterval
        knownRevision = try await store.fenceRevision()
        let loaded = try await persistence.fences()
        fences = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id, $0) })
        if let data = try await store.evaluatorState(name: Self.registryName) {
            registry = try JSONDecoder().decode(VehicleRegistry.self, from: data)
        }
        let state = try await persistence.state(name: Self.stateName) ?? FenceEvaluatorState()
        evaluator = FenceEvaluator(fences: loaded, registry: registry, settings: settings, state: state)
        committedState = state
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

    /// Takes the turn and waits until every evaluated batch is committed (or failed): for changes of fences and
    /// vehicles, which rebuild the evaluator from its state.
    private func takeTurnWhenCommitted() async {
        await takeTurn()
        while committing { await withCheckedContinuation { waitingForCommits.append($0) } }
    }

    /// Commits the uncommitted batches, in groups, until none is left.
    private func commitLoop() async {
        while !uncommitted.isEmpty {
            let group = uncommitted
            uncommitted = []
            // Every batch evaluated so far is in the group: the evaluator's state is the one after its last.
            let state = evaluator.state
            let events = group.flatMap(\.events)
            do {
                try await persistence.save(events, state: state, name: Self.stateName)
                committedState = state
                for batch in group { batch.done.resume() }
                for event in events { for continuation in subscribers.values { continuation.yield(event) } }
            } catch {
                // Undo this group and whatever was evaluated on top of it while it was being written.
                evaluator = FenceEvaluator(index: evaluator.index, registry: registry, settings: settings, state: committedState)
                let failed = group + uncommitted
                uncommitted = []
                for batch in failed { batch.done.resume(throwing: error) }
            }
        }
        committing = false
        let waiting = waitingForCommits
        waitingForCommits = []
        for continuation in waiting { continuation.resume() }
    }

    /// Takes in fences another process stored since the last look (at most once per `checkInterval`); they are
    /// evaluated from the next batch on. Reads the revision before the fences, so a fence stored in between is
    /// taken in now or at the next look.
    private func refreshIfStoredElsewhere() async throws {
        let now = ContinuousClock.now
        guard now - lastRevisionCheck >= checkInterval else { return }
        lastRevisionCheck = now
        guard try await persistence.repository.fenceRevision() != knownRevision else { return }
        await takeTurnWhenCommitted()
        defer { passTurn() }
        let revision = try await persistence.repository.fenceRevision()
        let loaded = try await persistence.fences()
        fences = Dictionary(uniqueKeysWithValues: loaded.map { ($0.id, $0) })
        knownRevision = revision
        rebuild()
    }

    /// After one of our own changes: the revision it moves the stored fences to, so that it is not taken for
    /// another process's. Derived, not read back: a read would also swallow a change another process made since
    /// the last look.
    private func noteOwnChange(fences countChange: Int, versions versionChange: Int) {
        knownRevision.count += countChange
        knownRevision.versionSum += versionChange
    }

    func list() async throws -> [Fence] {
        try await refreshIfStoredElsewhere()
        return fences.values.sorted { $0.id < $1.id }
    }

    func fence(id: String) async throws -> Fence? {
        try await refreshIfStoredElsewhere()
        return fences[id]
    }

    func create(_ fence: Fence) async throws -> Fence {
        try await refreshIfStoredElsewhere()
        await takeTurnWhenCommitted()
        defer { passTurn() }
        guard fences[fence.id] == nil else {
            throw APIError(code: .fenceExists, message: "fence \(fence.id) exists; PUT /v1/fences/\(fence.id) replaces it", details: ["field": "properties.id"])
        }
        var fence = fence
        fence.version = 1
        try await persistence.save(fence)
        noteOwnChange(fences: 1, versions: 1)
        fences[fence.id] = fence
        rebuild()
        return fence
    }

    /// Replaces a fence; its version becomes one more than the stored one.
    func replace(id: String, with fence: Fence) async throws -> Fence {
        try await refreshIfStoredElsewhere()
        await takeTurnWhenCommitted()
        defer { passTurn() }
        guard let old = fences[id] else { throw Self.notFound(id) }
        var fence = fence
        fence.id = id
        fence.version = old.version + 1
        try await persistence.save(fence)
        noteOwnChange(fences: 0, versions: fence.version - old.version)
        fences[id] = fence
        rebuild()
        return fence
    }

    func delete(id: String) async throws {
        try await refreshIfStoredElsewhere()
        await takeTurnWhenCommitted()
        defer { passTurn() }
        guard let old = fences[id] else { throw Self.notFound(id) }
        _ = try await persistence.deleteFence(id: id)
        noteOwnChange(fences: -1, versions: -old.version)
        fences[id] = nil
        rebuild()
    }

    func setRegistry(_ vehicles: [Vehicle]) async throws {
        await takeTurnWhenCommitted()
        defer { passTurn() }
        let registry = VehicleRegistry(vehicles)
        try await persistence.repository.saveEvaluatorState(name: Self.registryName, body: try JSONEncoder().encode(registry))
        self.registry = registry
        rebuild()
    }

    /// Evaluates a batch and answers once its events and a state including it are committed, then tells stream
    /// subscribers. When the commit fails nothing of the batch remains, in memory or on disk, and the error is
    /// thrown. The counters are those right after the batch.
    func ingest(_ positions: [TrackPoint], flush: Bool) async throws -> (events: [FenceEvent], counters: FenceEvaluatorCounters) {
        try await refreshIfStoredElsewhere()
        await takeTurn()
        var events = evaluator.ingest(positions)
        // The batch's newest fix is the feed's clock: it releases the held fixes of vehicles gone quiet.
        if let newest = positions.map(\.time).max() { events += evaluator.advance(to: newest) }
        if flush { events += evaluator.flush() }
        let counters = evaluator.state.counters
        passTurn()
        let raised = events
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            uncommitted.append((raised, done))
            if !committing {
                committing = true
                Task { await self.commitLoop() }
            }
        }
        return (events, counters)
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
        APIError(code: .notFound, message: "no fence \(id)", details: ["field": "id"])
    }

    /// The fences as a tile source (`/tiles/fences/…`), indexed once per change.
    func tileSource() -> FeatureSetSource {
        if let cached = tileSourceCache, cached.revisionValue == changeCount { return cached }
        let source = FeatureSetSource(
            id: "fences", layer: "fences", features: fences.values.sorted { $0.id < $1.id }.map(\.feature), revision: changeCount)
        tileSourceCache = source
        return source
    }
}
