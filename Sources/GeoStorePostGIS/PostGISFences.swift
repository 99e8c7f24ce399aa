import Foundation
import GeoCore
import GeoStore
internal import PostgresNIO

/// Fences, their events and the evaluator states, in the tables of migration `v3_fences`.
extension PostGISStore: FenceRepository {
    public func saveFence(_ fence: StoredFence) async throws(GeoError) {
        try await withConnection("cannot save fence \(fence.id)") { connection in
            try await connection.run(
                """
                INSERT INTO fence_definitions (id, kind, role, version, min_x, min_y, max_x, max_y, body, updated_at)
                VALUES (\(fence.id), \(fence.kind), \(fence.role), \(Int64(fence.version)), \(fence.bbox?.minX), \(fence.bbox?.minY),
                    \(fence.bbox?.maxX), \(fence.bbox?.maxY), \(fence.body), now())
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, role = excluded.role, version = excluded.version,
                    min_x = excluded.min_x, min_y = excluded.min_y, max_x = excluded.max_x, max_y = excluded.max_y,
                    body = excluded.body, updated_at = excluded.updated_at
                """, logger: logger)
        }
    }

    public func fence(id: String) async throws(GeoError) -> StoredFence? {
        try await withConnection("cannot read fence \(id)") { connection in
            try await PostGISFenceRows.fences(connection, "\(unescaped: PostGISFenceRows.fenceColumns) WHERE id = \(id)", logger: logger).first
        }
    }

    public func fences() async throws(GeoError) -> [StoredFence] {
        try await withConnection("cannot read the fences") { connection in
            try await PostGISFenceRows.fences(connection, "\(unescaped: PostGISFenceRows.fenceColumns) ORDER BY id", logger: logger)
        }
    }

    public func fenceRevision() async throws(GeoError) -> FenceRevision {
        try await withConnection("cannot read the fences") { connection in
            let rows = try await connection.query(
                "SELECT count(*), coalesce(sum(version), 0)::bigint FROM fence_definitions", logger: logger
            ).collect()
            guard let row = rows.first else { return FenceRevision(count: 0, versionSum: 0) }
            let (count, sum) = try row.decode((Int64, Int64).self)
            return FenceRevision(count: Int(count), versionSum: Int(sum))
        }
    }

    public func deleteFence(id: String) async throws(GeoError) -> Bool {
        try await withConnection("cannot delete fence \(id)") { connection in
            try await !connection.query("DELETE FROM fence_definitions WHERE id = \(id) RETURNING 1", logger: logger).collect().isEmpty
        }
    }

    public func saveFenceEvents(_ events: [StoredFenceEvent]) async throws(GeoError) {
        guard !events.isEmpty else { return }
        try await withConnection("cannot save fence events") { connection in
            try await PostGISFenceRows.upsert(events, connection, logger: logger)
        }
    }

    public func saveFenceEvents(_ events: [StoredFenceEvent], evaluatorState body: Data, name: String) async throws(GeoError) {
        try await transaction("cannot save fence events and the evaluator state") { connection in
            try await PostGISFenceRows.upsert(events, connection, logger: logger)
            try await PostGISFenceRows.saveEvaluatorState(name: name, body: body, connection, logger: logger)
        }
    }

    public func fenceEvents(matching query: FenceEventQuery) async throws(GeoError) -> [StoredFenceEvent] {
        var sql = SQLBuilder(PostGISFenceRows.eventColumns)
        var clauses: [String] = []
        if let v = query.vehicleId { clauses.append("vehicle_id = \(sql.bind(v))") }
        if let k = query.kind { clauses.append("kind = \(sql.bind(k))") }
        if let f = query.fenceId { clauses.append("fence_id = \(sql.bind(f))") }
        if let from = query.from { clauses.append("(end_time IS NULL OR end_time >= \(sql.bind(from)))") }
        if let to = query.to { clauses.append("start_time < \(sql.bind(to))") }
        if let open = query.open { clauses.append(open ? "end_time IS NULL" : "end_time IS NOT NULL") }
        if !clauses.isEmpty { sql.sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql.sql += " ORDER BY start_time, id LIMIT \(sql.bind(Int64(max(0, query.limit))))"
        let built = sql.query
        return try await withConnection("cannot read fence events") { connection in
            try await PostGISFenceRows.events(connection, built, logger: logger)
        }
    }

    public func saveEvaluatorState(name: String, body: Data) async throws(GeoError) {
        try await withConnection("cannot save evaluator state \(name)") { connection in
            try await PostGISFenceRows.saveEvaluatorState(name: name, body: body, connection, logger: logger)
        }
    }

    public func evaluatorState(name: String) async throws(GeoError) -> Data? {
        try await withConnection("cannot read evaluator state \(name)") { connection in
            try await connection.query("SELECT body FROM fence_evaluator_states WHERE name = \(name)", logger: logger)
                .collect().first?.decode(Data.self)
        }
    }
}

/// Row mappings and writes of the fence tables, on the caller's connection.
enum PostGISFenceRows {
    static let fenceColumns = "SELECT id, kind, role, version, min_x, min_y, max_x, max_y, body FROM fence_definitions"
    static let eventColumns = "SELECT id, vehicle_id, kind, fence_id, start_time, end_time, body FROM fence_events"

