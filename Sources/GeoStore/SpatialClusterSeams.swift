import Foundation
import GeoCore
internal import GRDB

/// The cluster seams on SpatiaLite: one file written by one process at a time, so no change feed (caches poll the
/// catalogue), and vehicle states, the webhook outbox and event lookups on plain tables (migration
/// `v6_vehicle_states_outbox`). They let the cluster code run, and be tested, over an embedded store as well.
extension SpatialStore: StoreChangeFeed, VehicleStateStore, WebhookOutbox, FenceEventLookup {
    public func changes() async throws(GeoError) -> AsyncStream<StoreChange>? { nil }

    public func evaluateWithLockedStates(
        vehicles: [String], fixes: [TrackPoint], evaluate: @escaping @Sendable ([String: VehicleStateRow]) throws -> LockedEvaluation
    ) async throws -> (stored: TrackInsertResult, evaluation: LockedEvaluation) {
        try TrackPointCheck.validate(fixes)
        let now = TimeText.format(Date().timeIntervalSince1970, utcOffset: 0, fractionalDigits: 3)
        // The write transaction is the lock: SQLite has one writer at a time. The evaluation's own errors reach the
        // caller as they are; the database's become GeoErrors.
        return try await writePassingErrors { db in
            var rows: [String: VehicleStateRow] = [:]
            let select = try db.cachedStatement(sql: "SELECT body, pending_since FROM fence_vehicle_states WHERE vehicle = ?")
            for vehicle in Set(vehicles) {
                if let row = try Row.fetchOne(select, arguments: [vehicle]) {
                    rows[vehicle] = VehicleStateRow(body: row["body"], pendingSince: row["pending_since"])
                }
            }
            let evaluation = try evaluate(rows)
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO fence_vehicle_states (vehicle, body, pending_since, saved_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (vehicle) DO UPDATE SET body = excluded.body, pending_since = excluded.pending_since,
                    saved_at = excluded.saved_at
                """)
            for (vehicle, state) in evaluation.states {
                try upsert.execute(arguments: [vehicle, state.body, state.pendingSince, now])
            }
            try Self.upsertFenceEvents(evaluation.events, db)
            try Self.enqueue(evaluation.deliveries, db)
            let stored = try TrackTables.insert(fixes, db)
            return (stored, evaluation)
        }
    }

    /// ``write(_:)`` for transactions that run caller code: errors other than the database's pass through as thrown.
    private func writePassingErrors<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.write(body)
        } catch let error as DatabaseError {
            throw GeoError.store(error, "database write failed")
        }
    }

    public func vehiclesWithPendingFixes(before time: Double, limit: Int) async throws(GeoError) -> [String] {
        try await read { db in
            try String.fetchAll(
                db, sql: "SELECT vehicle FROM fence_vehicle_states WHERE pending_since < ? ORDER BY pending_since, vehicle LIMIT ?",
                arguments: [time, max(0, limit)])
        }
    }

    static func enqueue(_ deliveries: [WebhookDelivery], _ db: Database) throws {
        guard !deliveries.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO webhook_outbox (event_id, url, body, attempts, due_at) VALUES (?, ?, ?, 0, 0)
            ON CONFLICT (event_id, url) DO UPDATE SET body = excluded.body
            """)
        for delivery in deliveries { try insert.execute(arguments: [delivery.eventId, delivery.url, delivery.body]) }
    }

    public func claimDeliveries(owner: String, limit: Int, now: Double, lease: Double) async throws(GeoError) -> [ClaimedDelivery] {
        try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, event_id, url, body, attempts FROM webhook_outbox
                    WHERE due_at <= ? AND (leased_until IS NULL OR leased_until < ?) ORDER BY id LIMIT ?
                    """,
                arguments: [now, now, max(0, limit)])
            let take = try db.cachedStatement(sql: "UPDATE webhook_outbox SET leased_by = ?, leased_until = ? WHERE id = ?")
            return try rows.map { row in
                let id: Int64 = row["id"]
                try take.execute(arguments: [owner, now + lease, id])
                return ClaimedDelivery(
                    id: id, delivery: WebhookDelivery(eventId: row["event_id"], url: row["url"], body: row["body"]), attempts: row["attempts"])
            }
        }
    }

    public func completeDelivery(id: Int64) async throws(GeoError) {
        try await write { db in try db.execute(sql: "DELETE FROM webhook_outbox WHERE id = ?", arguments: [id]) }
    }

    public func retryDelivery(id: Int64, at time: Double) async throws(GeoError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE webhook_outbox SET attempts = attempts + 1, due_at = ?, leased_by = NULL, leased_until = NULL WHERE id = ?",
                arguments: [time, id])
        }
    }

    public func fenceEvents(ids: [String]) async throws(GeoError) -> [StoredFenceEvent] {
        guard !ids.isEmpty else { return [] }
        return try await read { db in
            let select = try db.cachedStatement(sql: "SELECT * FROM fence_events WHERE id = ?")
            return try ids.compactMap { id in try Row.fetchOne(select, arguments: [id]).map(FenceEventRows.event(from:)) }
        }
    }
}

/// The schema of the cluster seams (migration `v6_vehicle_states_outbox`).
enum ClusterTables {
    static let createSQL = """
        -- One evaluation state per vehicle, locked by the batch that evaluates its fixes.
        CREATE TABLE fence_vehicle_states (
            vehicle TEXT NOT NULL PRIMARY KEY,
            body BLOB NOT NULL,
            -- the time of the oldest fix held back for reordering; NULL when none is
            pending_since REAL,
            saved_at TEXT NOT NULL
        );
        CREATE INDEX fence_vehicle_states_pending ON fence_vehicle_states (pending_since) WHERE pending_since IS NOT NULL;
        -- Webhook deliveries written with their events; one dispatcher leases each.
        CREATE TABLE webhook_outbox (
            id INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL,
            url TEXT NOT NULL,
            body TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            due_at REAL NOT NULL,
            leased_by TEXT,
            leased_until REAL,
            UNIQUE (event_id, url)
        );
        """
}
