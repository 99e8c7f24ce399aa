import Foundation
import GeoCore
import GeoStore
@testable import GeoTiles
import Testing

/// Longitude/latitude to tile commands through projection, clipping, simplification and winding.
@Suite struct ClippingTests {
    /// The latitude of the middle row of zoom-1 tiles' northern half: tile y 0.5 at zoom 1.
    static let latitudeHalf = atan(sinh(Double.pi / 2)) * 180 / .pi

    static func worldPolygon(_ ring: [(Double, Double)], holes: [[(Double, Double)]] = []) -> Geometry {
        .polygon(Polygon(
            exterior: ring.map { WorldCoordinates.project(Coordinate(x: $0.0, y: $0.1)) },
            holes: holes.map { $0.map { WorldCoordinates.project(Coordinate(x: $0.0, y: $0.1)) } }))
    }

    /// A square of lon 45…90, lat 0…66.5 in tile 1/1/0 covers grid x 1024…2048, y 2048…4096. Given
    /// counter-clockwise (RFC 7946), it is written clockwise in tile coordinates starting at its first corner.
    @Test func squareInAKnownTileGivesExactCommands() throws {
        let clipper = try TileClipper(tile: try TileID(z: 1, x: 1, y: 0), options: TileOptions())
        let square = Self.worldPolygon([(45, 0), (90, 0), (90, Self.latitudeHalf), (45, Self.latitudeHalf), (45, 0)])
        let geometry = try #require(try clipper.cut(square))
        #expect(geometry == .polygons([[[TilePoint(1024, 4096), TilePoint(1024, 2048), TilePoint(2048, 2048), TilePoint(2048, 4096)]]]))
        #expect(geometry.commands == [9, 2048, 8192, 26, 0, 4095, 2048, 0, 0, 4096, 15])
    }

    @Test func holesAreWoundCounterClockwise() throws {
        let clipper = try TileClipper(tile: try TileID(z: 1, x: 1, y: 0), options: TileOptions())
        let polygon = Self.worldPolygon(
            [(45, 0), (90, 0), (90, Self.latitudeHalf), (45, Self.latitudeHalf), (45, 0)],
            holes: [[(56.25, 30), (56.25, 40), (78.75, 40), (78.75, 30), (56.25, 30)]])
        guard case .polygons(let polygons)? = try clipper.cut(polygon) else {
            Issue.record("no polygon")
            return
        }
        #expect(polygons.count == 1)
        #expect(polygons[0].count == 2)
        #expect(TileGeometry.doubleSignedArea(polygons[0][0]) > 0)
        #expect(TileGeometry.doubleSignedArea(polygons[0][1]) < 0)
        // lon 56.25 and 78.75 are grid x 1280 and 1792 exactly.
        #expect(Set(polygons[0][1].map(\.x)) == [1280, 1792])
    }

    /// A polygon reaching past the tile's west and south edges is cut at the buffer: x -64 and y 4096 + 64.
    @Test func polygonCrossingTheTileEdgeIsCutAtTheBuffer() throws {
        let clipper = try TileClipper(tile: try TileID(z: 1, x: 1, y: 0), options: TileOptions())
        let polygon = Self.worldPolygon([(-10, -10), (90, -10), (90, Self.latitudeHalf), (-10, Self.latitudeHalf), (-10, -10)])
        guard case .polygons(let polygons)? = try clipper.cut(polygon) else {
            Issue.record("no polygon")
            return
        }
        let ring = polygons[0][0]
        #expect(ring.map(\.x).min() == -64)
        #expect(ring.map(\.x).max() == 2048)
        #expect(ring.map(\.y).min() == 2048)
        #expect(ring.map(\.y).max() == 4160)
        #expect(Set(ring) == [TilePoint(-64, 2048), TilePoint(2048, 2048), TilePoint(2048, 4160), TilePoint(-64, 4160)])
        #expect(TileGeometry.doubleSignedArea(ring) > 0)
    }

