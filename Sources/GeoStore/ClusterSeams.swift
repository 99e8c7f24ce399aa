import Foundation
import GeoCore

/// A change committed to the store that in-memory copies (indexes, caches, key rings, event streams) must follow.
public enum StoreChange: Hashable, Sendable {
    /// A layer was imported, appended to, replaced or deleted.
    case layer(String)
    /// Fences were created, replaced or deleted: which ones is not known (a feed that reconnected), so a follower
    /// reloads them all.
    case fences
    /// The fence with this id was created, replaced or deleted: a follower reads that one fence.
    case fence(String)
    /// API keys were created or revoked.
    case keys
    /// Fence event snapshots were committed (an event opened, or closed), as stored: every replica's event streams
    /// show them, the replica that raised them included, each snapshot once.
    case events([StoredFenceEvent])
}

/// Changes pushed by the database as they are committed, by any process: how the replicas of a cluster follow
/// each other within a second without polling (PostgreSQL's LISTEN/NOTIFY). An embedded store that only one
/// process writes at a time has no push; its caches poll the catalogue (at most once a second).
public protocol StoreChangeFeed: Sendable {
    /// Every change committed from now on, or nil when the backend cannot push them.
    func changes() async throws(GeoError) -> AsyncStream<StoreChange>?
}

/// The saved evaluation state of one vehicle: an opaque body (GeoFences' `VehicleTrack`, JSON) and, for the
/// sweep of vehicles gone quiet, the time of the oldest fix it holds back for reordering.
@MemberwiseInit
public struct VehicleStateRow: Hashable, Sendable {
    public var body: Data
    /// The time of the oldest held fix, nil when none is held.
    public var pendingSince: Double?
}

/// What an evaluation under locked vehicle states returns to be committed with the fixes.
@MemberwiseInit
public struct LockedEvaluation: Sendable {
    /// The new state of every vehicle evaluated (vehicles absent keep their row).
    public var states: [String: VehicleStateRow]
    /// Events opened or closed, upserted by id.
    public var events: [StoredFenceEvent]
    /// Webhook deliveries of those events, enqueued in the same transaction.
    public var deliveries: [WebhookDelivery]
}

/// One event to post to one webhook URL.
@MemberwiseInit
public struct WebhookDelivery: Hashable, Sendable {
    public var eventId: String
    public var url: String
    /// The JSON body to post.
    public var body: String
}

/// A delivery claimed from the outbox by one dispatcher.
@MemberwiseInit
public struct ClaimedDelivery: Hashable, Sendable {
    public var id: Int64
    public var delivery: WebhookDelivery
    /// Attempts made before this one.
    public var attempts: Int
}

/// Fence evaluation for several servers over one database: each batch locks the state rows of its vehicles, so
/// that a vehicle's fixes are evaluated in order and exactly once across the cluster whichever replica received
/// them, while batches of different vehicles proceed in parallel.
public protocol VehicleStateStore: Sendable {
    /// In one transaction: locks the state rows of `vehicles` (a concurrent batch of the same vehicles waits for
    /// this one), reads them, calls `evaluate` with them (vehicles without a row are absent), then writes the
    /// states it returns, upserts its events, enqueues its deliveries and inserts `fixes` as track points (fixes
    /// already stored are skipped). Answers the insert result and the evaluation. Any failure commits nothing.
    func evaluateWithLockedStates(
        vehicles: [String], fixes: [TrackPoint], evaluate: @escaping @Sendable ([String: VehicleStateRow]) throws -> LockedEvaluation
    ) async throws -> (stored: TrackInsertResult, evaluation: LockedEvaluation)

    /// Vehicles holding fixes back since before `time`, oldest first, at most `limit`: those a sweep releases
    /// when their own clock has stopped (they went quiet).
    func vehiclesWithPendingFixes(before time: Double, limit: Int) async throws(GeoError) -> [String]
}

/// Webhook deliveries written with the events they announce, and handed out to one dispatcher at a time, so
/// that a cluster posts each event once (at least once across crashes; receivers deduplicate by event id).
public protocol WebhookOutbox: Sendable {
    /// Up to `limit` deliveries due at `now` that no live lease holds, leased to `owner` for `lease` seconds.
    func claimDeliveries(owner: String, limit: Int, now: Double, lease: Double) async throws(GeoError) -> [ClaimedDelivery]
    /// Removes a delivered one.
    func completeDelivery(id: Int64) async throws(GeoError)
    /// Releases a failed one for another attempt at `time`.
    func retryDelivery(id: Int64, at time: Double) async throws(GeoError)
}

/// The fence events with these ids (their last snapshot), for replicas that learn of them from the change feed.
public protocol FenceEventLookup: Sendable {
    func fenceEvents(ids: [String]) async throws(GeoError) -> [StoredFenceEvent]
}
