import Foundation
import GeoCore
import GeoCrypto
import GeoStore
import Logging
internal import PostgresNIO

/// Layers on PostGIS: one table per layer (`fid bigserial`, the source id and the properties as `jsonb`, a
/// `geometry` column typed with the layer's geometry type and SRID) with a GiST index, and the `geo_layers`
/// catalogue whose versions are never reused for a name (`geo_layer_versions`).
extension PostGISStore: FeatureStore {
    public func layers() async throws(GeoError) -> [LayerInfo] {
        try await withConnection("cannot read the layer catalogue") { connection in
            try await PostGISCatalog.fetch(connection, name: nil, logger: logger)
        }
    }

    public func layer(named name: String) async throws(GeoError) -> LayerInfo? {
        let layer = try LayerName(name)
        return try await withConnection("cannot read the layer catalogue") { connection in
            try await PostGISCatalog.fetch(connection, name: layer, logger: logger).first
        }
    }

    public func layerVersion(named name: String) async throws(GeoError) -> Int64? {
        let layer = try LayerName(name)
        return try await withConnection("cannot read the layer catalogue") { connection in
            try await connection.query("SELECT version FROM geo_layers WHERE name = \(layer.rawValue)", logger: logger)
                .collect().first?.decode(Int64.self)
        }
    }

    /// Imports `features` in one transaction: the table (replaced, created or appended to), its rows written with
    /// `COPY` (the fastest way in: measured in docs/scaling.md), the GiST index built after the rows of a new table,
    /// and the catalogue entry. Checks, errors and progress calls are ``SpatialStore``'s. Concurrent imports of
    /// one layer wait for each other (an advisory lock on its name), so the second sees what the first made.
    public func importLayer<Features: Collection & Sendable>(
        name: String, features: Features, options: ImportOptions, progress: ImportProgressHandler?,
        locate: @escaping @Sendable (Int) -> String
    ) async throws(GeoError) -> LayerInfo where Features.Element == Feature {
        let layer = try LayerName(name)
        let summary = try ImportValidator.validate(features, options: options, locate: locate)
        let table = PostGISLayerTable(layer)
        return try await transaction("cannot import layer \"\(layer)\"") { connection in
            try await PostGISCatalog.lock(connection, layer, logger: logger)
            let existing = try await PostGISCatalog.fetch(connection, name: layer, logger: logger).first
            let plan = try ImportPlan(
                layer: layer, existing: existing, tableExists: try await table.exists(connection, logger: logger),
                summary: summary, options: options, locate: locate)
            if plan.dropsTable { try await table.drop(connection, logger: logger) }
            if plan.createsTable {
                try await table.create(connection, srid: options.srid, geometryType: plan.geometryType, logger: logger)
            }
            try await PostGISFeatureCopy.write(
                features, into: table, srid: options.srid, over: connection, interval: options.progressInterval,
                progress: progress, locate: locate, seal: try await PostGISSensitiveColumns.seal(of: layer, keys: dataKeys, connection, logger: logger),
                logger: logger)
            if plan.createsTable { try await table.createSpatialIndex(connection, logger: logger) }
            let version = try await PostGISCatalog.nextVersion(connection, layer, logger: logger)
            let info = plan.catalogueEntry(summary: summary, options: options, version: version, now: Date())
            try await PostGISCatalog.save(connection, info, logger: logger)
            return try await PostGISCatalog.fetch(connection, name: layer, logger: logger).first ?? info
        }
    }

    /// Features in `fid` order, those whose bounding box intersects `bbox` (touching counts) found through the GiST
    /// index (`&&`) and confirmed on the exact box, since the index keeps single-precision boxes rounded outwards.
    public func features(in layer: String, bbox: BoundingBox?, limit: Int?, offset: Int) async throws(GeoError) -> [StoredFeature] {
        let name = try LayerName(layer)
        guard (limit ?? 0) >= 0, offset >= 0 else {
            throw GeoError(code: .invalidArgument, message: "limit and offset must not be negative")
        }
        let table = PostGISLayerTable(name)
        return try await withConnection("cannot read layer \"\(name)\"") { connection in
            let srid = try await PostGISCatalog.requireLayer(connection, name, logger: logger)
            var query = table.select(PostGISLayerTable.featureColumns, bbox: bbox, srid: srid)
            query.sql += " ORDER BY fid LIMIT \(query.bind(limit.map(Int64.init))) OFFSET \(query.bind(Int64(offset)))"
            return try await table.features(query, on: connection, keys: dataKeys, logger: logger)
        }
    }

