import Foundation
import GeoCore
import GeoCrypto
import GeoStore
import Logging
internal import PostgresNIO

/// Single-feature edits on PostGIS, as on SpatiaLite: each one transaction holding the layer's lock (so imports and
/// other edits of the layer wait), checked by ``FeatureEditPlan``, the row made as an import makes it
/// (``PostGISFeatureRow``), and the catalogue entry saved with the layer's next version, whose trigger announces
/// `layer:<name>` to every replica's change feed as the transaction commits.
extension PostGISStore {
    public func insertFeature(_ feature: Feature, into layer: String) async throws(GeoError) -> FeatureEdit {
        try await edit(layer, writing: feature, "cannot add a feature to") { plan, table, connection in
            let fid = try await table.write(feature, over: nil, plan: plan, keys: dataKeys, connection, logger: logger)
            return (fid, plan.entryAfterInsert(version:now:))
        }
    }

    public func replaceFeature(fid: Int64, in layer: String, with feature: Feature) async throws(GeoError) -> FeatureEdit {
        try await edit(layer, writing: feature, "cannot replace feature \(fid) of") { plan, table, connection in
            let old = try await table.box(of: fid, connection, logger: logger)
            _ = try await table.write(feature, over: fid, plan: plan, keys: dataKeys, connection, logger: logger)
            let extent = try await table.extent(after: plan, replacing: old, connection, logger: logger)
            return (fid, { plan.entryAfterReplace(extent: extent, version: $0, now: $1) })
        }
    }

    public func deleteFeature(fid: Int64, in layer: String) async throws(GeoError) -> FeatureEdit {
        try await edit(layer, writing: nil, "cannot delete feature \(fid) of") { plan, table, connection in
            let old = try await table.box(of: fid, connection, logger: logger)
            try await connection.run("DELETE FROM \(unescaped: table.quoted) WHERE fid = \(fid)", logger: logger)
            let extent = try await table.extent(after: plan, replacing: old, connection, logger: logger)
            return (fid, { plan.entryAfterDelete(extent: extent, version: $0, now: $1) })
        }
    }

    /// One edit of `layer` in one transaction under the layer's lock: the plan of writing `feature` (nil: a delete)
    /// from the catalogue entry, `body` changing the rows and answering the fid and the entry for a version and a
    /// time, then that entry saved with the layer's next version.
    private func edit(
        _ layer: String, writing feature: Feature?, _ action: String,
        _ body: (FeatureEditPlan, PostGISLayerTable, PostgresConnection) async throws -> (fid: Int64, entry: (Int64, Date) -> LayerInfo)
    ) async throws(GeoError) -> FeatureEdit {
        let name = try LayerName(layer)
        let table = PostGISLayerTable(name)
        return try await transaction("\(action) layer \"\(name)\"") { connection in
            try await PostGISCatalog.lock(connection, name, logger: logger)
            let existing = try await PostGISCatalog.fetch(connection, name: name, logger: logger).first
            let plan = try FeatureEditPlan(layer: name, existing: existing, writing: feature)
            let (fid, entry) = try await body(plan, table, connection)
            let info = entry(try await PostGISCatalog.nextVersion(connection, name, logger: logger), Date())
            try await PostGISCatalog.save(connection, info, logger: logger)
            return FeatureEdit(fid: fid, layer: try await PostGISCatalog.fetch(connection, name: name, logger: logger).first ?? info)
        }
    }
}

extension PostGISLayerTable {
    /// The exact (double-precision) bounds of a geometry, not the float box PostGIS caches with it: min x, min y,
    /// max x, max y.
    private static let bounds = ["ST_XMin", "ST_YMin", "ST_XMax", "ST_YMax"].map { "\($0)(geom::box3d)" }

    /// Writes `feature`'s row, its sensitive members sealed as the register says: a new row when `fid` is nil, else
    /// over row `fid`; answers the row's fid. A row the database refuses is `invalid_geometry`.
    func write(
        _ feature: Feature, over fid: Int64?, plan: FeatureEditPlan, keys: DataKeyRing?, _ connection: PostgresConnection, logger: Logger
    ) async throws -> Int64 {
        let locate: (Int) -> String = { _ in FeatureEditPlan.location }
        let seal = try await PostGISSensitiveColumns.seal(of: layer, keys: keys, connection, logger: logger)
        let row = try PostGISFeatureRow(feature, index: 0, srid: plan.srid, seal: seal, locate: locate)
        var query = SQLBuilder("")
        let (sourceID, properties, geometry) = (query.bind(row.sourceID), query.bind(row.properties), query.bind(row.geometry))
        if let fid {
            query.sql = "UPDATE \(quoted) SET source_id = \(sourceID)::jsonb, properties = \(properties)::jsonb, "
                + "geom = \(geometry)::geometry WHERE fid = \(query.bind(fid)) RETURNING fid"
        } else {
            query.sql = "INSERT INTO \(quoted) (source_id, properties, geom) "
                + "VALUES (\(sourceID)::jsonb, \(properties)::jsonb, \(geometry)::geometry) RETURNING fid"
        }
        do {
            let rows = try await connection.query(query.query, logger: logger).collect()
            guard let written = try rows.first?.decode(Int64.self) else {
                throw GeoError(code: .databaseError, message: "layer \"\(layer)\" answered no fid for the feature written")
            }
            return written
        } catch let error as PSQLError where ["22", "23", "XX"].contains(PostGISErrors.sqlState(error)?.prefix(2) ?? "") {
            // A geometry of another type or SRID than the column's, text PostGIS cannot read (its own errors are XX000).
            throw GeoError.rejectedFeature(0, location: locate(0), underlying: PostGISErrors.cause(error))
        }
    }

    /// The box of feature `fid`, or `feature_not_found`.
    func box(of fid: Int64, _ connection: PostgresConnection, logger: Logger) async throws -> BoundingBox {
        var query = SQLBuilder("SELECT \(Self.bounds.joined(separator: ", ")) FROM \(quoted)")
        query.sql += " WHERE fid = \(query.bind(fid))"
        guard let box = try await boundingBox(query, connection, logger: logger) else { throw GeoError.missingFeature(fid: fid, in: layer) }
        return box
    }

    /// The layer's extent after `plan` replaced or deleted a geometry bounded by `old`: from the catalogue when the
    /// plan can tell, else from every geometry of the table (nil when it holds none).
    func extent(after plan: FeatureEditPlan, replacing old: BoundingBox, _ connection: PostgresConnection, logger: Logger) async throws -> BoundingBox? {
        if let kept = plan.extent(replacing: old) { return kept }
        let aggregates = zip(["min", "min", "max", "max"], Self.bounds).map { "\($0)(\($1))" }
        return try await boundingBox(SQLBuilder("SELECT \(aggregates.joined(separator: ", ")) FROM \(quoted)"), connection, logger: logger)
    }

    /// The box of the one row of ``bounds``' four values a query selects; nil for no row or NULLs.
    private func boundingBox(_ query: SQLBuilder, _ connection: PostgresConnection, logger: Logger) async throws -> BoundingBox? {
        let rows = try await connection.query(query.query, logger: logger).collect()
        guard let (minX, minY, maxX, maxY) = try rows.first?.decode((Double?, Double?, Double?, Double?).self),
            let minX, let minY, let maxX, let maxY
        else { return nil }
        return BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }
}
