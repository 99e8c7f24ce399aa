import Foundation
import GeoCore
internal import GRDB

/// Reads and writes the `geo_layers` catalogue. Every function runs inside the caller's transaction.
enum LayerCatalog {

    static func fetch(_ db: Database, name: LayerName) throws -> LayerInfo? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM geo_layers WHERE name = ?", arguments: [name.rawValue])
        else { return nil }
        return try info(from: row)
    }

    static func fetchAll(_ db: Database) throws -> [LayerInfo] {
        try Row.fetchAll(db, sql: "SELECT * FROM geo_layers ORDER BY name").map(info(from:))
    }

    /// Inserts or replaces the entry of `info.name`.
    static func save(_ db: Database, _ info: LayerInfo) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO geo_layers
                    (name, title, geometry_type, srid, attribute_schema, feature_count,
                     min_x, min_y, max_x, max_y, created_at, updated_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                info.name, info.title, LayerCatalogCoding.geometryTypeName(info.geometryType), Int64(info.srid),
                try LayerCatalogCoding.encodeSchema(info.schema), info.featureCount,
                info.bbox?.minX, info.bbox?.minY, info.bbox?.maxX, info.bbox?.maxY,
                formatDate(info.createdAt), formatDate(info.updatedAt), info.version,
            ])
    }

    static func delete(_ db: Database, name: LayerName) throws {
        try db.execute(sql: "DELETE FROM geo_layers WHERE name = ?", arguments: [name.rawValue])
    }

    /// Hands out the next version number for `name`: one more than any version it ever had.
    static func nextVersion(_ db: Database, name: LayerName) throws -> Int64 {
        let last = try Int64.fetchOne(
            db, sql: "SELECT last_version FROM geo_layer_versions WHERE name = ?", arguments: [name.rawValue]) ?? 0
        let next = last + 1
        try db.execute(
            sql: "INSERT OR REPLACE INTO geo_layer_versions (name, last_version) VALUES (?, ?)",
            arguments: [name.rawValue, next])
        return next
    }

    // MARK: row mapping

    private static func info(from row: Row) throws -> LayerInfo {
        let typeName: String = row["geometry_type"]
        var bbox: BoundingBox?
        if let minX: Double = row["min_x"], let minY: Double = row["min_y"], let maxX: Double = row["max_x"],
            let maxY: Double = row["max_y"]
        {
            bbox = BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
        }
        let srid: Int64 = row["srid"]
        return LayerInfo(
            name: row["name"], title: row["title"], geometryType: LayerCatalogCoding.geometryType(named: typeName),
            srid: Int32(truncatingIfNeeded: srid), schema: try LayerCatalogCoding.decodeSchema(row["attribute_schema"]),
            featureCount: row["feature_count"], bbox: bbox,
            createdAt: parseDate(row["created_at"]), updatedAt: parseDate(row["updated_at"]), version: row["version"])
    }

    // ISO 8601 in UTC with milliseconds: readable in the sqlite3 shell and sortable as text.
    static func formatDate(_ date: Date) -> String {
        TimeText.format(date.timeIntervalSince1970, utcOffset: 0, fractionalDigits: 3)
    }

    static func parseDate(_ text: String) -> Date {
        Date(timeIntervalSince1970: (try? TimeText.seconds(text, field: "updated_at")) ?? 0)
    }
}

/// The catalogue's columns as text, the same in every backend's catalogue table: the geometry type by its GeoJSON
/// name (`Geometry` for any type) and the attribute schema as a JSON array of `{"name", "type"}`.
public enum LayerCatalogCoding {
    /// The `geometry_type` value of a layer that accepts any geometry type.
    public static let anyGeometryType = "Geometry"

    /// The stored name of a layer's geometry type.
    public static func geometryTypeName(_ type: GeometryType?) -> String {
        type?.rawValue ?? anyGeometryType
    }

    /// The geometry type a stored name stands for; nil for ``anyGeometryType``.
    public static func geometryType(named name: String) -> GeometryType? {
        GeometryType(rawValue: name)
    }

    /// The schema as stored: `[{"name": "code", "type": "text"}, ...]`.
    public static func encodeSchema(_ schema: [AttributeField]) throws(GeoError) -> String {
        try JSON.encode(.array(schema.map { .object(["name": .string($0.name), "type": .string($0.type.rawValue)]) }))
    }

    /// The schema read back; `database_error` when the stored text is not one.
    public static func decodeSchema(_ text: String) throws(GeoError) -> [AttributeField] {
        guard case .array(let items) = try JSON.decode(text) else {
            throw GeoError(code: .databaseError, message: "corrupt attribute schema in the layer catalogue")
        }
        var fields: [AttributeField] = []
        for item in items {
            guard case .object(let members) = item, let name = members["name"]?.stringValue,
                let type = members["type"]?.stringValue.flatMap(AttributeType.init(rawValue:))
            else { throw GeoError(code: .databaseError, message: "corrupt attribute schema in the layer catalogue") }
            fields.append(AttributeField(name: name, type: type))
        }
        return fields
    }
}
