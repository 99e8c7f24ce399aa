import Foundation
import GeoCore
import GeoStore

/// The live fence monitor: the fences, the vehicle registry and one evaluator behind an actor, fed by position
/// batches from any number of connections (the server) or a command-line tool.
///
/// **One ingest.** A batch of fixes is evaluated against the fences and committed with the events it raised, the
/// evaluator state after it and the fixes themselves as track points, in one transaction
/// (``PositionStore/commitEvaluatedFixes(_:events:evaluatorState:name:)``): a position is posted once, and what the
/// caller was told is on disk. A crash leaves the state of some batch boundary with exactly the events and fixes up
/// to it.
///
/// **Ordering and group commit.** Batches are evaluated one at a time in arrival order and committed in groups:
/// while one commit is written, the batches evaluated meanwhile wait and go to disk together in the next, with the
/// state after the last of them (one transaction, one sync, for many small batches). Commits never overlap, so the
/// state on disk only moves forward. A failed commit undoes everything evaluated since the last commit (the
/// evaluator goes back to the committed state) and fails those batches, so that a client's retry is evaluated
/// afresh instead of being dropped as duplicates. Changes of fences and vehicles wait for the commits in flight and
/// hold back new batches until they are done (the turn).
///
/// **Other writers.** Fences another process stored (`citygeo fence import`) are noticed from a cheap revision
/// (count and version sum) read at most once per `checkInterval`, and taken in before the next batch.
///
/// **Changes.** A fence created, replaced or deleted changes the ``LiveFenceIndex`` by one fence instead of
/// rebuilding it.
///
/// **Its own thread.** Evaluation is synchronous CPU work (about a microsecond a fix), so the actor runs on a
/// ``SerialThreadExecutor`` of its own: a 100,000-fix upload never holds an I/O event loop.
///
/// **Several servers.** In cluster mode (``Mode/cluster(_:)``, for several `citygeo serve` over one PostGIS
/// database) there is no state in memory: each batch locks its vehicles' saved states in the database, is evaluated
/// against them and committed with them (``VehicleStateStore``), so a vehicle's fixes are evaluated in order and
/// exactly once whichever replica received them; events reach every replica's subscribers through the store's
/// change feed, and webhook deliveries go through the store's outbox (FenceMonitor+Cluster.swift).
///
/// Errors are ``GeoError``s: `fence_exists`, `not_found` (a fence id), the store's, and the fence validation's.
public actor FenceMonitor {
    private let executor = SerialThreadExecutor(name: "citygeo-fence-monitor")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// The name the evaluator state is saved under.
    public static let stateName = "server"
    /// The name the vehicle registry is saved under.
    public static let registryName = "vehicle_registry"

    let store: any PositionStore
    let persistence: FencePersistence
    /// The rules' thresholds.
    public let settings: FenceRuleSettings
    private let checkInterval: Duration
    /// How batches are evaluated and committed.
    public let mode: Mode

    /// The fences, the registry and, in single-process mode, the live state. In cluster mode its state stays empty:
    /// states live in the database, one row per vehicle.
    var evaluator: FenceEvaluator
    /// Known vehicles; nil when none were registered.
    public private(set) var registry: VehicleRegistry?
    var subscribers: [UUID: AsyncStream<FenceEvent>.Continuation] = [:]
    /// Cluster mode: the newest fix time this replica has seen, the clock that releases quiet vehicles' held fixes.
    var feedClock = -Double.infinity
    /// Cluster mode: the task sweeping vehicles gone quiet.
    var sweeper: Task<Void, Never>?
    /// Bumped on every change of fences or vehicles: the revision of anything drawn from the fences (tiles).
    public private(set) var changeCount: Int64 = 1

    /// Whether a batch or a change holds the turn; the tasks waiting for it, first come first served.
    private var turnTaken = false
    private var waitingForTurn: [CheckedContinuation<Void, Never>] = []
    /// The evaluator state last committed: where a failed commit goes back to.
    private var committedState: FenceEvaluatorState
    /// Batches evaluated but not yet committed, in order: their fixes, events and whom to tell.
    private var uncommitted: [PendingBatch] = []
    /// Whether the commit loop runs; changes waiting for it to finish.
    private var committing = false
    private var waitingForCommits: [CheckedContinuation<Void, Never>] = []
    /// The stored fences as last seen, and when the store was last asked.
    private var knownRevision: FenceRevision
    private var lastRevisionCheck = ContinuousClock.now

    private struct PendingBatch {
        var fixes: [TrackPoint]
        var events: [FenceEvent]
        var done: CheckedContinuation<TrackInsertResult, any Error>
    }

    /// How a monitor evaluates and commits batches.
    public enum Mode: Sendable {
        /// One process owns the evaluator state, in memory, saved with every group commit.
        case singleProcess
        /// Several processes share the database: states are rows locked per batch (see ``ClusterSettings``).
        case cluster(ClusterSettings)
    }

    /// A monitor over the fences, registry and evaluator state found in `store`.
    public init(
        store: any PositionStore, settings: FenceRuleSettings = .init(), checkInterval: Duration = .seconds(1),
        mode: Mode = .singleProcess
    ) async throws {
        self.store = store
        persistence = FencePersistence(store)
        self.settings = settings
        self.checkInterval = checkInterval
        self.mode = mode
        knownRevision = try await store.fenceRevision()
        let loaded = try await persistence.fences()
        if let data = try await store.evaluatorState(name: Self.registryName) {
            registry = try JSONDecoder().decode(VehicleRegistry.self, from: data)
        }
        let state: FenceEvaluatorState
        if case .singleProcess = mode {
            state = try await persistence.state(name: Self.stateName) ?? FenceEvaluatorState()
        } else {
            state = FenceEvaluatorState()
        }
        evaluator = FenceEvaluator(fences: loaded, registry: registry, settings: settings, state: state)
        committedState = state
        if case .cluster(let cluster) = mode { startSweeping(every: cluster.sweepInterval) }
    }

    deinit { sweeper?.cancel() }

    // MARK: fences and vehicles

    /// Every fence in force, by id.
    public func fences() async throws -> [Fence] {
        try await refreshIfStoredElsewhere()
        return evaluator.index.liveFences.sorted { $0.id < $1.id }
    }

    /// The fence `id`, nil when there is none.
    public func fence(id: String) async throws -> Fence? {
        try await refreshIfStoredElsewhere()
        return current(id)
    }

    /// The fence `id` in force now, without looking at the store.
    private func current(_ id: String) -> Fence? {
        evaluator.index.positionById[id].map { evaluator.index.fences[$0] }
    }

    /// Stores a new fence (version 1) and evaluates it from the next batch on; `fence_exists` when the id is taken.
    public func create(_ fence: Fence) async throws -> Fence {
        try await refreshIfStoredElsewhere()
        await takeTurnWhenCommitted()
        defer { passTurn() }
        // Another replica may have stored it since this one last looked.
        let storedElsewhere = if case .cluster = mode { try await persistence.fence(id: fence.id) != nil } else { false }
        guard evaluator.index.positionById[fence.id] == nil, !storedElsewhere else {
            throw GeoError(
                code: .fenceExists, message: "fence \(fence.id) exists; PUT /v1/fences/\(fence.id) replaces it", location: "properties.id")
        }
        var fence = fence
        fence.version = 1
        try await persistence.save(fence)
        adjustKnownRevision(fences: 1, versions: 1)
        change(evaluator.index.upserting(fence))
        return fence
    }

    /// Replaces the fence `id`; its version becomes one more than the stored one. `not_found` when there is none.
    public func replace(id: String, with fence: Fence) async throws -> Fence {
        try await refreshIfStoredElsewhere()
        await takeTurnWhenCommitted()
        defer { passTurn() }
        guard let old = current(id) else { throw Self.notFound(id) }
        var fence = fence
        fence.id = id
        fence.version = old.version + 1
        try await persistence.save(fence)
        adjustKnownRevision(fences: 0, versions: fence.version - old.version)
        change(evaluator.index.upserting(fence))
        return fence
    }

    /// Deletes the fence `id`; `not_found` when there is none.
    public func delete(id: String) async throws {
        try await refreshIfStoredElsewhere()
        await takeTurnWhenCommitted()
        defer { passTurn() }
        guard let old = current(id) else { throw Self.notFound(id) }
        _ = try await persistence.deleteFence(id: id)
        adjustKnownRevision(fences: -1, versions: -old.version)
        change(evaluator.index.removing(id: id))
    }

    /// Replaces the vehicle registry (classes and groups the fences' rules select by).
    public func setRegistry(_ vehicles: [Vehicle]) async throws {
        await takeTurnWhenCommitted()
        defer { passTurn() }
        let registry = VehicleRegistry(vehicles)
        try await store.saveEvaluatorState(name: Self.registryName, body: try JSONEncoder().encode(registry))
        self.registry = registry
        change(evaluator.index)
    }

    /// The evaluator over `index`, keeping the state (it is keyed by fence id).
    func change(_ index: LiveFenceIndex) {
        changeCount += 1
        evaluator = FenceEvaluator(index: index, registry: registry, settings: settings, state: evaluator.state)
    }

    static func notFound(_ id: String) -> GeoError {
        GeoError(code: .notFound, message: "no fence \(id)", location: "id")
    }

    // MARK: positions

    /// What one batch did.
    public struct IngestResult: Sendable {
        /// Events the batch opened or closed, in order.
        public var events: [FenceEvent]
        /// The evaluator's totals right after the batch.
        public var counters: FenceEvaluatorCounters
        /// Fixes stored as track points, and those already stored.
        public var stored: TrackInsertResult
    }

    /// Evaluates a batch and answers once its fixes, its events and a state including it are committed, then tells
    /// stream subscribers. When the commit fails nothing of the batch remains, in memory or on disk, and the error
    /// is thrown. `flush` closes every open event (the end of a replay).
    public func ingest(_ fixes: [TrackPoint], flush: Bool = false) async throws -> IngestResult {
        try await refreshIfStoredElsewhere()
        if case .cluster(let cluster) = mode { return try await ingestUnderLockedStates(fixes, flush: flush, cluster: cluster) }
        await takeTurn()
        var events = evaluator.ingest(fixes)
        // The batch's newest fix is the feed's clock: it releases the held fixes of vehicles gone quiet.
        if let newest = fixes.map(\.time).max() { events += evaluator.advance(to: newest) }
        if flush { events += evaluator.flush() }
        let counters = evaluator.state.counters
        passTurn()
        let raised = events
        let stored = try await withCheckedThrowingContinuation { (done: CheckedContinuation<TrackInsertResult, any Error>) in
            uncommitted.append(PendingBatch(fixes: fixes, events: raised, done: done))
            if !committing {
                committing = true
                Task { await self.commitLoop() }
            }
        }
        return IngestResult(events: events, counters: counters, stored: stored)
    }

    /// A stream of every event raised from now on, until the consumer goes away.
    public func subscribe() -> AsyncStream<FenceEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<FenceEvent>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        subscribers[id] = continuation
        return stream
    }

    private func unsubscribe(_ id: UUID) { subscribers[id] = nil }

    /// How many subscriptions are live: each ends when its consumer stops iterating (a stream's client went away).
    public var subscriptionCount: Int { subscribers.count }

    /// Stored events (their last snapshot), by start time then id.
    public func events(matching query: FenceEventQuery) async throws -> [FenceEvent] {
        try await persistence.events(matching: query)
    }

    // MARK: turn and commits

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
    /// vehicles, which make a new evaluator from the state.
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
                let results = try await store.commitEvaluatedFixes(
                    group.map(\.fixes), events: try FencePersistence.rows(events), evaluatorState: try FencePersistence.body(of: state),
                    name: Self.stateName)
                committedState = state
                for (batch, result) in zip(group, results) { batch.done.resume(returning: result) }
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

    // MARK: other writers

    /// Takes in fences another process stored since the last look (at most once per `checkInterval`, or at once
    /// when `force`: a replica told of a change by the store's feed); they are evaluated from the next batch on.
    /// Reads the revision before the fences, so a fence stored in between is taken in now or at the next look. In
    /// cluster mode the vehicle registry another replica may have replaced is read too.
    func refreshIfStoredElsewhere(now force: Bool = false) async throws {
        let now = ContinuousClock.now
        guard force || now - lastRevisionCheck >= checkInterval else { return }
        lastRevisionCheck = now
        let registryChanged = try await registryStoredElsewhere()
        guard try await store.fenceRevision() != knownRevision || registryChanged != nil else { return }
        await takeTurnWhenCommitted()
        defer { passTurn() }
        let revision = try await store.fenceRevision()
        let loaded = try await persistence.fences()
        knownRevision = revision
        if let registryChanged { registry = registryChanged }
        change(LiveFenceIndex(loaded, reach: FenceEvaluator.reach(for: settings)))
    }

    /// Cluster mode: the stored registry when it differs from this replica's, else nil.
    private func registryStoredElsewhere() async throws -> VehicleRegistry? {
        guard case .cluster = mode, let data = try await store.evaluatorState(name: Self.registryName) else { return nil }
        let stored = try JSONDecoder().decode(VehicleRegistry.self, from: data)
        return stored == registry ? nil : stored
    }

    /// After one of our own changes: the revision it moves the stored fences to, so that it is not taken for
    /// another process's. Derived, not read back: a read would also swallow a change another process made since
    /// the last look.
    /// Takes in the stored state of one fence that some process changed: the fence replaces this replica's copy,
    /// or its copy goes when it is no longer stored; nothing happens when the copy is already the stored version
    /// (this replica's own change, announced back by the feed). One fence read, however many fences there are.
    func followStoredFence(id: String) async throws {
        await takeTurnWhenCommitted()
        defer { passTurn() }
        let stored = try await persistence.fence(id: id)
        let held = current(id)
        switch (held, stored) {
        case (nil, nil):
            return
        case (let held?, nil):
            adjustKnownRevision(fences: -1, versions: -held.version)
            change(evaluator.index.removing(id: id))
        case (let held, let stored?):
            guard held?.version != stored.version else { return }
            adjustKnownRevision(fences: held == nil ? 1 : 0, versions: stored.version - (held?.version ?? 0))
            change(evaluator.index.upserting(stored))
        }
    }

    private func adjustKnownRevision(fences countChange: Int, versions versionChange: Int) {
        knownRevision.count += countChange
        knownRevision.versionSum += versionChange
    }
}
