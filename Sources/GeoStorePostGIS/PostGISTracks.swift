import Foundation
import GeoCore
import GeoStore
import Logging
internal import PostgresNIO

/// Track points in `track_points`, partitioned by UTC day (migration `v4_track_points`): each day's partition has
/// its own unique (vehicle, t, lon, lat) index, which serves a vehicle's time range and makes inserts idempotent,
/// and its own (cell, t) index, which serves who-passed-here; a query over a window reads only its days.
extension PostGISStore: TrackStore {
    public func insertTrackPoints(_ points: [TrackPoint]) async throws(GeoError) -> TrackInsertResult {
        try TrackPointCheck.validate(points)
        return try await transaction("cannot store track points") { connection in
            try await TrackPartitions.insert(points, connection, logger: logger)
        }
    }

    public func trackPoints(vehicle: String, from: Double?, to: Double?) async throws(GeoError) -> [TrackPoint] {
        try await withConnection("cannot read the track of \(vehicle)") { connection in
            try await TrackPartitions.points(connection, """
                SELECT vehicle, t, lon, lat, speed, heading, status FROM track_points
                WHERE vehicle = \(vehicle) AND t >= \(from ?? -Double.greatestFiniteMagnitude)
                    AND t <= \(to ?? Double.greatestFiniteMagnitude)
                ORDER BY t, lon, lat
                """, logger: logger)
        }
    }

    public func trackPoints(inCells cells: Set<Int64>, from: Double, to: Double) async throws(GeoError) -> [TrackPoint] {
        guard !cells.isEmpty else { return [] }
        var result = try await withConnection("cannot read track points by cell") { connection in
            try await TrackPartitions.points(connection, """
                SELECT vehicle, t, lon, lat, speed, heading, status FROM track_points
                WHERE cell = ANY(\(cells.sorted())) AND t >= \(from) AND t <= \(to)
                """, logger: logger)
        }
        // Sorted here, with Swift's string order, exactly as SpatialStore sorts them.
        result.sort { ($0.vehicle, $0.time) < ($1.vehicle, $1.time) }
        return result
    }

    public func trackVehicles() async throws(GeoError) -> [TrackVehicleSummary] {
        try await withConnection("cannot list the tracked vehicles") { connection in
            var result: [TrackVehicleSummary] = []
            let rows = try await connection.query(
                "SELECT vehicle, count(*), min(t), max(t) FROM track_points GROUP BY vehicle ORDER BY vehicle", logger: logger)
            for try await (vehicle, count, first, last) in rows.decode((String, Int64, Double, Double).self) {
                result.append(TrackVehicleSummary(vehicle: vehicle, pointCount: Int(count), firstTime: first, lastTime: last))
            }
            return result
        }
    }
}

extension PostGISStore: PositionStore {
    public func commitEvaluatedFixes(
        _ batches: [[TrackPoint]], events: [StoredFenceEvent], evaluatorState body: Data, name: String
    ) async throws(GeoError) -> [TrackInsertResult] {
        for batch in batches { try TrackPointCheck.validate(batch) }
        return try await transaction("cannot commit evaluated fixes") { connection in
            var results: [TrackInsertResult] = []
            for batch in batches { results.append(try await TrackPartitions.insert(batch, connection, logger: logger)) }
            try await PostGISFenceRows.upsert(events, connection, logger: logger)
            try await PostGISFenceRows.saveEvaluatorState(name: name, body: body, connection, logger: logger)
            return results
        }
    }
}

/// The day partitions of `track_points` and the writes and reads over them.
enum TrackPartitions {
    /// Days (since 1970-01-01 UTC) that get a partition of their own: 1970 to 9999. Times outside share the
    /// `track_points_far_past` and `track_points_far_future` partitions made by the migration.
    static let firstDay: Int64 = 0
    static let lastDay: Int64 = 2_932_896

    /// Rows per INSERT statement: bounds the size of one message for very large batches.
    static let rowsPerStatement = 20_000

    /// The day of a time, when it has a partition of its own.
    static func day(of time: Double) -> Int64? {
        let day = (time / 86_400).rounded(.down)
        guard day >= Double(firstDay), day <= Double(lastDay) else { return nil }
        return Int64(day)
    }

    /// Inserts `points` inside the caller's transaction, creating the partitions of their days first (an
    /// existing partition costs one catalogue lookup), skipping points already stored.
    static func insert(_ points: [TrackPoint], _ connection: PostgresConnection, logger: Logger) async throws -> TrackInsertResult {
        guard !points.isEmpty else { return TrackInsertResult(inserted: 0, duplicates: 0) }
        let days = Set(points.compactMap { day(of: $0.time) }).sorted()
        if !days.isEmpty {
            try await connection.run("SELECT citygeo_track_partitions(\(days))", logger: logger)
        }
        var inserted = 0
        var start = 0
        while start < points.count {
            let chunk = points[start..<min(start + rowsPerStatement, points.count)]
            start += chunk.count
            // Optional numbers travel as NaN and optional text with a presence flag, since arrays of the driver carry
            // no NULLs; SQLite stores a NaN as NULL too.
            let rows = try await connection.query(
                """
                WITH written AS (
                    INSERT INTO track_points (vehicle, t, lon, lat, speed, heading, status, cell)
                    SELECT vehicle, t, lon, lat, nullif(speed, 'NaN'), nullif(heading, 'NaN'), CASE WHEN has_status THEN status END, cell
                    FROM unnest(\(chunk.map(\.vehicle)), \(chunk.map(\.time)), \(chunk.map(\.longitude)), \(chunk.map(\.latitude)),
                        \(chunk.map { $0.speed ?? .nan }), \(chunk.map { $0.heading ?? .nan }), \(chunk.map { $0.status != nil }),
                        \(chunk.map { $0.status ?? "" }),
                        \(chunk.map { TrackCell.cell(longitude: $0.longitude, latitude: $0.latitude) }))
                        AS batch (vehicle, t, lon, lat, speed, heading, has_status, status, cell)
                    ON CONFLICT DO NOTHING
                    RETURNING 1)
                SELECT count(*) FROM written
                """, logger: logger
            ).collect()
            inserted += Int(try rows.first?.decode(Int64.self) ?? 0)
        }
        return TrackInsertResult(inserted: inserted, duplicates: points.count - inserted)
    }

    /// The fixes a track query answers (columns vehicle, t, lon, lat, speed, heading, status).
    static func points(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws -> [TrackPoint] {
        let rows = try await connection.query(query, logger: logger).collect()
        var result: [TrackPoint] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            let (vehicle, t, lon, lat, speed, heading, status) = try row.decode((String, Double, Double, Double, Double?, Double?, String?).self)
            result.append(TrackPoint(vehicle: vehicle, time: t, longitude: lon, latitude: lat, speed: speed, heading: heading, status: status))
        }
        return result
    }
}
