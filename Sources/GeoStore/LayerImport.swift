import Foundation
import GeoCore
internal import GRDB

extension SpatialStore {
    /// Imports `features` into layer `name` in one transaction; see
    /// ``FeatureStore/importLayer(name:features:options:progress:locate:)``.
    public func importLayer<Features: Collection & Sendable>(
        name: String, features: Features, options: ImportOptions, progress: ImportProgressHandler?,
        locate: @escaping @Sendable (Int) -> String
    ) async throws(GeoError) -> LayerInfo where Features.Element == Feature {
        let layer = try LayerName(name)
        // Checked outside the transaction: pure computation, so the write lock is held only for writing.
        let summary = try ImportValidator.validate(features, options: options, locate: locate)
        let keys = dataKeys
        return try await write { db in
            try ImportWriter.write(
                db, layer: layer, features: features, summary: summary, options: options, progress: progress,
                locate: locate, seal: try PropertySeal.load(db, layer: layer.rawValue, keys: keys))
        }
    }
}

/// What validation learnt about a batch of features: what every backend needs to create the layer and its
/// catalogue entry without reading the features again.
public struct ImportSummary: Sendable {
    /// The first feature index of each geometry type present.
    public var firstIndexOfType: [GeometryType: Int] = [:]
    /// The extent of every geometry; nil when there are none.
    public var bbox: BoundingBox?
    /// The attribute types found in the properties (see ``AttributeTypeInference``).
    public var schema: [String: AttributeType] = [:]
    /// How many features were checked.
    public var count = 0

    public init() {}

    /// The single geometry type of every feature, or nil when they differ (or there are none).
    public var commonType: GeometryType? { firstIndexOfType.count == 1 ? firstIndexOfType.keys.first : nil }
}

/// Checks features before they reach any database, so that every backend refuses the same input with the same
/// ``GeoError`` (code, message and location).
public enum ImportValidator {
    /// Checks `features` as ``FeatureStore/importLayer(name:features:options:progress:locate:)`` documents and
    /// summarises them; the first bad feature throws, located with `locate`.
    public static func validate<Features: Collection>(
        _ features: Features, options: ImportOptions, locate: (Int) -> String
    ) throws(GeoError) -> ImportSummary where Features.Element == Feature {
        guard options.progressInterval > 0 else {
            throw GeoError(code: .invalidArgument, message: "progressInterval must be positive, got \(options.progressInterval)")
        }
        guard options.srid > 0 else {
            throw GeoError(code: .invalidSRID, message: "SRID must be positive, got \(options.srid)")
        }
        var summary = ImportSummary()
        let geographic = SpatialReference.isGeographic(options.srid)
        for (index, feature) in features.enumerated() {
            guard let geometry = feature.geometry else {
                throw GeoError(
                    code: .invalidGeometry, message: "feature \(index) has no geometry; every feature of a layer needs one",
                    location: locate(index))
            }
            if let problem = GeometryCheck.problem(in: geometry) {
                throw GeoError(code: .invalidGeometry, message: "feature \(index): \(problem)", location: locate(index))
            }
            var coordinateProblem: GeoError?
            geometry.forEachCoordinate { c in
                guard coordinateProblem == nil else { return }
                if !c.isFinite {
                    coordinateProblem = GeoError(
                        code: .invalidGeometry, message: "feature \(index) has a non-finite coordinate (\(c.x), \(c.y))",
                        location: locate(index))
                } else if geographic && !c.isValidGeographic {
                    coordinateProblem = GeoError(
                        code: .outOfRange,
                        message: "feature \(index) has coordinate (\(c.x), \(c.y)) outside longitude [-180, 180] / "
                            + "latitude [-90, 90], required by SRID \(options.srid)",
                        location: locate(index))
                }
            }
            if let coordinateProblem { throw coordinateProblem }
            let type = geometry.type
            if let required = options.geometryType, type != required {
                throw GeoError(
                    code: .invalidGeometry,
                    message: "feature \(index) is a \(type.rawValue) but the layer holds \(required.rawValue) geometries",
                    location: locate(index))
            }
            if summary.firstIndexOfType[type] == nil { summary.firstIndexOfType[type] = index }
            if let box = geometry.boundingBox { summary.bbox = summary.bbox.map { $0.union(box) } ?? box }
            for (key, value) in feature.properties {
                guard let kind = AttributeTypeInference.type(of: value) else { continue }
                summary.schema[key] = AttributeTypeInference.merge(summary.schema[key], kind)
            }
            summary.count += 1
        }
        return summary
    }
}