    static func fences(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> [StoredFence] {
        var result: [StoredFence] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, kind, role, version, minX, minY, maxX, maxY, body) in rows.decode(
            (String, String, String?, Int64, Double?, Double?, Double?, Double?, String).self)
        {
            var bbox: BoundingBox?
            if let minX, let minY, let maxX, let maxY { bbox = BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) }
            result.append(StoredFence(id: id, kind: kind, role: role, version: Int(version), bbox: bbox, body: body))
        }
        return result
    }

    /// The events with these ids, in the order asked (ids not stored are left out).
    static func events(ids: [String], _ connection: PostgresConnection, logger: Logger) async throws -> [StoredFenceEvent] {
        guard !ids.isEmpty else { return [] }
        let found = try await events(connection, "\(unescaped: eventColumns) WHERE id = ANY(\(ids))", logger: logger)
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    static func events(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> [StoredFenceEvent] {
        var result: [StoredFenceEvent] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, vehicle, kind, fence, start, end, body) in rows.decode((String, String, String, String?, Double, Double?, String).self) {
            result.append(StoredFenceEvent(id: id, vehicleId: vehicle, kind: kind, fenceId: fence, start: start, end: end, body: body))
        }
        return result
    }

    /// Events with the same id folded as upserting them one after another would: a later snapshot replaces the end
    /// and body of an open one; nothing replaces a closed one. One INSERT may not update a row twice, so the batch is
    /// folded before it is sent.
    static func collapsed(_ events: [StoredFenceEvent]) -> [StoredFenceEvent] {
        var order: [String] = []
        var byID: [String: StoredFenceEvent] = [:]
        for event in events {
            if var current = byID[event.id] {
                guard current.end == nil else { continue }
                current.end = event.end
                current.body = event.body
                byID[event.id] = current
            } else {
                order.append(event.id)
                byID[event.id] = event
            }
        }
        return order.compactMap { byID[$0] }
    }

    /// Upserts events by id in one statement; a closed event is final (a late open snapshot never reopens it).
    static func upsert(_ events: [StoredFenceEvent], _ connection: PostgresConnection, logger: Logger) async throws {
        guard !events.isEmpty else { return }
        let rows = collapsed(events)
        try await connection.run(
            """
            INSERT INTO fence_events (id, vehicle_id, kind, fence_id, start_time, end_time, body)
            SELECT id, vehicle, kind, CASE WHEN has_fence THEN fence END, start_time, CASE WHEN has_end THEN end_time END, body
            FROM unnest(\(rows.map(\.id)), \(rows.map(\.vehicleId)), \(rows.map(\.kind)), \(rows.map { $0.fenceId != nil }),
                \(rows.map { $0.fenceId ?? "" }), \(rows.map(\.start)), \(rows.map { $0.end != nil }), \(rows.map { $0.end ?? 0 }),
                \(rows.map(\.body)))
                AS batch (id, vehicle, kind, has_fence, fence, start_time, has_end, end_time, body)
            ON CONFLICT (id) DO UPDATE SET end_time = excluded.end_time, body = excluded.body, changed_at = clock_timestamp()
            WHERE fence_events.end_time IS NULL
            """, logger: logger)
    }

    static func saveEvaluatorState(name: String, body: Data, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run(
            """
            INSERT INTO fence_evaluator_states (name, body, saved_at) VALUES (\(name), \(body), now())
            ON CONFLICT (name) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at
            """, logger: logger)
    }
}
