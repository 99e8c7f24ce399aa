import Foundation
import GeoCore
import Testing

@testable import GeoStore
@testable import GeoStorePostGIS
import StoreBackends

/// Access to Tests/GeoStoreTests/Fixtures.
enum Fixture {
    static func url(_ name: String) -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            fatalError("missing fixture \(name)")
        }
        return url
    }

    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: url(name))) }
}

/// Looks into either backend's schema in one vocabulary, so that a test states one expectation for both.
enum Probe {
    /// Rows of a read-only query, on whichever backend `store` is (PostGIS columns must be cast to text).
    static func rows(_ store: any CityStore, spatialite: String, postgis: String) async throws -> [[String?]] {
        if let store = store as? SpatialStore { return try await store.rows(spatialite) }
        if let store = store as? PostGISStore { return try await store.rows(postgis) }
        Issue.record("no probe for \(type(of: store))")
        return []
    }

    /// Runs one statement, on whichever backend `store` is.
    static func execute(_ store: any CityStore, _ sql: String) async throws(GeoError) {
        if let store = store as? SpatialStore {
            try await store.write { db in try db.execute(sql: sql) }
        } else if let store = store as? PostGISStore {
            try await store.execute(sql)
        }
    }

    /// The registered geometry columns: table, type name (POLYGON, GEOMETRY, ...) and SRID.
    static func geometryColumns(_ store: any CityStore) async throws -> [[String?]] {
        try await rows(
            store,
            spatialite: """
                SELECT f_table_name, CASE geometry_type WHEN 0 THEN 'GEOMETRY' WHEN 1 THEN 'POINT' WHEN 2 THEN 'LINESTRING'
                    WHEN 3 THEN 'POLYGON' WHEN 4 THEN 'MULTIPOINT' WHEN 5 THEN 'MULTILINESTRING' WHEN 6 THEN 'MULTIPOLYGON'
                    ELSE 'GEOMETRYCOLLECTION' END, srid FROM geometry_columns ORDER BY 1
                """,
            postgis: "SELECT f_table_name::text, type::text, srid::text FROM geometry_columns ORDER BY 1")
    }

    /// How many rows the layer's spatial index covers (SpatiaLite: R*Tree entries; PostGIS: the table's rows
    /// when it has a GiST index on geom, else 0).
    static func indexedRows(_ store: any CityStore, layer: String) async throws -> Int {
        let found = try await rows(
            store, spatialite: "SELECT count(*) FROM idx_layer_\(layer)_geom",
            postgis: """
                SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'layer_\(layer)' AND indexdef LIKE '%USING gist (geom)%')
                    THEN (SELECT count(*) FROM layer_\(layer)) ELSE 0 END::text
                """)
        return Int(found.first?.first.flatMap { $0 } ?? "") ?? -1
    }

    /// Tables, indexes and other schema objects whose name contains `fragment`.
    static func schemaObjects(_ store: any CityStore, containing fragment: String) async throws -> [[String?]] {
        try await rows(
            store, spatialite: "SELECT type, name FROM sqlite_master WHERE name LIKE '%\(fragment)%' ORDER BY type, name",
            postgis: "SELECT relkind::text, relname::text FROM pg_class WHERE relname LIKE '%\(fragment)%' ORDER BY 1, 2")
    }
}

/// Everything a failed import must leave untouched: the catalogue, the version counters, the geometry metadata,
/// every layer table and spatial index, and the rows (with geometry bytes) and index of layer `base`.
struct StoreSnapshot: Equatable, CustomStringConvertible {
    var catalogue: [[String?]]
    var versions: [[String?]]
    var geometryColumns: [[String?]]
    var schemaObjects: [[String?]]
    var baseRows: [[String?]]
    var baseIndex: [[String?]]

    static func take(_ store: any CityStore) async throws -> StoreSnapshot {
        StoreSnapshot(
            catalogue: try await Probe.rows(
                store,
                spatialite: "SELECT name, title, geometry_type, srid, attribute_schema, feature_count, min_x, min_y, max_x, max_y, "
                    + "created_at, updated_at, version FROM geo_layers ORDER BY name",
                postgis: "SELECT name::text, title, geometry_type, srid::text, attribute_schema, feature_count::text, min_x::text, "
                    + "min_y::text, max_x::text, max_y::text, created_at::text, updated_at::text, version::text FROM geo_layers ORDER BY name"),
            versions: try await Probe.rows(
                store, spatialite: "SELECT name, last_version FROM geo_layer_versions ORDER BY name",
                postgis: "SELECT name::text, last_version::text FROM geo_layer_versions ORDER BY name"),
            geometryColumns: try await Probe.geometryColumns(store),
            schemaObjects: try await Probe.schemaObjects(store, containing: "layer"),
            baseRows: try await Probe.rows(
                store, spatialite: "SELECT fid, source_id, properties, hex(AsBinary(geom)) FROM layer_base ORDER BY fid",
                postgis: "SELECT fid::text, source_id::text, properties::text, encode(ST_AsEWKB(geom), 'hex') FROM layer_base ORDER BY fid"),
            baseIndex: try await Probe.rows(
                store, spatialite: "SELECT pkid, xmin, ymin, xmax, ymax FROM idx_layer_base_geom ORDER BY pkid",
                postgis: "SELECT indexname::text, indexdef FROM pg_indexes WHERE tablename = 'layer_base' ORDER BY 1"))
    }

    var description: String {
        "catalogue \(catalogue.count) rows, geometry_columns \(geometryColumns.count), base \(baseRows.count) rows"
    }
}

/// A store of `backend` with layer `base` holding the four towns of towns.geojson.
func storeWithBaseLayer(_ backend: StoreBackend) async throws -> any CityStore {
    let store = try await backend.make()
    let info = try await store.importGeoJSON(name: "base", file: Fixture.url("towns.geojson"), options: ImportOptions(title: "乡镇"))
    #expect(info.featureCount == 4)
    return store
}

func square(_ minX: Double, _ minY: Double, _ size: Double) -> Geometry {
    .polygon(Polygon(exterior: [
        Coordinate(x: minX, y: minY), Coordinate(x: minX + size, y: minY), Coordinate(x: minX + size, y: minY + size),
        Coordinate(x: minX, y: minY + size), Coordinate(x: minX, y: minY),
    ]))
}