/// Structural checks of a geometry: what a reader would reject, applied to geometries built in code.
enum GeometryCheck {
    /// Why `geometry` cannot be stored, or nil when it can.
    static func problem(in geometry: Geometry) -> String? {
        switch geometry {
        case .point(let p):
            return p.isEmpty ? "empty geometry (POINT EMPTY)" : nil
        case .lineString(let l):
            return lineProblem(l.coordinates)
        case .polygon(let p):
            return polygonProblem(p)
        case .multiPoint(let m):
            if m.points.isEmpty { return "empty geometry (MULTIPOINT EMPTY)" }
            return m.points.contains { $0.x.isNaN && $0.y.isNaN } ? "multipoint holds an empty point" : nil
        case .multiLineString(let m):
            if m.lineStrings.isEmpty { return "empty geometry (MULTILINESTRING EMPTY)" }
            return m.lineStrings.lazy.compactMap { lineProblem($0.coordinates) }.first
        case .multiPolygon(let m):
            if m.polygons.isEmpty { return "empty geometry (MULTIPOLYGON EMPTY)" }
            return m.polygons.lazy.compactMap(polygonProblem).first
        case .geometryCollection(let g):
            if g.geometries.isEmpty { return "empty geometry (GEOMETRYCOLLECTION EMPTY)" }
            // SpatiaLite cannot read a collection inside a collection (PostGIS can): refused before any backend
            // sees it, so that a layer stores the same features wherever it lives.
            if g.geometries.contains(where: { $0.type == .geometryCollection }) {
                return "a geometry collection inside a geometry collection cannot be stored"
            }
            return g.geometries.lazy.compactMap(problem(in:)).first
        }
    }

    private static func lineProblem(_ line: [Coordinate]) -> String? {
        if line.isEmpty { return "empty geometry (LINESTRING EMPTY)" }
        return line.count < 2 ? "a line string needs at least 2 positions" : nil
    }

    private static func polygonProblem(_ polygon: Polygon) -> String? {
        if polygon.exterior.isEmpty { return "empty geometry (POLYGON EMPTY)" }
        for ring in polygon.rings {
            if ring.count < 4 { return "a polygon ring needs at least 4 positions, found \(ring.count)" }
            if ring.first != ring.last { return "a polygon ring is not closed" }
        }
        return nil
    }
}

/// The attribute type of property values, and how types combine across features.
public enum AttributeTypeInference {
    /// The type of one value; nil for null, which says nothing about the column.
    public static func type(of value: JSONValue) -> AttributeType? {
        switch value {
        case .null: nil
        case .bool: .boolean
        case .int: .integer
        case .double: .real
        case .string: .text
        case .array, .object: .json
        }
    }

    /// The type of a column holding values of types `a` and `b`: integers widen to reals, anything else
    /// mixed becomes json (properties are stored as JSON, so nothing is lost).
    public static func merge(_ a: AttributeType?, _ b: AttributeType) -> AttributeType {
        guard let a, a != b else { return b }
        if Set([a, b]) == [.integer, .real] { return .real }
        return .json
    }
}

