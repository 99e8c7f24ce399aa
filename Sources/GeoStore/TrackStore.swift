import Foundation
import GeoCore
internal import GRDB

/// Durable storage of vehicle tracks (GPS fixes), the seam GeoTrajectories and the server talk to.
///
/// ``SpatialStore`` implements it on the `track_points` table; every method throws ``GeoError`` only and no
/// database type appears in it, so feature modules never import the database library.
public protocol TrackStore: Sendable {
    /// Inserts `points` in one transaction (all or nothing) through one prepared statement. A point equal to a
    /// stored one in vehicle, time, longitude and latitude is skipped, so importing the same file twice
    /// stores it once. Returns how many points were new.
    func insertTrackPoints(_ points: [TrackPoint]) async throws(GeoError) -> TrackInsertResult

    /// The points of `vehicle` with `from ≤ time ≤ to` (either bound may be nil), in time order.
    func trackPoints(vehicle: String, from: Double?, to: Double?) async throws(GeoError) -> [TrackPoint]

    /// Every point lying in one of `cells` (see ``TrackCell``) with `from ≤ time ≤ to`, ordered by vehicle and
    /// time: the candidates of a "who passed here" query, answered from the cell index.
    func trackPoints(inCells cells: Set<Int64>, from: Double, to: Double) async throws(GeoError) -> [TrackPoint]

    /// The vehicles with a point in one of `cells` with `from ≤ time ≤ to`: the candidate step of "who passed
    /// here", which needs the vehicles, not their points (a month of a fleet puts tens of thousands of points in a
    /// road section's cells, and a few hundred vehicles).
    func trackVehicles(inCells cells: Set<Int64>, from: Double, to: Double) async throws(GeoError) -> Set<String>

    /// Every vehicle with stored points: its number of points and its first and last time, sorted by vehicle.
    func trackVehicles() async throws(GeoError) -> [TrackVehicleSummary]
}

/// What an insert did.
@MemberwiseInit
public struct TrackInsertResult: Hashable, Sendable {
    /// Points written.
    public var inserted: Int
    /// Points skipped because an identical point (vehicle, time, lon, lat) was already stored.
    public var duplicates: Int
}

/// One vehicle's stored track in brief.
@MemberwiseInit
public struct TrackVehicleSummary: Hashable, Sendable {
    public var vehicle: String
    public var pointCount: Int
    public var firstTime: Double
    public var lastTime: Double
}

/// The coarse spatial cells of the `track_points.cell` column: a fixed grid of 0.002° × 0.002° (about 220 m
/// north-south and 185 m east-west at 33° N), numbered the same everywhere so that the column needs no
/// per-city setup. Coarse on purpose: a "who passed here" query touches a handful of cells and refines the
/// candidates exactly in memory.
public enum TrackCell {
    /// Cell edge in degrees.
    public static let size = 0.002
    /// Columns and rows are packed as `column << 20 | row`; rows never exceed 90,000 < 2²⁰.
    static let rowBits: Int64 = 20
    /// Cells counted from longitude −180° and latitude −90°, so that every column and row is non-negative.
    static let grid = BucketGrid(originX: -180, originY: -90, cellSize: size)

    /// The cell holding a position (longitude in [−180, 180], latitude in [−90, 90]).
    public static func cell(longitude: Double, latitude: Double) -> Int64 {
        let (column, row) = grid.cell(ofX: longitude, y: latitude)
        return Int64(column) << rowBits | Int64(row)
    }

    /// The column and row ranges of the cells that intersect `box`.
    static func ranges(_ box: BoundingBox) -> (columns: ClosedRange<Int64>, rows: ClosedRange<Int64>)? {
        guard let (columns, rows) = grid.cells(covering: box) else { return nil }
        return (Int64(columns.lowerBound)...Int64(columns.upperBound), Int64(rows.lowerBound)...Int64(rows.upperBound))
    }

    /// How many cells intersect `box`, without listing them.
    public static func cellCount(covering box: BoundingBox) -> Int {
        guard let (columns, rows) = ranges(box) else { return 0 }
        return columns.count * rows.count
    }

    /// Whether `cell` intersects `box`.
    public static func cell(_ cell: Int64, intersects box: BoundingBox) -> Bool {
        guard let (columns, rows) = ranges(box) else { return false }
        return columns.contains(cell >> rowBits) && rows.contains(cell & ((1 << rowBits) - 1))
    }

