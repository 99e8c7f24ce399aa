import Foundation
import GeoCore
import GeoCrypto
internal import GRDB

extension SpatialStore {
    /// Every layer of the catalogue, sorted by name.
    public func layers() async throws(GeoError) -> [LayerInfo] {
        try await read { db in try LayerCatalog.fetchAll(db) }
    }

    /// The catalogue entry of `name`, or nil. Throws `invalid_layer_name` for a name that cannot be a layer.
    public func layer(named name: String) async throws(GeoError) -> LayerInfo? {
        let layer = try LayerName(name)
        return try await read { db in try LayerCatalog.fetch(db, name: layer) }
    }

    /// The catalogue version of `name` alone (no schema or dates decoded), or nil when there is no such layer.
    public func layerVersion(named name: String) async throws(GeoError) -> Int64? {
        let layer = try LayerName(name)
        return try await read { db in
            try Int64.fetchOne(db, sql: "SELECT version FROM geo_layers WHERE name = ?", arguments: [layer.rawValue])
        }
    }

    /// Features in ascending `fid` order: all of them, or those whose bounding box intersects `bbox`
    /// (touching counts). The R*Tree index selects candidates; the exact bounding box of each geometry
    /// confirms them, because the index stores single-precision bounds rounded outwards.
    ///
    /// Throws `layer_not_found` for an unknown layer, `invalid_argument` for a negative limit or offset.
    public func features(
        in layer: String, bbox: BoundingBox?, limit: Int?, offset: Int
    ) async throws(GeoError) -> [StoredFeature] {
        let name = try LayerName(layer)
        guard (limit ?? 0) >= 0, offset >= 0 else {
            throw GeoError(code: .invalidArgument, message: "limit and offset must not be negative")
        }
        let keys = dataKeys
        return try await read { db in
            let seal = try LayerQuery.requireLayer(db, name, keys: keys)
            var sql = LayerQuery.selectFeatures(name)
            var arguments = StatementArguments()
            if let bbox {
                sql += " WHERE " + LayerQuery.bboxCondition(name)
                arguments += LayerQuery.bboxArguments(bbox)
            }
            sql += " ORDER BY fid LIMIT ? OFFSET ?"
            arguments += [limit ?? -1, offset]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in try LayerQuery.storedFeature(from: row, seal: seal) }
        }
    }

    /// The next `limit` features after `afterFid`, in `fid` order; see ``FeatureStore/features(in:bbox:afterFid:limit:)``.
    public func features(in layer: String, bbox: BoundingBox?, afterFid: Int64, limit: Int) async throws(GeoError) -> [StoredFeature] {
        let name = try LayerName(layer)
        guard limit >= 0 else { throw GeoError(code: .invalidArgument, message: "limit must not be negative") }
        let keys = dataKeys
        return try await read { db in
            let seal = try LayerQuery.requireLayer(db, name, keys: keys)
            var sql = LayerQuery.selectFeatures(name) + " WHERE fid > ?"
            var arguments: StatementArguments = [afterFid]
            if let bbox {
                sql += " AND " + LayerQuery.bboxCondition(name)
                arguments += LayerQuery.bboxArguments(bbox)
            }
            sql += " ORDER BY fid LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in try LayerQuery.storedFeature(from: row, seal: seal) }
        }
    }

    /// Feature `fid` of a layer, or nil when it holds none; `layer_not_found` for an unknown layer.
    public func feature(in layer: String, fid: Int64) async throws(GeoError) -> StoredFeature? {
        let name = try LayerName(layer)
        let keys = dataKeys
        return try await read { db in
            let seal = try LayerQuery.requireLayer(db, name, keys: keys)
            return try Row.fetchOne(db, sql: LayerQuery.selectFeatures(name) + " WHERE fid = ?", arguments: [fid]).map { row in
                try LayerQuery.storedFeature(from: row, seal: seal)
            }
        }
    }

    /// The number of features of a layer, or of those whose bounding box intersects `bbox`.
    public func featureCount(in layer: String, bbox: BoundingBox?) async throws(GeoError) -> Int {
        let name = try LayerName(layer)
        return try await read { db in
            try LayerQuery.requireLayer(db, name)
            var sql = "SELECT count(*) FROM \"\(name.tableName)\""
            var arguments = StatementArguments()
            if let bbox {
                sql += " WHERE " + LayerQuery.bboxCondition(name)
                arguments += LayerQuery.bboxArguments(bbox)
            }
            return try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
    }

    /// Deletes a layer: table, spatial index, geometry metadata and catalogue entry, in one transaction.
    /// The layer's version counter is kept, so a new layer of the same name starts above it.
    public func deleteLayer(named name: String) async throws(GeoError) {
        let layer = try LayerName(name)
        try await write { db in
            let entry = try LayerCatalog.fetch(db, name: layer)
            let tableExists = try LayerTables.exists(db, layer: layer)
            guard entry != nil || tableExists else { throw GeoError.missingLayer(layer) }
            if tableExists { try LayerTables.drop(db, layer: layer) }
            try LayerCatalog.delete(db, name: layer)
            _ = try LayerCatalog.nextVersion(db, name: layer)
        }
    }
}

/// SQL pieces shared by the read queries.
enum LayerQuery {
    static func requireLayer(_ db: Database, _ layer: LayerName) throws {
        guard try LayerCatalog.fetch(db, name: layer) != nil else { throw GeoError.missingLayer(layer) }
    }

    /// `layer_not_found` unless the layer exists, then the seal its features are read with.
    static func requireLayer(_ db: Database, _ layer: LayerName, keys: DataKeyRing?) throws -> PropertySeal? {
        try requireLayer(db, layer)
        return try PropertySeal.load(db, layer: layer.rawValue, keys: keys)
    }

    /// The columns ``storedFeature(from:seal:)`` reads, from the layer's table.
    static func selectFeatures(_ layer: LayerName) -> String {
        "SELECT fid, source_id, properties, AsBinary(\(LayerSchema.geometryColumn)) AS wkb FROM \"\(layer.tableName)\""
    }

    /// Candidates from the R*Tree (`idx_layer_<name>_geom`), confirmed on the exact geometry MBR.
    static func bboxCondition(_ layer: LayerName) -> String {
        "fid IN (SELECT pkid FROM \"\(layer.spatialIndexName)\" WHERE xmax >= ? AND xmin <= ? AND ymax >= ? AND ymin <= ?)"
            + " AND MbrIntersects(\(LayerSchema.geometryColumn), BuildMbr(?, ?, ?, ?))"
    }

    static func bboxArguments(_ box: BoundingBox) -> StatementArguments {
        [box.minX, box.maxX, box.minY, box.maxY, box.minX, box.minY, box.maxX, box.maxY]
    }

    /// A row as a feature, its sensitive members opened by `seal`.
    static func storedFeature(from row: Row, seal: PropertySeal?) throws -> StoredFeature {
        let fid: Int64 = row["fid"]
        let id: FeatureID? =
            switch row["source_id"] as DatabaseValue {
            case let value where value.isNull: nil
            case let value:
                if let i = Int64.fromDatabaseValue(value), case .int64 = value.storage { .int(i) }
                else { String.fromDatabaseValue(value).map(FeatureID.string) }
            }
        var properties: [String: JSONValue] = [:]
        if let text: String = row["properties"], case .object(let members) = try JSON.decode(text) {
            properties = try seal?.open(members) ?? members
        }
        let wkb: Data? = row["wkb"]
        let geometry = try wkb.map { try WKB.decode($0) }
        return StoredFeature(fid: fid, feature: Feature(id: id, geometry: geometry, properties: properties))
    }
}