    /// The next `limit` features after `afterFid`, in `fid` order (keyset paging on the primary key).
    public func features(in layer: String, bbox: BoundingBox?, afterFid: Int64, limit: Int) async throws(GeoError) -> [StoredFeature] {
        let name = try LayerName(layer)
        guard limit >= 0 else { throw GeoError(code: .invalidArgument, message: "limit must not be negative") }
        let table = PostGISLayerTable(name)
        return try await withConnection("cannot read layer \"\(name)\"") { connection in
            let srid = try await PostGISCatalog.requireLayer(connection, name, logger: logger)
            var query = table.select(PostGISLayerTable.featureColumns, bbox: bbox, srid: srid)
            query.sql += (bbox == nil ? " WHERE" : " AND") + " fid > \(query.bind(afterFid))"
            query.sql += " ORDER BY fid LIMIT \(query.bind(Int64(limit)))"
            return try await table.features(query, on: connection, keys: dataKeys, logger: logger)
        }
    }

    /// Feature `fid`, or nil when the layer holds none; `layer_not_found` for an unknown layer.
    public func feature(in layer: String, fid: Int64) async throws(GeoError) -> StoredFeature? {
        let name = try LayerName(layer)
        let table = PostGISLayerTable(name)
        return try await withConnection("cannot read layer \"\(name)\"") { connection in
            let srid = try await PostGISCatalog.requireLayer(connection, name, logger: logger)
            var query = table.select(PostGISLayerTable.featureColumns, bbox: nil, srid: srid)
            query.sql += " WHERE fid = \(query.bind(fid))"
            return try await table.features(query, on: connection, keys: dataKeys, logger: logger).first
        }
    }

    public func featureCount(in layer: String, bbox: BoundingBox?) async throws(GeoError) -> Int {
        let name = try LayerName(layer)
        let table = PostGISLayerTable(name)
        return try await withConnection("cannot count layer \"\(name)\"") { connection in
            let srid = try await PostGISCatalog.requireLayer(connection, name, logger: logger)
            let query = table.select("count(*)", bbox: bbox, srid: srid)
            return Int(try await table.query(query.query, on: connection, layer: name, logger: logger).collect().first?.decode(Int64.self) ?? 0)
        }
    }

    /// Drops the table and its index and removes the catalogue entry in one transaction; the version counter is
    /// kept, so a new layer of the same name starts above it.
    public func deleteLayer(named name: String) async throws(GeoError) {
        let layer = try LayerName(name)
        let table = PostGISLayerTable(layer)
        try await transaction("cannot delete layer \"\(layer)\"") { connection in
            try await PostGISCatalog.lock(connection, layer, logger: logger)
            let entry = try await PostGISCatalog.fetch(connection, name: layer, logger: logger).first
            let tableExists = try await table.exists(connection, logger: logger)
            guard entry != nil || tableExists else { throw GeoError.missingLayer(layer) }
            if tableExists { try await table.drop(connection, logger: logger) }
            try await connection.run("DELETE FROM geo_layers WHERE name = \(layer.rawValue)", logger: logger)
            _ = try await PostGISCatalog.nextVersion(connection, layer, logger: logger)
        }
    }
}

/// The `geo_layers` catalogue and its version counters. Every function runs on the caller's connection.
enum PostGISCatalog {
    /// Serialises writers of one layer until the end of the transaction.
    static func lock(_ connection: PostgresConnection, _ layer: LayerName, logger: Logger) async throws {
        try await connection.run("SELECT pg_advisory_xact_lock(hashtext(\("citygeo_layer:" + layer.rawValue)))", logger: logger)
    }

    /// The layer's SRID, or `layer_not_found`.
    static func requireLayer(_ connection: PostgresConnection, _ layer: LayerName, logger: Logger) async throws -> Int32 {
        let rows = try await connection.query("SELECT srid FROM geo_layers WHERE name = \(layer.rawValue)", logger: logger).collect()
        guard let srid = try rows.first?.decode(Int32.self) else { throw GeoError.missingLayer(layer) }
        return srid
    }