    /// A self-crossing (bow-tie) polygon is repaired once, when the layer snapshot is built, into its two
    /// triangles, which are then cut like any polygon: both exteriors wound positive, clipped at the buffer.
    @Test func invalidPolygonsAreRepairedInTheSnapshot() throws {
        let bowTie = try #require(Self.worldPolygon([(-10, 10), (90, Self.latitudeHalf), (90, 10), (-10, Self.latitudeHalf), (-10, 10)]).polygons.first)
        let lonLat = Geometry.polygon(bowTie.mapCoordinates { world in
            let m = WebMercator.originShift
            return WebMercator.unproject(Coordinate(x: world.x * 2 * m - m, y: m - world.y * 2 * m))
        })
        let info = LayerInfo(
            name: "bad", title: nil, geometryType: .polygon, srid: 4490, schema: [], featureCount: 1, bbox: lonLat.boundingBox,
            createdAt: Date(), updatedAt: Date(), version: 1)
        let snapshot = LayerSnapshot(info: info, stored: [StoredFeature(fid: 1, feature: Feature(geometry: lonLat))])
        #expect(snapshot.items.first?.world.polygons.count == 2)
        let clipper = try TileClipper(tile: try TileID(z: 1, x: 1, y: 0), options: TileOptions())
        guard let item = snapshot.items.first, case .polygons(let polygons)? = try clipper.cut(item.world) else {
            Issue.record("bow-tie dropped")
            return
        }
        #expect(polygons.count == 2)
        #expect(polygons.allSatisfy { TileGeometry.doubleSignedArea($0[0]) > 0 })
        #expect(polygons.flatMap { $0[0] }.map(\.x).min() == -64)
    }

    @Test func bufferSizeIsAnOption() throws {
        let clipper = try TileClipper(tile: try TileID(z: 1, x: 1, y: 0), options: TileOptions(buffer: 0))
        let line = Geometry.lineString(LineString([Coordinate(x: -20, y: 30), Coordinate(x: 90, y: 30)].map(WorldCoordinates.project)))
        guard case .lineStrings(let lines)? = try clipper.cut(line) else {
            Issue.record("no line")
            return
        }
        #expect(lines.count == 1)
        #expect(lines[0].first?.x == 0)
        #expect(lines[0].last?.x == 2048)
    }

    @Test func featuresOutsideTheTileAndBufferGiveNothing() throws {
        let clipper = try TileClipper(tile: try TileID(z: 1, x: 1, y: 0), options: TileOptions())
        #expect(try clipper.cut(.point(Point(WorldCoordinates.project(Coordinate(x: -90, y: 30))))) == nil)
        // Just inside the buffer west of the tile: 32 grid units at zoom 1 are 32/8192 of 360°.
        let inBuffer = Coordinate(x: -32.0 / 8192 * 360, y: 30)
        guard case .points(let points)? = try clipper.cut(.point(Point(WorldCoordinates.project(inBuffer)))) else {
            Issue.record("buffer point dropped")
            return
        }
        #expect(points.first?.x == -32)
    }

    /// A multipolygon with one part in the tile keeps just that part; a collection keeps its polygons.
    @Test func multiGeometriesKeepTheirPartsInTheTile() throws {
        let clipper = try TileClipper(tile: try TileID(z: 1, x: 1, y: 0), options: TileOptions())
        let inside = try #require(Self.worldPolygon([(45, 0), (90, 0), (90, 30), (45, 30), (45, 0)]).polygons.first)
        let outside = try #require(Self.worldPolygon([(-90, 0), (-45, 0), (-45, 30), (-90, 30), (-90, 0)]).polygons.first)
        guard case .polygons(let polygons)? = try clipper.cut(.multiPolygon(MultiPolygon([inside, outside]))) else {
            Issue.record("no polygon")
            return
        }
        #expect(polygons.count == 1)
        let collection = Geometry.geometryCollection(GeometryCollection([.polygon(inside), .point(Point(inside.exterior[0]))]))
        #expect(try clipper.cut(collection)?.type == .polygon)
    }

    /// Simplification removes a vertex less than one grid unit off a straight edge, but not one 3 units off.
    @Test func simplificationWorksInGridUnits() throws {
        let tile = try TileID(z: 10, x: 0, y: 0)
        let clipper = try TileClipper(tile: tile, options: TileOptions())
        func world(_ x: Double, _ y: Double) -> Coordinate { Coordinate(x: x / 4096 / 1024, y: y / 4096 / 1024) }
        let nearlyStraight = Geometry.lineString(LineString([world(100, 100), world(500, 100.4), world(900, 100), world(1300, 100), world(1700, 100), world(1700, 900)]))
        guard case .lineStrings(let lines)? = try clipper.cut(nearlyStraight) else {
            Issue.record("no line")
            return
        }
        #expect(lines[0] == [TilePoint(100, 100), TilePoint(1700, 100), TilePoint(1700, 900)])
        let bent = Geometry.lineString(LineString([world(100, 100), world(500, 103), world(900, 100), world(1300, 100), world(1700, 100)]))
        guard case .lineStrings(let kept)? = try clipper.cut(bent) else {
            Issue.record("no line")
            return
        }
        #expect(kept[0].contains(TilePoint(500, 103)))
    }
}
