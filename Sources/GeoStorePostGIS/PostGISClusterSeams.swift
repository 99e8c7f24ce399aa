import Foundation
import GeoCore
import GeoStore
import Logging
internal import PostgresNIO

/// The seams several servers share one database through (migration `v6_vehicle_states_outbox`): vehicle states
/// locked per batch, the leased webhook outbox and events by id. The change feed is in PostGISChangeFeed.swift.
extension PostGISStore: VehicleStateStore, WebhookOutbox, FenceEventLookup {
    /// In one transaction: inserts a state row for every vehicle of the batch that has none (`ON CONFLICT DO
    /// NOTHING`: two replicas never both treat a vehicle as new), locks the rows with `SELECT … FOR UPDATE` in vehicle
    /// order (two batches sharing vehicles lock them in the same order, so they wait rather than deadlock), calls
    /// `evaluate` with those that hold a state, then writes the new states, the events, the deliveries and the fixes.
    public func evaluateWithLockedStates(
        vehicles: [String], fixes: [TrackPoint], evaluate: @escaping @Sendable ([String: VehicleStateRow]) throws -> LockedEvaluation
    ) async throws -> (stored: TrackInsertResult, evaluation: LockedEvaluation) {
        try TrackPointCheck.validate(fixes)
        let sorted = Set(vehicles).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        do {
            return try await transactionPassingErrors { connection in
                var rows: [String: VehicleStateRow] = [:]
                if !sorted.isEmpty {
                    try await connection.run(
                        """
                        INSERT INTO fence_vehicle_states (vehicle)
                        SELECT vehicle FROM unnest(\(sorted)) AS batch (vehicle) ORDER BY vehicle
                        ON CONFLICT DO NOTHING
                        """, logger: logger)
                    let locked = try await connection.query(
                        """
                        SELECT vehicle, body, pending_since FROM fence_vehicle_states
                        WHERE vehicle = ANY(\(sorted)) ORDER BY vehicle FOR UPDATE
                        """, logger: logger)
                    for try await (vehicle, body, pending) in locked.decode((String, Data?, Double?).self) {
                        if let body { rows[vehicle] = VehicleStateRow(body: body, pendingSince: pending) }
                    }
                }
                let evaluation = try evaluate(rows)
                try await PostGISClusterRows.saveStates(evaluation.states, connection, logger: logger)
                try await PostGISFenceRows.upsert(evaluation.events, connection, logger: logger)
                try await PostGISClusterRows.enqueue(evaluation.deliveries, connection, logger: logger)
                let stored = try await TrackPartitions.insert(fixes, connection, logger: logger)
                return (stored, evaluation)
            }
        } catch let error as PSQLError {
            throw PostGISErrors.geoError(error, "cannot evaluate a batch of fixes")
        }
    }

    public func vehiclesWithPendingFixes(before time: Double, limit: Int) async throws(GeoError) -> [String] {
        try await withConnection("cannot list vehicles holding fixes") { connection in
            var vehicles: [String] = []
            let rows = try await connection.query(
                """
                SELECT vehicle FROM fence_vehicle_states WHERE pending_since < \(time)
                ORDER BY pending_since, vehicle LIMIT \(Int64(max(0, limit)))
                """, logger: logger)
            for try await vehicle in rows.decode(String.self) { vehicles.append(vehicle) }
            return vehicles
        }
    }

