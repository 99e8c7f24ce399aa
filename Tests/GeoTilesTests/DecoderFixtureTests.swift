import Foundation
import GeoCore
@testable import GeoTiles
import Testing

/// Tiles cut from longitude/latitude features, compared with what an independent decoder (PyPI
/// mapbox-vector-tile, through tools/tiles/decode_check.py) read from the same tiles:
/// Fixtures/decoded_tiles.json. tools/tiles/make_fixtures.sh regenerates that file: it runs this suite with
/// CITYGEO_TILE_FIXTURE_OUT set, which writes the tiles instead of comparing, then decodes them in Python.
@Suite struct DecoderFixtureTests {
    static func world(_ ring: [(Double, Double)]) -> [Coordinate] { ring.map { WorldCoordinates.project(Coordinate(x: $0.0, y: $0.1)) } }

    /// Features near 大丰 (120.45°E 33.2°N) at zoom 14: polygons with a hole crossing the tile edge, a
    /// multipolygon, lines, points and every value type.
    static func cases() throws -> [(name: String, tile: TileID, layers: [(String, [(UInt64, Geometry, [String: TileValue])])])] {
        let tile = try WebMercator.tile(containing: Coordinate(x: 120.45, y: 33.2), zoom: 14)
        let b = tile.bounds
        let (w, e, s, n) = (b.minX, b.maxX, b.minY, b.maxY)
        let dx = b.width
        let dy = b.height
        let crossing = Geometry.polygon(Polygon(
            exterior: world([(w - 0.2 * dx, s + 0.1 * dy), (w + 0.5 * dx, s + 0.1 * dy), (w + 0.5 * dx, s + 0.6 * dy), (w - 0.2 * dx, s + 0.6 * dy), (w - 0.2 * dx, s + 0.1 * dy)]),
            holes: [world([(w + 0.1 * dx, s + 0.2 * dy), (w + 0.1 * dx, s + 0.3 * dy), (w + 0.2 * dx, s + 0.3 * dy), (w + 0.2 * dx, s + 0.2 * dy), (w + 0.1 * dx, s + 0.2 * dy)])]))
        let square = { (x: Double, y: Double, side: Double) in
            Polygon(exterior: world([(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)]))
        }
        let multi = Geometry.multiPolygon(MultiPolygon([square(w + 0.6 * dx, s + 0.6 * dy, 0.1 * dx), square(w + 0.8 * dx, s + 0.8 * dy, 0.1 * dx)]))
        let road = Geometry.lineString(LineString(world([(w - 0.5 * dx, n - 0.3 * dy), (w + 0.4 * dx, n - 0.35 * dy), (e + 0.5 * dx, n - 0.1 * dy)])))
        let lanes = Geometry.multiLineString(MultiLineString([
            LineString(world([(w + 0.1 * dx, s + 0.9 * dy), (w + 0.3 * dx, s + 0.9 * dy)])),
            LineString(world([(w + 0.1 * dx, s + 0.95 * dy), (w + 0.3 * dx, s + 0.97 * dy)])),
        ]))
        let toilet = Geometry.point(Point(Coordinate(x: w + 0.7 * dx, y: s + 0.3 * dy)))
        let stops = Geometry.multiPoint(MultiPoint([Coordinate(x: w + 0.75 * dx, y: s + 0.2 * dy), Coordinate(x: w + 0.9 * dx, y: s + 0.25 * dy), Coordinate(x: e + 0.5 * dx, y: s)]))
        func projected(_ g: Geometry) -> Geometry {
            switch g {
            case .point, .multiPoint: g.mapCoordinates(WorldCoordinates.project)
            default: g
            }
        }
        return [
            ("grids", tile, [("unit_grids", [
                (1, crossing, ["code": .string("320904001001001"), "area_m2": .double(10285.7)]),
                (2, multi, ["code": .string("320904001001002"), "class": .string("A"), "holes": .int(0)]),
            ])]),
            ("roads_and_pois", tile, [
                ("streets", [(10, road, ["name": .string("幸福大道"), "lanes": .int(4)]), (11, lanes, ["name": .string("背街小巷"), "oneway": .bool(true)])]),
                ("pois", [(20, projected(toilet), ["category": .string("公共厕所"), "rank": .int(-2), "open": .bool(false)]), (21, projected(stops), ["category": .string("公交站")])]),
            ]),
        ]
    }

    static func encode(_ tile: TileID, _ layers: [(String, [(UInt64, Geometry, [String: TileValue])])]) throws -> [UInt8] {
        let clipper = try TileClipper(tile: tile, options: TileOptions())
        var out: [VectorTileLayer] = []
        for (name, features) in layers {
            var encoded: [VectorTileFeature] = []
            for (id, geometry, properties) in features {
                if let cut = try clipper.cut(geometry) { encoded.append(VectorTileFeature(id: id, geometry: cut, properties: properties)) }
            }
            out.append(VectorTileLayer(name: name, features: encoded))
        }
        return VectorTileEncoder.encode(out)
    }

    /// The test decoder's reading, in decode_check.py's shape.
    static func decoded(_ bytes: [UInt8]) throws -> JSONValue {
        var layers: [String: JSONValue] = [:]
        for layer in try DecodedTile(bytes).layers {
            var features: [JSONValue] = []
            for feature in layer.features {
                features.append(.object([
                    "id": feature.id.map { .int(Int64($0)) } ?? .null,
                    "properties": .object(layer.properties(of: feature)),
                    "geometry": try feature.geoJSON(),
                ]))
            }
            layers[layer.name] = .object(["extent": .int(Int64(layer.extent)), "version": .int(Int64(layer.version)), "features": .array(features)])
        }
        return .object(layers)
    }

    @Test func tilesDecodeAsTheIndependentDecoderReadThem() throws {
        let cases = try Self.cases()
        if let directory = ProcessInfo.processInfo.environment["CITYGEO_TILE_FIXTURE_OUT"] {
            for c in cases {
                try Data(try Self.encode(c.tile, c.layers)).write(to: URL(fileURLWithPath: directory).appendingPathComponent("\(c.name).mvt"))
            }
            return
        }
        let url = try #require(Bundle.module.url(forResource: "decoded_tiles", withExtension: "json", subdirectory: "Fixtures"))
        let expected = try #require(try JSON.decode(Array(try Data(contentsOf: url))).objectValue, "decoded_tiles.json is not an object")
        #expect(Set(expected.keys) == Set(cases.map(\.name)))
        for c in cases {
            let actual = try Self.decoded(try Self.encode(c.tile, c.layers))
            #expect(actual == expected[c.name], "\(c.name)")
        }
    }
}
