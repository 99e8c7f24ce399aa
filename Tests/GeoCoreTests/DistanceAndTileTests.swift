import Foundation
import GeoCore
import Testing

/// Vincenty and haversine against pyproj's Karney geodesics; tile math against mercantile.
@Suite struct DistanceTests {
    static let table = try! FixtureTable("geodesic_reference")

    @Test func vincentyMatchesKarney() {
        #expect(Self.table.rows.count == 300)
        var worst = 0.0
        for row in Self.table.rows {
            let a = Coordinate(x: row.double("lon1"), y: row.double("lat1"))
            let b = Coordinate(x: row.double("lon2"), y: row.double("lat2"))
            let expected = row.double("distance_m")
            let result = Geodesic.inverse(from: a, to: b)
            let error = abs(result.distance - expected)
            worst = max(worst, error)
            // Nearly antipodal pairs may use the fallback: still within 1 m of 20,000 km.
            #expect(error < (result.method == .vincenty ? 1e-3 : 1), "\(a) → \(b): \(result.distance) vs \(expected) (\(result.method))")
        }
        #expect(worst < 1)
    }

    /// The sphere's error against the ellipsoid peaks near 0.56 % (meridional arcs near the poles, nearly
    /// antipodal pairs); at city scale around 33°N it stays under 0.3 %.
    @Test func haversineIsWithinTheSphericalModelsError() {
        for row in Self.table.rows where row.double("distance_m") > 0 {
            let a = Coordinate(x: row.double("lon1"), y: row.double("lat1"))
            let b = Coordinate(x: row.double("lon2"), y: row.double("lat2"))
            let expected = row.double("distance_m")
            #expect(abs(Geodesic.haversineDistance(from: a, to: b) - expected) <= 0.006 * expected)
            if abs(a.y - 33.2) < 1, abs(a.x - 120.5) < 1 {
                #expect(abs(Geodesic.haversineDistance(from: a, to: b) - expected) <= 0.003 * expected)
            }
        }
    }

    @Test func destinationInvertsTheInverseProblem() {
        for row in Self.table.rows.prefix(80) {
            let a = Coordinate(x: row.double("lon1"), y: row.double("lat1"))
            let target = Coordinate(x: row.double("lon2"), y: row.double("lat2"))
            let end = Geodesic.destination(from: a, azimuth: row.double("azimuth1"), distance: row.double("distance_m")).coordinate
            #expect(Geodesic.distance(from: end, to: target) < 1e-3)
        }
    }

    @Test func samePointIsZeroMetres() {
        let p = Coordinate(x: 120.465, y: 33.199)
        #expect(Geodesic.distance(from: p, to: p) == 0)
        #expect(Geodesic.haversineDistance(from: p, to: p) == 0)
    }
}

@Suite struct TileMathTests {
    static let table = try! FixtureTable("tile_reference")

    @Test func tilesAndBoundsMatchMercantile() throws {
        #expect(Self.table.rows.count == 200)
        for row in Self.table.rows {
            let tile = try WebMercator.tile(containing: Coordinate(x: row.double("lon"), y: row.double("lat")), zoom: Int(row["z"]!)!)
            #expect(tile.x == Int(row["x"]!)! && tile.y == Int(row["y"]!)!, "\(row)")
            let b = tile.bounds
            #expect(abs(b.minX - row.double("west")) < 1e-9 && abs(b.maxX - row.double("east")) < 1e-9)
            #expect(abs(b.minY - row.double("south")) < 1e-9 && abs(b.maxY - row.double("north")) < 1e-9)
            #expect(tile.quadkey == (row["quadkey"] ?? ""))
        }
    }

    @Test func zoomOneQuadrants() throws {
        #expect(try WebMercator.tile(containing: Coordinate(x: 0, y: 0), zoom: 1) == TileID(z: 1, x: 1, y: 1))
        #expect(try WebMercator.tile(containing: Coordinate(x: -0.1, y: 0.1), zoom: 1) == TileID(z: 1, x: 0, y: 0))
        #expect(try WebMercator.tile(containing: Coordinate(x: 180, y: -90), zoom: 3) == TileID(z: 3, x: 7, y: 7))
        #expect(try TileID(z: 0, x: 0, y: 0).bounds.maxY == WebMercator.maximumLatitude)
    }

    @Test func parentsChildrenTmsAndMercatorBounds() throws {
        let tile = try TileID(z: 14, x: 13_676, y: 6_580)
        #expect(tile.parent == (try TileID(z: 13, x: 6_838, y: 3_290)))
        #expect(tile.children.map(\.description) == ["15/27352/13160", "15/27353/13160", "15/27352/13161", "15/27353/13161"])
        #expect(tile.children.allSatisfy { $0.parent == tile })
        #expect(tile.tmsY == (1 << 14) - 1 - 6_580)
        let m = tile.mercatorBounds
        let sw = WebMercator.unproject(Coordinate(x: m.minX, y: m.minY))
        #expect(abs(sw.x - tile.bounds.minX) < 1e-9 && abs(sw.y - tile.bounds.minY) < 1e-9)
        let p = WebMercator.project(Coordinate(x: 120.465, y: 33.199))
        let back = WebMercator.unproject(p)
        #expect(abs(back.x - 120.465) < 1e-12 && abs(back.y - 33.199) < 1e-12)
    }

    @Test func coveringTilesOfTheDemoCityCore() throws {
        let box = BoundingBox(minX: 120.43, minY: 33.17, maxX: 120.50, maxY: 33.23)
        let tiles = try WebMercator.tiles(covering: box, zoom: 14)
        let corners = [
            try WebMercator.tile(containing: Coordinate(x: box.minX, y: box.maxY), zoom: 14),
            try WebMercator.tile(containing: Coordinate(x: box.maxX, y: box.minY), zoom: 14),
        ]
        #expect(tiles.count == (corners[1].x - corners[0].x + 1) * (corners[1].y - corners[0].y + 1))
        #expect(tiles.first == corners[0] && tiles.last == corners[1])
        #expect {
            _ = try WebMercator.tiles(covering: BoundingBox(minX: -180, minY: -85, maxX: 180, maxY: 85), zoom: 12, limit: 1_000)
        } throws: { ($0 as? GeoError)?.code == .tooManyTiles }
    }

    @Test(arguments: [(31, 0, 0, "z"), (-1, 0, 0, "z"), (3, 8, 0, "x"), (3, 0, -1, "y"), (0, 1, 0, "x")])
    func invalidTilesNameTheBadPart(z: Int, x: Int, y: Int, part: String) {
        #expect {
            _ = try TileID(z: z, x: x, y: y)
        } throws: { ($0 as? GeoError)?.code == .invalidTile && ($0 as? GeoError)?.location == part }
    }

    @Test func invalidPositionsHaveNoTile() {
        #expect(throws: GeoError.self) { _ = try WebMercator.tile(containing: Coordinate(x: 200, y: 0), zoom: 3) }
    }
}
