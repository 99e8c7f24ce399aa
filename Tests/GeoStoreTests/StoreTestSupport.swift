import Foundation
import GeoCore
import Testing

@testable import GeoStore

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

/// Everything a failed import must leave untouched: the catalogue, the version counters, SpatiaLite's geometry
/// metadata, every layer table and R*Tree, and the rows (with geometry bytes) and index entries of layer `base`.
struct StoreSnapshot: Equatable, CustomStringConvertible {
    var catalogue: [[String?]]
    var versions: [[String?]]
    var geometryColumns: [[String?]]
    var schemaObjects: [[String?]]
    var baseRows: [[String?]]
    var baseIndex: [[String?]]

    static func take(_ store: SpatialStore) async throws -> StoreSnapshot {
        StoreSnapshot(
            catalogue: try await store.rows(
                "SELECT name, title, geometry_type, srid, attribute_schema, feature_count, min_x, min_y, max_x, max_y, "
                    + "created_at, updated_at, version FROM geo_layers ORDER BY name"),
            versions: try await store.rows("SELECT name, last_version FROM geo_layer_versions ORDER BY name"),
            geometryColumns: try await store.rows(
                "SELECT f_table_name, f_geometry_column, geometry_type, srid, spatial_index_enabled FROM geometry_columns ORDER BY 1"),
            schemaObjects: try await store.rows(
                "SELECT type, name FROM sqlite_master WHERE name LIKE '%layer%' ORDER BY type, name"),
            baseRows: try await store.rows(
                "SELECT fid, source_id, properties, hex(AsBinary(geom)) FROM layer_base ORDER BY fid"),
            baseIndex: try await store.rows("SELECT pkid, xmin, ymin, xmax, ymax FROM idx_layer_base_geom ORDER BY pkid"))
    }

    var description: String {
        "catalogue \(catalogue.count) rows, geometry_columns \(geometryColumns.count), base \(baseRows.count) rows"
    }
}

/// A store with layer `base` holding the four towns of towns.geojson.
func storeWithBaseLayer() async throws -> SpatialStore {
    let store = try SpatialStore.temporary()
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