    /// Every cell that intersects `box` (degrees).
    public static func cells(covering box: BoundingBox) -> Set<Int64> {
        var result = Set<Int64>()
        guard let (columns, rows) = ranges(box) else { return result }
        for c in columns { for r in rows { result.insert(c << rowBits | r) } }
        return result
    }
}

/// The `track_points` schema.
enum TrackTables {
    /// `cells` over `from ≤ t ≤ to` as conditions on at most 500 cells each, with their arguments: a temporary table
    /// would need a writer, and chunks of bound parameters stay under SQLite's limit.
    static func cellWindows(_ cells: Set<Int64>, from: Double, to: Double) -> [(condition: String, arguments: StatementArguments)] {
        let sorted = cells.sorted()
        return stride(from: 0, to: sorted.count, by: 500).map { start in
            let chunk = Array(sorted[start..<min(start + 500, sorted.count)])
            var arguments = StatementArguments(chunk)
            arguments += [from, to]
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            return ("cell IN (\(marks)) AND t >= ? AND t <= ?", arguments)
        }
    }

    static let createSQL = """
        CREATE TABLE track_points (
            id INTEGER PRIMARY KEY,
            vehicle TEXT NOT NULL,
            -- seconds since 1970-01-01 UTC
            t REAL NOT NULL,
            lon REAL NOT NULL,
            lat REAL NOT NULL,
            speed REAL,
            heading REAL,
            status TEXT,
            -- TrackCell.cell(lon, lat): the coarse grid of who-passed-here queries
            cell INTEGER NOT NULL
        );
        -- Serves "points of a vehicle between t1 and t2" (its (vehicle, t) prefix) and makes imports idempotent.
        CREATE UNIQUE INDEX track_points_vehicle_t ON track_points(vehicle, t, lon, lat);
        CREATE INDEX track_points_cell_t ON track_points(cell, t);
        """
}

extension SpatialStore: TrackStore {
    public func insertTrackPoints(_ points: [TrackPoint]) async throws(GeoError) -> TrackInsertResult {
        try TrackPointCheck.validate(points)
        return try await write { db in try TrackTables.insert(points, db) }
    }

