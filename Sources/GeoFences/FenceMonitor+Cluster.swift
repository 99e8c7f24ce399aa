import Foundation
import GeoCore
import GeoStore
import Synchronization

/// What cluster mode needs beyond a ``PositionStore``: per-vehicle states locked per batch, and the change feed.
public typealias ClusterPositionStore = PositionStore & VehicleStateStore & StoreChangeFeed

/// How a monitor works when several servers share the database.
@MemberwiseInit
public struct ClusterSettings: Sendable {
    /// The store, with its vehicle-state and change-feed seams.
    public var store: any ClusterPositionStore
    /// URLs every event is posted to, through the store's outbox (one delivery per event and URL for the whole
    /// cluster); empty for none.
    public var webhookURLs: [URL] = []
    /// The JSON body of an event's delivery (the server's `/v1/events` form).
    public var webhookBody: @Sendable (FenceEvent) -> String = { $0.id }
    /// Whether every replica learns of committed events from the store's change feed (PostgreSQL's
    /// LISTEN/NOTIFY), the replica that raised them included; when false, the replica that commits a batch tells
    /// its own subscribers (a store without a feed).
    public var eventsArriveByFeed: Bool
    /// How often quiet vehicles' held fixes are released.
    public var sweepInterval: Duration = .seconds(1)
}

extension FenceMonitor {
    /// Evaluates a batch under its vehicles' locked states and commits it with them: nothing of the evaluation is
    /// kept in memory, so any replica may take any vehicle's next batch. The counters are this batch's. `flush`
    /// (the end of a replay) releases the held fixes of every vehicle holding any, not only the batch's.
    func ingestUnderLockedStates(_ fixes: [TrackPoint], flush: Bool, cluster: ClusterSettings) async throws -> IngestResult {
        let newest = fixes.lazy.filter(\.isPlausible).map(\.time).max()
        if let newest { feedClock = max(feedClock, newest) }
        var vehicles = Set(fixes.map(\.vehicle))
        if flush { vehicles.formUnion(try await cluster.store.vehiclesWithPendingFixes(before: .infinity, limit: Self.flushLimit)) }
        let evaluation = batchEvaluation(cluster) { evaluator in
            var events = evaluator.ingest(fixes)
            if let newest { events += evaluator.advance(to: newest) }
            if flush { events += evaluator.flush() }
            return events
        }
        let (stored, _) = try await cluster.store.evaluateWithLockedStates(vehicles: vehicles.sorted(), fixes: fixes, evaluate: evaluation.run)
        let outcome = try evaluation.outcome()
        if !cluster.eventsArriveByFeed { publish(outcome.events) }
        return IngestResult(events: outcome.events, counters: outcome.counters, stored: stored)
    }

    /// Releases the held fixes of vehicles that went quiet: their own clock stopped, so the feed's clock (the
    /// newest fix this replica has seen) moves them on, as in single-process mode. Every replica sweeps; the row
    /// locks make a vehicle's release happen once.
    func sweepQuietVehicles() async throws {
        guard case .cluster(let cluster) = mode, feedClock.isFinite else { return }
        let clock = feedClock
        let quiet = try await cluster.store.vehiclesWithPendingFixes(before: clock - settings.reorderWindowSeconds, limit: 500)
        guard !quiet.isEmpty else { return }
        let evaluation = batchEvaluation(cluster) { evaluator in evaluator.advance(to: clock) }
        _ = try await cluster.store.evaluateWithLockedStates(vehicles: quiet, fixes: [], evaluate: evaluation.run)
        let outcome = try evaluation.outcome()
        if !cluster.eventsArriveByFeed { publish(outcome.events) }
    }

    /// Most vehicles one flush releases.
    static let flushLimit = 100_000

    func startSweeping(every interval: Duration) {
        sweeper = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                try? await self.sweepQuietVehicles()
            }
        }
    }

    /// Tells this replica's stream subscribers of events, in order.
    func publish(_ events: [FenceEvent]) {
        for event in events { for continuation in subscribers.values { continuation.yield(event) } }
    }

    /// Follows a change another replica (or this one) committed, as the store's feed reports it: events go to the
    /// stream subscribers, fence and registry changes are taken in at once.
    public func apply(_ change: StoreChange) async throws {
        switch change {
        case .events(let snapshots):
            publish(try snapshots.map { try FencePersistence.event(from: $0) })
        case .fences:
            try await refreshIfStoredElsewhere(now: true)
        case .fence(let id):
            try await followStoredFence(id: id)
        case .layer, .keys:
            break
        }
    }

    /// The evaluation of one batch against this replica's fences and registry, as the closure the store runs
    /// inside its transaction.
    private func batchEvaluation(
        _ cluster: ClusterSettings, _ body: @escaping @Sendable (inout FenceEvaluator) -> [FenceEvent]
    ) -> LockedBatchEvaluation {
        LockedBatchEvaluation(index: evaluator.index, registry: registry, settings: settings, cluster: cluster, body: body)
    }
}

/// One batch's evaluation under locked states: decodes the vehicles' rows into an evaluator, runs the batch,
/// encodes the rows back with the events and their webhook deliveries. Run by the store inside its transaction,
/// on whatever thread that is (the monitor's actor is not involved), possibly more than once if the database
/// retries the transaction: the outcome kept is the last run's, the one committed.
@MemberwiseInit
final class LockedBatchEvaluation: Sendable {
    private let index: LiveFenceIndex
    private let registry: VehicleRegistry?
    private let settings: FenceRuleSettings
    private let cluster: ClusterSettings
    private let body: @Sendable (inout FenceEvaluator) -> [FenceEvent]
    private let lastRun = Mutex<Outcome?>(nil)

    /// What the evaluation found: the events in order and the batch's counters.
    struct Outcome: Sendable {
        var events: [FenceEvent]
        var counters: FenceEvaluatorCounters
    }

    /// The store's callback: the locked rows in; every evaluated vehicle's new row, the events and their
    /// deliveries out.
    var run: @Sendable ([String: VehicleStateRow]) throws -> LockedEvaluation {
        { [self] rows in
            let decoder = JSONDecoder()
            var state = FenceEvaluatorState()
            for (vehicle, row) in rows { state.vehicles[vehicle] = try decoder.decode(VehicleTrack.self, from: row.body) }
            var evaluator = FenceEvaluator(index: index, registry: registry, settings: settings, state: state)
            let events = body(&evaluator)
            var states: [String: VehicleStateRow] = [:]
            let encoder = JSONEncoder()
            for (vehicle, track) in evaluator.state.vehicles {
                states[vehicle] = VehicleStateRow(body: try encoder.encode(track), pendingSince: track.pending.first?.time)
            }
            let deliveries = events.flatMap { event in
                cluster.webhookURLs.map { WebhookDelivery(eventId: event.id, url: $0.absoluteString, body: cluster.webhookBody(event)) }
            }
            lastRun.withLock { $0 = Outcome(events: events, counters: evaluator.state.counters) }
            return LockedEvaluation(states: states, events: try FencePersistence.rows(events), deliveries: deliveries)
        }
    }

    /// The outcome of the run the store committed.
    func outcome() throws -> Outcome {
        guard let outcome = lastRun.withLock({ $0 }) else {
            throw GeoError(code: .internalError, message: "the store committed a batch without evaluating it")
        }
        return outcome
    }
}