    /// The entry of `name`, or every entry by name when nil.
    static func fetch(_ connection: PostgresConnection, name: LayerName?, logger: Logger) async throws -> [LayerInfo] {
        let columns = """
            SELECT name, title, geometry_type, srid, attribute_schema, feature_count, min_x, min_y, max_x, max_y,
                created_at, updated_at, version FROM geo_layers
            """
        let query: PostgresQuery =
            if let name { "\(unescaped: columns) WHERE name = \(name.rawValue)" } else { "\(unescaped: columns) ORDER BY name" }
        var result: [LayerInfo] = []
        let rows = try await connection.query(query, logger: logger)
        for try await row in rows {
            let (name, title, type, srid, schema, count, minX, minY, maxX, maxY, created, updated, version) = try row.decode(
                (String, String?, String, Int32, String, Int64, Double?, Double?, Double?, Double?, Date, Date, Int64).self)
            var bbox: BoundingBox?
            if let minX, let minY, let maxX, let maxY { bbox = BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) }
            result.append(LayerInfo(
                name: name, title: title, geometryType: LayerCatalogCoding.geometryType(named: type), srid: srid,
                schema: try LayerCatalogCoding.decodeSchema(schema), featureCount: Int(count), bbox: bbox,
                createdAt: created, updatedAt: updated, version: version))
        }
        return result
    }

    /// Inserts or replaces the entry of `info.name`.
    static func save(_ connection: PostgresConnection, _ info: LayerInfo, logger: Logger) async throws {
        let schema = try LayerCatalogCoding.encodeSchema(info.schema)
        let type = LayerCatalogCoding.geometryTypeName(info.geometryType)
        try await connection.run(
            """
            INSERT INTO geo_layers (name, title, geometry_type, srid, attribute_schema, feature_count,
                min_x, min_y, max_x, max_y, created_at, updated_at, version)
            VALUES (\(info.name), \(info.title), \(type), \(info.srid), \(schema), \(Int64(info.featureCount)),
                \(info.bbox?.minX), \(info.bbox?.minY), \(info.bbox?.maxX), \(info.bbox?.maxY),
                \(info.createdAt), \(info.updatedAt), \(info.version))
            ON CONFLICT (name) DO UPDATE SET title = excluded.title, geometry_type = excluded.geometry_type,
                srid = excluded.srid, attribute_schema = excluded.attribute_schema, feature_count = excluded.feature_count,
                min_x = excluded.min_x, min_y = excluded.min_y, max_x = excluded.max_x, max_y = excluded.max_y,
                created_at = excluded.created_at, updated_at = excluded.updated_at, version = excluded.version
            """, logger: logger)
    }

    /// Hands out the next version number for `layer`: one more than any version it ever had.
    static func nextVersion(_ connection: PostgresConnection, _ layer: LayerName, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO geo_layer_versions (name, last_version) VALUES (\(layer.rawValue), 1)
            ON CONFLICT (name) DO UPDATE SET last_version = geo_layer_versions.last_version + 1
            RETURNING last_version
            """, logger: logger).collect()
        return try rows.first?.decode(Int64.self) ?? 1
    }
}

/// One layer's table. PostgreSQL cuts identifiers at 63 bytes, so a name too long for `layer_<name>` plus the
/// index suffix gets a shortened name with a hash of the whole: two long names never share a table.
struct PostGISLayerTable: Sendable {
    let layer: LayerName
    /// The unquoted table name; built only from a validated layer name.
    let name: String

    init(_ layer: LayerName) {
        self.layer = layer
        let whole = "layer_" + layer.rawValue
        if whole.utf8.count <= 58 {
            name = whole
        } else {
            // FNV-1a, fixed across runs and platforms (Swift's Hasher is seeded per process).
            var hash: UInt32 = 2_166_136_261
            for byte in layer.rawValue.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            name = "layer_" + layer.rawValue.prefix(43) + "_" + String(format: "%08x", hash)
        }
    }

    var quoted: String { "\"\(name)\"" }
    var indexName: String { "\(name)_geom" }

    func exists(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.query("SELECT to_regclass(\(quoted)) IS NOT NULL", logger: logger).collect().first?.decode(Bool.self) ?? false
    }

    /// Creates the table with a NOT NULL geometry column of `geometryType` (any type when nil) in `srid`, which must
    /// be in `spatial_ref_sys` (`invalid_srid` otherwise).
    func create(_ connection: PostgresConnection, srid: Int32, geometryType: GeometryType?, logger: Logger) async throws {
        let known = try await connection.query("SELECT count(*) FROM spatial_ref_sys WHERE srid = \(srid)", logger: logger)
            .collect().first?.decode(Int64.self) ?? 0
        guard known > 0 else { throw GeoError(code: .invalidSRID, message: "SRID \(srid) is not in spatial_ref_sys") }
        let type = geometryType?.rawValue ?? "Geometry"
        try await connection.run(PostgresQuery(unsafeSQL: """
            CREATE TABLE \(quoted) (
                fid bigserial PRIMARY KEY,
                source_id jsonb,
                properties jsonb NOT NULL DEFAULT '{}',
                geom geometry(\(type), \(srid)) NOT NULL
            )
            """), logger: logger)
    }

    /// The GiST index, built once the rows of a new table are in (one bulk build), then statistics for the planner.
    func createSpatialIndex(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run(PostgresQuery(unsafeSQL: "CREATE INDEX \"\(indexName)\" ON \(quoted) USING gist (geom)"), logger: logger)
        try await connection.run(PostgresQuery(unsafeSQL: "ANALYZE \(quoted)"), logger: logger)
    }

    func drop(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(quoted)"), logger: logger)
    }

    /// `SELECT columns FROM` the table, restricted when `box` is given to rows whose bounding box intersects it:
    /// candidates from the GiST index (`&&`), confirmed on the geometry's exact (double-precision) box.
    func select(_ columns: String, bbox box: BoundingBox?, srid: Int32) -> SQLBuilder {
        var query = SQLBuilder("SELECT \(columns) FROM \(quoted)")
        if let box {
            let (minX, minY, maxX, maxY) = (query.bind(box.minX), query.bind(box.minY), query.bind(box.maxX), query.bind(box.maxY))
            query.sql += " WHERE geom && ST_MakeEnvelope(\(minX), \(minY), \(maxX), \(maxY), \(query.bind(srid)))"
                + " AND ST_XMax(geom::box3d) >= \(minX) AND ST_XMin(geom::box3d) <= \(maxX)"
                + " AND ST_YMax(geom::box3d) >= \(minY) AND ST_YMin(geom::box3d) <= \(maxY)"
        }
        return query
    }

    /// Runs a read of the table; a table dropped by a concurrent delete since the catalogue was read is
    /// `layer_not_found`, as it would have been a moment later.
    func query(_ query: PostgresQuery, on connection: PostgresConnection, layer: LayerName, logger: Logger) async throws -> PostgresRowSequence {
        do {
            return try await connection.query(query, logger: logger)
        } catch where PostGISErrors.sqlState(error) == "42P01" {
            throw GeoError.missingLayer(layer)
        }
    }

    /// The columns ``features(_:on:keys:logger:)`` reads.
    static let featureColumns = "fid, source_id::text, properties::text, ST_AsBinary(geom)"

    /// The features a query of ``featureColumns`` selects, their sensitive members opened as the register says.
    func features(_ query: SQLBuilder, on connection: PostgresConnection, keys: DataKeyRing?, logger: Logger) async throws -> [StoredFeature] {
        let seal = try await PostGISSensitiveColumns.seal(of: layer, keys: keys, connection, logger: logger)
        var result: [StoredFeature] = []
        let rows = try await self.query(query.query, on: connection, layer: layer, logger: logger)
        for try await (fid, sourceID, properties, wkb) in rows.decode((Int64, String?, String, Data).self) {
            result.append(try Self.storedFeature(fid: fid, sourceID: sourceID, properties: properties, wkb: wkb, seal: seal))
        }
        return result
    }

    /// A row as a feature, its sealed members opened with `seal`.
    static func storedFeature(fid: Int64, sourceID: String?, properties: String, wkb: Data, seal: PropertySeal?) throws -> StoredFeature {
        let id: FeatureID? =
            switch try sourceID.map(JSON.decode) {
            case .int(let i)?: .int(i)
            case .string(let s)?: .string(s)
            default: nil
            }
        var members: [String: JSONValue] = [:]
        if case .object(let object) = try JSON.decode(properties) { members = try seal?.open(object) ?? object }
        return StoredFeature(fid: fid, feature: Feature(id: id, geometry: try WKB.decode(wkb), properties: members))
    }
}

/// A feature as the values of a layer table's row, in the text forms both `COPY` and a statement's parameters take:
/// the source id and the properties (sensitive members sealed) as JSON text, the geometry as EWKB hex with the
/// layer's SRID. Imports and single-feature edits make rows only here.
struct PostGISFeatureRow {
    /// `source_id`: a JSON number or string, nil for none.
    let sourceID: String?
    /// `properties`: a JSON object.
    let properties: String
    /// `geom`: `SRID=4490;` and the hex of the WKB.
    let geometry: String

    /// The row of feature `index`; `invalid_geometry` (located with `locate`) when it has no geometry.
    init(_ feature: Feature, index: Int, srid: Int32, seal: PropertySeal?, locate: (Int) -> String) throws {
        // Validation guarantees a geometry; the guard keeps this function honest on its own.
        guard let geometry = feature.geometry else {
            throw GeoError(code: .invalidGeometry, message: "feature \(index) has no geometry", location: locate(index))
        }
        sourceID =
            switch feature.id {
            case .int(let i)?: String(i)
            case .string(let s)?: try JSON.encode(.string(s))
            case nil: nil
            }
        properties = try PropertySeal.storedText(of: feature.properties, sealedBy: seal)
        self.geometry = "SRID=\(srid);" + WKB.encodeHex(geometry)
    }
}

/// Writes features into a layer table with `COPY … FROM STDIN` (text format): source id and properties as JSON
/// text, the geometry as EWKB hex with the layer's SRID.
enum PostGISFeatureCopy {
    /// Rows sent per COPY data message.
    static let rowsPerMessage = 500

    static func write<Features: Collection>(
        _ features: Features, into table: PostGISLayerTable, srid: Int32, over connection: PostgresConnection, interval: Int,
        progress: ImportProgressHandler?, locate: (Int) -> String, seal: PropertySeal?, logger: Logger
    ) async throws where Features.Element == Feature {
        let total = features.count
        progress?(0, total)
        var done = 0
        do {
            try await connection.copyFrom(table: table.name, columns: ["source_id", "properties", "geom"], logger: logger) { writer in
                var buffer = ByteBuffer()
                var rowsInBuffer = 0
                for feature in features {
                    let row = try PostGISFeatureRow(feature, index: done, srid: srid, seal: seal, locate: locate)
                    if let sourceID = row.sourceID { appendEscaped(sourceID, to: &buffer) } else { buffer.writeString("\\N") }
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    appendEscaped(row.properties, to: &buffer)
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    buffer.writeString(row.geometry)
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    rowsInBuffer += 1
                    done += 1
                    if rowsInBuffer == rowsPerMessage || done % interval == 0 {
                        try await writer.write(buffer)
                        buffer.clear()
                        rowsInBuffer = 0
                    }
                    if done % interval == 0 && done != total { progress?(done, total) }
                }
                if rowsInBuffer > 0 { try await writer.write(buffer) }
            }
        } catch let error as PSQLError {
            // The server names the row it refused ("COPY layer_x, line 12, column geom: ..."): feature 11.
            if let context = error.serverInfo?[.locationContext], let line = lineNumber(in: context) {
                throw GeoError.rejectedFeature(line - 1, location: locate(line - 1), underlying: PostGISErrors.cause(error))
            }
            throw error
        }
        progress?(done, total)
    }

    /// COPY's text format: backslash, newline, carriage return and tab are escaped.
    static func appendEscaped(_ text: String, to buffer: inout ByteBuffer) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeString("\\\\")
            case UInt8(ascii: "\n"): buffer.writeString("\\n")
            case UInt8(ascii: "\r"): buffer.writeString("\\r")
            case UInt8(ascii: "\t"): buffer.writeString("\\t")
            default: buffer.writeInteger(byte)
            }
        }
    }

    static func lineNumber(in context: String) -> Int? {
        guard let range = context.range(of: "line ") else { return nil }
        let digits = context[range.upperBound...].prefix { $0.isNumber }
        return Int(digits).flatMap { $0 > 0 ? $0 : nil }
    }
}
