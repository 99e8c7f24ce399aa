import Foundation
import GeoCore
internal import GRDB

/// A fence definition as the store keeps it: the JSON body GeoFences wrote, plus the columns queries use.
public struct StoredFence: Sendable, Hashable {
    public var id: String
    public var kind: String
    public var role: String?
    public var version: Int
    public var bbox: BoundingBox?
    /// The definition as JSON (owned by GeoFences).
    public var body: String

    /// A stored fence row.
    public init(id: String, kind: String, role: String?, version: Int, bbox: BoundingBox?, body: String) {
        self.id = id
        self.kind = kind
        self.role = role
        self.version = version
        self.bbox = bbox
        self.body = body
    }
}

/// A fence event as the store keeps it: upserted by its deterministic id, so that the open and the closed
/// snapshot of one event, or the same event raised again after a restart, share one row.
public struct StoredFenceEvent: Sendable, Hashable {
    public var id: String
    public var vehicleId: String
    public var kind: String
    public var fenceId: String?
    /// Seconds since 1970.
    public var start: Double
    public var end: Double?
    /// The event as JSON (owned by GeoFences).
    public var body: String

    /// A stored event row.
    public init(id: String, vehicleId: String, kind: String, fenceId: String?, start: Double, end: Double?, body: String) {
        self.id = id
        self.vehicleId = vehicleId
        self.kind = kind
        self.fenceId = fenceId
        self.start = start
        self.end = end
        self.body = body
    }
}

/// Filters of ``FenceRepository/fenceEvents(matching:)``; nil fields do not filter.
public struct FenceEventQuery: Sendable, Hashable {
    public var vehicleId: String?
    public var kind: String?
    public var fenceId: String?
    /// Events still open at or ending after `from` ...
    public var from: Double?
    /// ... and starting before `to`.
    public var to: Double?
    /// true: only open events; false: only closed ones.
    public var open: Bool?
    public var limit: Int

    /// A query; by default the first 1,000 events of any kind.
    public init(
        vehicleId: String? = nil, kind: String? = nil, fenceId: String? = nil, from: Double? = nil, to: Double? = nil,
        open: Bool? = nil, limit: Int = 1000
    ) {
        self.vehicleId = vehicleId
        self.kind = kind
        self.fenceId = fenceId
        self.from = from
        self.to = to
        self.open = open
        self.limit = limit
    }
}

/// Durable fences, events and evaluator states: the seam GeoFences and the server persist through.
public protocol FenceRepository: Sendable {
    /// Inserts or replaces the definition with the same id.
    func saveFence(_ fence: StoredFence) async throws(GeoError)
    func fence(id: String) async throws(GeoError) -> StoredFence?
    /// Every fence, by id.
    func fences() async throws(GeoError) -> [StoredFence]
    /// Whether a fence was deleted.
    func deleteFence(id: String) async throws(GeoError) -> Bool
    /// Upserts events by id in one transaction; a closed event is final (an open snapshot never replaces it).
    func saveFenceEvents(_ events: [StoredFenceEvent]) async throws(GeoError)
    /// Events ordered by start time then id.
    func fenceEvents(matching query: FenceEventQuery) async throws(GeoError) -> [StoredFenceEvent]
    /// Stores an evaluator state blob under `name`, replacing the previous one.
    func saveEvaluatorState(name: String, body: Data) async throws(GeoError)
    func evaluatorState(name: String) async throws(GeoError) -> Data?
    /// Upserts `events` as ``saveFenceEvents(_:)`` does and stores the evaluator state `body` under `name`, both
    /// in one transaction, so that a crash never leaves a state without the events it raised or the reverse.
    func saveFenceEvents(_ events: [StoredFenceEvent], evaluatorState body: Data, name: String) async throws(GeoError)
    /// A cheap summary of the stored fences that changes when one is created, replaced (its version grows) or
    /// deleted: how a running server notices fences another process (`citygeo fence import`) stored.
    func fenceRevision() async throws(GeoError) -> FenceRevision
}

/// How many fences are stored and the sum of their versions; see ``FenceRepository/fenceRevision()``.
@MemberwiseInit
public struct FenceRevision: Hashable, Sendable {
    public var count: Int
    public var versionSum: Int
}

extension FenceRepository {
    /// From every stored fence, for repositories without a cheaper way.
    public func fenceRevision() async throws(GeoError) -> FenceRevision {
        let all = try await fences()
        return FenceRevision(count: all.count, versionSum: all.reduce(0) { $0 + $1.version })
    }

    /// The two writes one after the other, for repositories without transactions; a crash between them can
    /// leave events whose state was not saved (raised again, under the same ids, after a restart).
    public func saveFenceEvents(_ events: [StoredFenceEvent], evaluatorState body: Data, name: String) async throws(GeoError) {
        try await saveFenceEvents(events)
        try await saveEvaluatorState(name: name, body: body)
    }
}