    public func trackPoints(vehicle: String, from: Double?, to: Double?) async throws(GeoError) -> [TrackPoint] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT vehicle, t, lon, lat, speed, heading, status FROM track_points
                    WHERE vehicle = ? AND t >= ? AND t <= ? ORDER BY t, lon, lat
                    """,
                arguments: [vehicle, from ?? -Double.greatestFiniteMagnitude, to ?? Double.greatestFiniteMagnitude])
            return rows.map(TrackTables.point(from:))
        }
    }

    public func trackPoints(inCells cells: Set<Int64>, from: Double, to: Double) async throws(GeoError) -> [TrackPoint] {
        guard !cells.isEmpty else { return [] }
        return try await read { db in
            var result: [TrackPoint] = []
            for (condition, arguments) in TrackTables.cellWindows(cells, from: from, to: to) {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT vehicle, t, lon, lat, speed, heading, status FROM track_points WHERE \(condition)",
                    arguments: arguments)
                result += rows.map(TrackTables.point(from:))
            }
            result.sort { ($0.vehicle, $0.time) < ($1.vehicle, $1.time) }
            return result
        }
    }

    public func trackVehicles(inCells cells: Set<Int64>, from: Double, to: Double) async throws(GeoError) -> Set<String> {
        guard !cells.isEmpty else { return [] }
        return try await read { db in
            var result: Set<String> = []
            for (condition, arguments) in TrackTables.cellWindows(cells, from: from, to: to) {
                result.formUnion(try String.fetchAll(
                    db, sql: "SELECT DISTINCT vehicle FROM track_points WHERE \(condition)", arguments: arguments))
            }
            return result
        }
    }

    public func trackVehicles() async throws(GeoError) -> [TrackVehicleSummary] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT vehicle, count(*) AS n, min(t) AS t0, max(t) AS t1 FROM track_points GROUP BY vehicle ORDER BY vehicle"
            ).map { row in
                TrackVehicleSummary(vehicle: row["vehicle"], pointCount: row["n"], firstTime: row["t0"], lastTime: row["t1"])
            }
        }
    }
}

/// The check every backend makes before storing fixes, so that a bad fix is refused alike everywhere.
public enum TrackPointCheck {
    /// Refuses a batch holding a fix that cannot be stored (an empty vehicle, a non-finite time, a position outside
    /// the lon/lat range) with `invalid_track_point` located at `points[i]`.
    public static func validate(_ points: [TrackPoint]) throws(GeoError) {
        for (index, point) in points.enumerated() {
            guard point.time.isFinite, point.coordinate.isValidGeographic, !point.vehicle.isEmpty else {
                throw GeoError(
                    code: .invalidTrackPoint,
                    message: "track point \(index) has an empty vehicle, a non-finite time or a position outside lon/lat range",
                    location: "points[\(index)]")
            }
        }
    }
}

extension TrackTables {

    /// Inserts `points` through one prepared statement inside the caller's transaction, skipping stored ones.
    static func insert(_ points: [TrackPoint], _ db: Database) throws -> TrackInsertResult {
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO track_points (vehicle, t, lon, lat, speed, heading, status, cell)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var inserted = 0
        for point in points {
            try statement.execute(arguments: [
                point.vehicle, point.time, point.longitude, point.latitude, point.speed, point.heading,
                point.status, TrackCell.cell(longitude: point.longitude, latitude: point.latitude),
            ])
            inserted += db.changesCount
        }
        return TrackInsertResult(inserted: inserted, duplicates: points.count - inserted)
    }

    static func point(from row: Row) -> TrackPoint {
        TrackPoint(vehicle: row["vehicle"], time: row["t"], longitude: row["lon"], latitude: row["lat"],
                   speed: row["speed"], heading: row["heading"], status: row["status"])
    }
}

extension TrackStore {
    /// Inserts `points` in batches of `batchSize` fixes, one transaction per batch, calling `progress` with
    /// (done, total) after each. For files of millions of fixes: no single transaction holds the write lock for
    /// minutes while the server reads. A failed batch leaves the earlier ones stored; since inserts skip fixes
    /// already stored, running the import again completes it without doubles.
    public func insertTrackPoints(
        _ points: [TrackPoint], batchSize: Int, progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws(GeoError) -> TrackInsertResult {
        guard batchSize > 0 else {
            throw GeoError(code: .invalidArgument, message: "batchSize must be positive, got \(batchSize)")
        }
        var total = TrackInsertResult(inserted: 0, duplicates: 0)
        var start = 0
        while start < points.count {
            let end = min(start + batchSize, points.count)
            let result = try await insertTrackPoints(Array(points[start..<end]))
            total.inserted += result.inserted
            total.duplicates += result.duplicates
            start = end
            progress?(end, points.count)
        }
        return total
    }
}

/// Where a fence monitor commits what it evaluated: the fixes as track points, the events they raised and the
/// evaluator state after them, together.
public protocol PositionStore: FenceRepository, TrackStore {
    /// In one transaction: inserts each batch's fixes as ``TrackStore/insertTrackPoints(_:)`` does (fixes already
    /// stored are skipped), upserts `events` as ``FenceRepository/saveFenceEvents(_:)`` does, and stores the
    /// evaluator state `body` under `name`. A crash leaves all of it or none of it; the answer is one insert
    /// result per batch, in order.
    func commitEvaluatedFixes(
        _ batches: [[TrackPoint]], events: [StoredFenceEvent], evaluatorState body: Data, name: String
    ) async throws(GeoError) -> [TrackInsertResult]
}

extension SpatialStore: PositionStore {
    public func commitEvaluatedFixes(
        _ batches: [[TrackPoint]], events: [StoredFenceEvent], evaluatorState body: Data, name: String
    ) async throws(GeoError) -> [TrackInsertResult] {
        for batch in batches { try TrackPointCheck.validate(batch) }
        let now = TimeText.format(Date().timeIntervalSince1970, utcOffset: 0, fractionalDigits: 3)
        return try await write { db in
            let results = try batches.map { try TrackTables.insert($0, db) }
            try Self.upsertFenceEvents(events, db)
            try Self.saveEvaluatorState(name: name, body: body, savedAt: now, db)
            return results
        }
    }
}