/// Writes a validated batch inside the caller's transaction.
enum ImportWriter {
    static func write<Features: Collection>(
        _ db: Database, layer: LayerName, features: Features, summary: ImportSummary, options: ImportOptions,
        progress: ImportProgressHandler?, locate: (Int) -> String, seal: PropertySeal?
    ) throws -> LayerInfo where Features.Element == Feature {
        let existing = try LayerCatalog.fetch(db, name: layer)
        let plan = try ImportPlan(
            layer: layer, existing: existing, tableExists: try LayerTables.exists(db, layer: layer), summary: summary,
            options: options, locate: locate)
        if plan.dropsTable { try LayerTables.drop(db, layer: layer) }
        if plan.createsTable {
            try LayerTables.create(db, layer: layer, srid: options.srid, geometryType: plan.geometryType)
        }
        try insert(db, layer: layer, features: features, srid: options.srid, options: options, progress: progress, locate: locate, seal: seal)
        // A new layer gets its R*Tree after the rows: one bulk build instead of a trigger per row
        // (about a third of the insert time for points).
        if plan.createsTable { try LayerTables.createSpatialIndex(db, layer: layer) }
        let info = plan.catalogueEntry(summary: summary, options: options, version: try LayerCatalog.nextVersion(db, name: layer), now: Date())
        try LayerCatalog.save(db, info)
        // Read back so that the caller gets exactly what the catalogue holds (timestamps at stored precision).
        return try LayerCatalog.fetch(db, name: layer) ?? info
    }

    /// Inserts every feature through one prepared statement.
    private static func insert<Features: Collection>(
        _ db: Database, layer: LayerName, features: Features, srid: Int32, options: ImportOptions,
        progress: ImportProgressHandler?, locate: (Int) -> String, seal: PropertySeal?
    ) throws where Features.Element == Feature {
        let statement = try db.makeStatement(sql: LayerRow.insertSQL(layer))
        let total = features.count
        progress?(0, total)
        var done = 0
        for feature in features {
            try LayerRow.write(feature, index: done, with: statement, srid: srid, seal: seal, locate: locate)
            done += 1
            if done % options.progressInterval == 0 && done != total { progress?(done, total) }
        }
        progress?(done, total)
    }
}

/// A feature as a row of its layer's table: the source id (an integer or text), the properties as JSON text (sensitive
/// members sealed) and the geometry from WKB in the layer's SRID. Imports and single-feature edits write rows only
/// through here.
enum LayerRow {
    /// Inserts one row; its arguments are ``write(_:index:with:srid:seal:locate:after:)``'s.
    static func insertSQL(_ layer: LayerName) -> String {
        "INSERT INTO \"\(layer.tableName)\" (source_id, properties, \(LayerSchema.geometryColumn)) VALUES (?, ?, GeomFromWKB(?, ?))"
    }

    /// Rewrites the row whose fid is the last argument.
    static func updateSQL(_ layer: LayerName) -> String {
        "UPDATE \"\(layer.tableName)\" SET source_id = ?, properties = ?, \(LayerSchema.geometryColumn) = GeomFromWKB(?, ?) WHERE fid = ?"
    }

    /// Runs `statement` (``insertSQL(_:)`` or ``updateSQL(_:)``) with feature `index`'s values followed by `extra`.
    /// A row the database refuses is `invalid_geometry`, located with `locate`.
    static func write(
        _ feature: Feature, index: Int, with statement: Statement, srid: Int32, seal: PropertySeal?, locate: (Int) -> String,
        after extra: StatementArguments = []
    ) throws {
        // Validation guarantees a geometry; the guard keeps this function honest on its own.
        guard let geometry = feature.geometry else {
            throw GeoError(code: .invalidGeometry, message: "feature \(index) has no geometry", location: locate(index))
        }
        let sourceID: (any DatabaseValueConvertible)? =
            switch feature.id {
            case .int(let i)?: i
            case .string(let s)?: s
            case nil: nil
            }
        let properties = try PropertySeal.storedText(of: feature.properties, sealedBy: seal)
        statement.setUncheckedArguments([sourceID, properties, WKB.encodeData(geometry), Int64(srid)] + extra)
        do {
            try statement.execute()
        } catch let error as DatabaseError {
            // SpatiaLite's triggers reject a geometry of the wrong type or SRID; GeomFromWKB yields NULL for
            // bytes it cannot read, which the NOT NULL geometry column refuses.
            throw GeoError.rejectedFeature(index, location: locate(index), underlying: error.message)
        }
    }
}