extension SpatialStore: FenceRepository {
    public func saveFence(_ fence: StoredFence) async throws(GeoError) {
        let now = TimeText.format(Date().timeIntervalSince1970, utcOffset: 0, fractionalDigits: 3)
        try await write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO fence_definitions
                        (id, kind, role, version, min_x, min_y, max_x, max_y, body, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    fence.id, fence.kind, fence.role, fence.version, fence.bbox?.minX, fence.bbox?.minY,
                    fence.bbox?.maxX, fence.bbox?.maxY, fence.body, now,
                ])
        }
    }

    public func fence(id: String) async throws(GeoError) -> StoredFence? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM fence_definitions WHERE id = ?", arguments: [id]).map(Self.storedFence)
        }
    }

    public func fences() async throws(GeoError) -> [StoredFence] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM fence_definitions ORDER BY id").map(Self.storedFence)
        }
    }

    public func fenceRevision() async throws(GeoError) -> FenceRevision {
        try await read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*) AS n, coalesce(sum(version), 0) AS v FROM fence_definitions")
            return FenceRevision(count: row?["n"] ?? 0, versionSum: row?["v"] ?? 0)
        }
    }

    public func deleteFence(id: String) async throws(GeoError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM fence_definitions WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func saveFenceEvents(_ events: [StoredFenceEvent]) async throws(GeoError) {
        guard !events.isEmpty else { return }
        try await write { db in try Self.upsertFenceEvents(events, db) }
    }

    public func saveFenceEvents(_ events: [StoredFenceEvent], evaluatorState body: Data, name: String) async throws(GeoError) {
        let now = TimeText.format(Date().timeIntervalSince1970, utcOffset: 0, fractionalDigits: 3)
        try await write { db in
            try Self.upsertFenceEvents(events, db)
            try Self.saveEvaluatorState(name: name, body: body, savedAt: now, db)
        }
    }

    static func upsertFenceEvents(_ events: [StoredFenceEvent], _ db: Database) throws {
        guard !events.isEmpty else { return }
        let statement = try db.makeStatement(
            sql: """
                INSERT INTO fence_events (id, vehicle_id, kind, fence_id, start_time, end_time, body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    end_time = excluded.end_time, body = excluded.body
                -- A closed event is final: a late open snapshot (a retried write) must not reopen it.
                WHERE fence_events.end_time IS NULL
                """)
        for e in events {
            try statement.execute(arguments: [e.id, e.vehicleId, e.kind, e.fenceId, e.start, e.end, e.body])
        }
    }

    static func saveEvaluatorState(name: String, body: Data, savedAt: String, _ db: Database) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO fence_evaluator_states (name, body, saved_at) VALUES (?, ?, ?)",
            arguments: [name, body, savedAt])
    }

    public func fenceEvents(matching query: FenceEventQuery) async throws(GeoError) -> [StoredFenceEvent] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let v = query.vehicleId { clauses.append("vehicle_id = ?"); _ = arguments.append(contentsOf: [v]) }
        if let k = query.kind { clauses.append("kind = ?"); _ = arguments.append(contentsOf: [k]) }
        if let f = query.fenceId { clauses.append("fence_id = ?"); _ = arguments.append(contentsOf: [f]) }
        if let from = query.from { clauses.append("(end_time IS NULL OR end_time >= ?)"); _ = arguments.append(contentsOf: [from]) }
        if let to = query.to { clauses.append("start_time < ?"); _ = arguments.append(contentsOf: [to]) }
        if let open = query.open { clauses.append(open ? "end_time IS NULL" : "end_time IS NOT NULL") }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = "SELECT * FROM fence_events \(whereClause) ORDER BY start_time, id LIMIT \(max(0, query.limit))"
        let bound = arguments
        return try await read { db in
            try Row.fetchAll(db, sql: sql, arguments: bound).map(FenceEventRows.event(from:))
        }
    }

    public func saveEvaluatorState(name: String, body: Data) async throws(GeoError) {
        let now = TimeText.format(Date().timeIntervalSince1970, utcOffset: 0, fractionalDigits: 3)
        try await write { db in try Self.saveEvaluatorState(name: name, body: body, savedAt: now, db) }
    }

    public func evaluatorState(name: String) async throws(GeoError) -> Data? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM fence_evaluator_states WHERE name = ?", arguments: [name])
        }
    }

    private static func storedFence(_ row: Row) -> StoredFence {
        var bbox: BoundingBox?
        if let minX: Double = row["min_x"], let minY: Double = row["min_y"], let maxX: Double = row["max_x"],
            let maxY: Double = row["max_y"]
        {
            bbox = BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
        }
        return StoredFence(
            id: row["id"], kind: row["kind"], role: row["role"], version: row["version"], bbox: bbox, body: row["body"])
    }
}

/// The `fence_events` row mapping.
enum FenceEventRows {
    static func event(from row: Row) -> StoredFenceEvent {
        StoredFenceEvent(
            id: row["id"], vehicleId: row["vehicle_id"], kind: row["kind"], fenceId: row["fence_id"],
            start: row["start_time"], end: row["end_time"], body: row["body"])
    }
}