    /// Leases due deliveries that no live lease holds; rows another dispatcher is claiming at this instant are
    /// skipped (`FOR UPDATE SKIP LOCKED`), so concurrent claims never hand out one delivery twice.
    public func claimDeliveries(owner: String, limit: Int, now: Double, lease: Double) async throws(GeoError) -> [ClaimedDelivery] {
        try await withConnection("cannot claim webhook deliveries") { connection in
            var claimed: [ClaimedDelivery] = []
            let rows = try await connection.query(
                """
                UPDATE webhook_outbox SET leased_by = \(owner), leased_until = \(now + lease)
                WHERE id IN (
                    SELECT id FROM webhook_outbox
                    WHERE due_at <= \(now) AND (leased_until IS NULL OR leased_until < \(now))
                    ORDER BY id LIMIT \(Int64(max(0, limit))) FOR UPDATE SKIP LOCKED)
                RETURNING id, event_id, url, body, attempts
                """, logger: logger)
            for try await (id, eventID, url, body, attempts) in rows.decode((Int64, String, String, String, Int32).self) {
                claimed.append(ClaimedDelivery(id: id, delivery: WebhookDelivery(eventId: eventID, url: url, body: body), attempts: Int(attempts)))
            }
            return claimed.sorted { $0.id < $1.id }
        }
    }

    public func completeDelivery(id: Int64) async throws(GeoError) {
        try await withConnection("cannot complete webhook delivery \(id)") { connection in
            try await connection.run("DELETE FROM webhook_outbox WHERE id = \(id)", logger: logger)
        }
    }

    public func retryDelivery(id: Int64, at time: Double) async throws(GeoError) {
        try await withConnection("cannot reschedule webhook delivery \(id)") { connection in
            try await connection.run(
                """
                UPDATE webhook_outbox SET attempts = attempts + 1, due_at = \(time), leased_by = NULL, leased_until = NULL
                WHERE id = \(id)
                """, logger: logger)
        }
    }

    /// The events with these ids, in the order asked (ids not stored are left out).
    public func fenceEvents(ids: [String]) async throws(GeoError) -> [StoredFenceEvent] {
        guard !ids.isEmpty else { return [] }
        return try await withConnection("cannot read fence events") { connection in
            try await PostGISFenceRows.events(ids: ids, connection, logger: logger)
        }
    }
}

/// Writes of the vehicle-state and outbox tables, on the caller's connection.
enum PostGISClusterRows {
    static func saveStates(_ states: [String: VehicleStateRow], _ connection: PostgresConnection, logger: Logger) async throws {
        guard !states.isEmpty else { return }
        let vehicles = states.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let rows = vehicles.compactMap { states[$0] }
        try await connection.run(
            """
            INSERT INTO fence_vehicle_states (vehicle, body, pending_since, saved_at)
            SELECT vehicle, decode(body, 'base64'), CASE WHEN has_pending THEN pending END, now()
            FROM unnest(\(vehicles), \(rows.map { $0.body.base64EncodedString() }), \(rows.map { $0.pendingSince != nil }),
                \(rows.map { $0.pendingSince ?? 0 }))
                AS batch (vehicle, body, has_pending, pending)
            ON CONFLICT (vehicle) DO UPDATE SET body = excluded.body, pending_since = excluded.pending_since,
                saved_at = excluded.saved_at
            """, logger: logger)
    }

    /// Enqueues deliveries; one already queued for the same event and URL gets the newer body. Duplicates within the
    /// batch are folded first (the last wins), as one INSERT may not update a row twice.
    static func enqueue(_ deliveries: [WebhookDelivery], _ connection: PostgresConnection, logger: Logger) async throws {
        guard !deliveries.isEmpty else { return }
        var order: [WebhookDelivery] = []
        var position: [String: Int] = [:]
        for delivery in deliveries {
            let key = delivery.eventId + "\u{0}" + delivery.url
            if let index = position[key] { order[index] = delivery } else {
                position[key] = order.count
                order.append(delivery)
            }
        }
        try await connection.run(
            """
            INSERT INTO webhook_outbox (event_id, url, body, attempts, due_at)
            SELECT event_id, url, body, 0, 0
            FROM unnest(\(order.map(\.eventId)), \(order.map(\.url)), \(order.map(\.body))) WITH ORDINALITY
                AS batch (event_id, url, body, line)
            ORDER BY line
            ON CONFLICT (event_id, url) DO UPDATE SET body = excluded.body
            """, logger: logger)
    }
}