/// What an import does to its layer, decided from the catalogue entry and the table that exist before it: the
/// same decisions and the same errors on every backend.
public struct ImportPlan: Sendable {
    public let layer: LayerName
    /// The layer's catalogue entry before the import.
    public let existing: LayerInfo?
    /// The layer appended to, in ``ImportMode/append`` over an existing layer.
    public let appendingTo: LayerInfo?
    /// Whether the old table goes first (``ImportMode/replace`` over an existing layer or table).
    public let dropsTable: Bool
    /// The geometry type of the layer after the import (nil: any type).
    public let geometryType: GeometryType?

    /// Whether the import creates the layer's table (and its spatial index after the rows).
    public var createsTable: Bool { appendingTo == nil }

    /// Decides, or throws `layer_exists` (the layer exists in ``ImportMode/failIfExists``, or a table without a
    /// catalogue entry is in the way of an append), `srid_mismatch` or `invalid_geometry` (an append whose SRID or
    /// geometry type disagrees with the layer's, located with `locate`).
    public init(
        layer: LayerName, existing: LayerInfo?, tableExists: Bool, summary: ImportSummary, options: ImportOptions,
        locate: (Int) -> String
    ) throws(GeoError) {
        self.layer = layer
        self.existing = existing
        var appendingTo: LayerInfo?
        var dropsTable = false
        switch options.mode {
        case .failIfExists:
            if existing != nil || tableExists {
                throw GeoError(
                    code: .layerExists,
                    message: "layer \"\(layer)\" already exists: choose replace or append, or another name")
            }
        case .replace:
            dropsTable = existing != nil || tableExists
        case .append:
            if let existing {
                appendingTo = existing
            } else if tableExists {
                throw GeoError(
                    code: .layerExists,
                    message: "table layer_\(layer) exists but is not in the layer catalogue: import with replace")
            }
        }
        if let target = appendingTo {
            guard target.srid == options.srid else {
                throw GeoError(
                    code: .sridMismatch,
                    message: "layer \"\(layer)\" has SRID \(target.srid) but the import is in SRID \(options.srid)")
            }
            if let required = target.geometryType,
                let (type, index) = summary.firstIndexOfType.first(where: { $0.key != required })
            {
                throw GeoError(
                    code: .invalidGeometry,
                    message: "feature \(index) is a \(type.rawValue) but layer \"\(layer)\" holds \(required.rawValue) geometries",
                    location: locate(index))
            }
            geometryType = target.geometryType
        } else {
            geometryType = options.geometryType ?? summary.commonType
        }
        self.appendingTo = appendingTo
        self.dropsTable = dropsTable
    }

    /// The layer's catalogue entry after the import: the appended layer's schema widened by the new features',
    /// counts and extents added, the title kept unless the options give one.
    public func catalogueEntry(summary: ImportSummary, options: ImportOptions, version: Int64, now: Date) -> LayerInfo {
        var schema = summary.schema
        for field in appendingTo?.schema ?? [] {
            schema[field.name] = schema[field.name].map { AttributeTypeInference.merge(field.type, $0) } ?? field.type
        }
        var bbox = appendingTo?.bbox
        if let box = summary.bbox { bbox = bbox.map { $0.union(box) } ?? box }
        return LayerInfo(
            name: layer.rawValue,
            title: options.title ?? appendingTo?.title ?? (options.mode == .replace ? existing?.title : nil),
            geometryType: geometryType, srid: options.srid,
            schema: schema.map { AttributeField(name: $0.key, type: $0.value) }.sorted { $0.name < $1.name },
            featureCount: (appendingTo?.featureCount ?? 0) + summary.count, bbox: bbox,
            createdAt: appendingTo?.createdAt ?? now, updatedAt: now, version: version)
    }
}

