import Foundation
import GeoCore
import Testing

/// Conversions against coordtransform 0.2.1 (the published formulas) on 2,032 points, with CityGeo's polygon
/// deciding where "mainland China" is (see tools/fixtures/make_crs_fixtures.py).
@Suite struct CRSTests {
    static let table = try! FixtureTable("crs_reference")

    /// Metres between two nearby lon/lat positions (equirectangular; exact enough under a kilometre).
    static func metres(_ a: Coordinate, _ b: Coordinate) -> Double {
        let dx = (a.x - b.x) * cos(a.y * .pi / 180) * 111_319.49
        let dy = (a.y - b.y) * 110_574.0
        return (dx * dx + dy * dy).squareRoot()
    }

    @Test func forwardFormulasMatchTheReference() {
        #expect(Self.table.rows.count == 2_032)
        for row in Self.table.rows {
            let p = Coordinate(x: row.double("lon"), y: row.double("lat"))
            let gcj = CRS.convert(p, from: .wgs84, to: .gcj02)
            let bd = CRS.convert(p, from: .gcj02, to: .bd09)
            let wgsToBD = CRS.convert(p, from: .wgs84, to: .bd09)
            #expect(abs(gcj.x - row.double("wgs_gcj_lon")) < 1e-9 && abs(gcj.y - row.double("wgs_gcj_lat")) < 1e-9, "\(row["name"]!)")
            #expect(abs(bd.x - row.double("gcj_bd_lon")) < 1e-9 && abs(bd.y - row.double("gcj_bd_lat")) < 1e-9, "\(row["name"]!)")
            #expect(abs(wgsToBD.x - row.double("wgs_bd_lon")) < 1e-9 && abs(wgsToBD.y - row.double("wgs_bd_lat")) < 1e-9, "\(row["name"]!)")
        }
    }

    /// The iterated inverses agree with the reference's exact inverses to well under a centimetre.
    @Test func inversesAreWithinOneCentimetre() {
        var worst = 0.0
        for row in Self.table.rows {
            let p = Coordinate(x: row.double("lon"), y: row.double("lat"))
            let wgs = CRS.convert(p, from: .gcj02, to: .wgs84)
            let gcj = CRS.convert(p, from: .bd09, to: .gcj02)
            worst = max(worst, Self.metres(wgs, Coordinate(x: row.double("gcj_wgs_lon"), y: row.double("gcj_wgs_lat"))))
            worst = max(worst, Self.metres(gcj, Coordinate(x: row.double("bd_gcj_lon"), y: row.double("bd_gcj_lat"))))
        }
        #expect(worst < 0.01, "worst inverse deviation \(worst) m")
    }

    /// WGS 84 → GCJ-02 → WGS 84 and → BD-09 → WGS 84 come back within 1 cm wherever the point and its images
    /// lie on the same side of the border.
    @Test func roundTripsReturnWithinOneCentimetre() {
        var worst = 0.0
        var checked = 0
        for row in Self.table.rows where row["in_mainland"] == "1" {
            let p = Coordinate(x: row.double("lon"), y: row.double("lat"))
            let gcj = CRS.convert(p, from: .wgs84, to: .gcj02)
            let bd = CRS.convert(p, from: .wgs84, to: .bd09)
            guard ChinaBoundary.contains(gcj), ChinaBoundary.contains(bd) else { continue }
            worst = max(worst, Self.metres(CRS.convert(gcj, from: .gcj02, to: .wgs84), p))
            worst = max(worst, Self.metres(CRS.convert(bd, from: .bd09, to: .wgs84), p))
            checked += 1
        }
        #expect(checked > 1_800)
        #expect(worst < 0.01, "worst round-trip error \(worst) m")
    }

    @Test(arguments: [
        ("Hong Kong", 114.1694, 22.3193), ("Macau", 113.5439, 22.1987), ("Taipei", 121.5654, 25.0330),
        ("Seoul", 126.9780, 37.5665), ("Ulaanbaatar", 106.9057, 47.8864), ("Yellow Sea", 123.5, 34.5), ("Paris", 2.3522, 48.8566),
    ])
    func pointsOutsideMainlandChinaAreUnchanged(name: String, lon: Double, lat: Double) {
        let p = Coordinate(x: lon, y: lat)
        #expect(!ChinaBoundary.contains(p), "\(name)")
        for (from, to) in [(CRS.wgs84, CRS.gcj02), (.gcj02, .wgs84), (.wgs84, .bd09), (.bd09, .wgs84)] {
            #expect(CRS.convert(p, from: from, to: to) == p, "\(name) \(from)→\(to)")
        }
    }

    @Test func tiananmenShiftsByAFewHundredMetres() {
        let wgs = Coordinate(x: 116.391, y: 39.9075)
        let shift = Self.metres(CRS.convert(wgs, from: .wgs84, to: .gcj02), wgs)
        #expect(shift > 300 && shift < 700, "GCJ-02 shift \(shift) m")
        #expect(CRS.convert(wgs, from: .wgs84, to: .cgcs2000) == wgs)
    }

    @Test(arguments: [("wgs84", CRS.wgs84), ("EPSG:4326", .wgs84), ("cgcs2000", .cgcs2000), ("EPSG:4490", .cgcs2000), ("GCJ-02", .gcj02), ("bd09", .bd09), ("baidu", .bd09)])
    func identifiersParse(text: String, crs: CRS) throws {
        #expect(try CRS.parse(text) == crs)
    }

    @Test func unknownIdentifiersAreNamed() {
        #expect {
            _ = try CRS.parse("EPSG:3857")
        } throws: { error in
            let error = error as? GeoError
            return error?.code == .unknownCRS && error?.message.contains("EPSG:3857") == true
        }
    }

    @Test func nonFiniteCoordinatesPassThrough() {
        let p = Coordinate(x: .nan, y: 33)
        #expect(CRS.convert(p, from: .wgs84, to: .gcj02).x.isNaN)
    }
}