/// Creates and drops layer tables with their SpatiaLite geometry column and R*Tree index.
enum LayerTables {
    /// Creates `layer_<name>`: fid, source id, properties as JSON text, and a NOT NULL XY geometry column of
    /// `geometryType` (any type when nil) registered in `geometry_columns`. The spatial index comes later,
    /// from ``createSpatialIndex(_:layer:)``, once the rows are in.
    static func create(_ db: Database, layer: LayerName, srid: Int32, geometryType: GeometryType?) throws {
        // source_id has no declared type, so it keeps what it is given: integer ids stay integers, strings strings.
        // AUTOINCREMENT: a fid is never given out twice in a layer, even after the feature holding the highest one is
        // deleted (OGC API items are named by fid), as GeoPackage feature tables and PostGIS's sequence behave.
        try db.execute(
            sql: "CREATE TABLE \"\(layer.tableName)\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, source_id, properties TEXT NOT NULL DEFAULT '{}')")
        let known = try Int.fetchOne(db, sql: "SELECT count(*) FROM spatial_ref_sys WHERE srid = ?", arguments: [Int64(srid)]) ?? 0
        guard known > 0 else {
            throw GeoError(code: .invalidSRID, message: "SRID \(srid) is not in spatial_ref_sys")
        }
        let added = try Int.fetchOne(
            db, sql: "SELECT AddGeometryColumn(?, ?, ?, ?, 'XY', 1)",
            arguments: [layer.tableName, LayerSchema.geometryColumn, Int64(srid), spatialiteTypeName(geometryType)])
        guard added == 1 else {
            throw GeoError(code: .databaseError, message: "AddGeometryColumn failed for layer \"\(layer)\"")
        }
        db.clearSchemaCache()
    }

    /// Creates the R*Tree `idx_layer_<name>_geom`, filled from the rows already present, and the triggers
    /// that keep it in step with later changes.
    static func createSpatialIndex(_ db: Database, layer: LayerName) throws {
        let indexed = try Int.fetchOne(
            db, sql: "SELECT CreateSpatialIndex(?, ?)", arguments: [layer.tableName, LayerSchema.geometryColumn])
        guard indexed == 1 else {
            throw GeoError(code: .databaseError, message: "CreateSpatialIndex failed for layer \"\(layer)\"")
        }
        // SpatiaLite created the R*Tree and triggers behind GRDB's back: forget any cached schema.
        db.clearSchemaCache()
    }

    /// Drops the table, its geometry metadata and its spatial index (SpatiaLite's DropTable does all three).
    static func drop(_ db: Database, layer: LayerName) throws {
        let dropped = try Int.fetchOne(db, sql: "SELECT DropTable(NULL, ?)", arguments: [layer.tableName])
        guard dropped == 1 else {
            throw GeoError(code: .databaseError, message: "DropTable failed for layer \"\(layer)\"")
        }
        // DropTable ran its DROP statements inside SpatiaLite, unseen by GRDB's schema cache.
        db.clearSchemaCache()
    }

    /// Whether the layer's table exists, asked of sqlite_master itself rather than a schema cache, because
    /// SpatiaLite functions create and drop tables without GRDB noticing.
    static func exists(_ db: Database, layer: LayerName) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)",
            arguments: [layer.tableName]) ?? false
    }

    /// The geometry type name AddGeometryColumn expects.
    static func spatialiteTypeName(_ type: GeometryType?) -> String {
        type?.rawValue.uppercased() ?? "GEOMETRY"
    }
}
