import Foundation
import GeoCore
import GeoEngine
import Testing

/// GEOS and PROJ through GeoEngine against shapely and pyproj on the same inputs
/// (tools/fixtures/make_engine_fixtures.py; shapely's wheel carries its own GEOS, possibly newer than Debian's).
@Suite struct EngineFixtureTests {
    static let fixture: [String: JSONValue] = {
        let url = Bundle.module.url(forResource: "engine_fixtures", withExtension: "json", subdirectory: "Fixtures")!
        guard case .object(let object) = try! JSON.decode(Data(contentsOf: url)) else { fatalError("fixture is not an object") }
        return object
    }()

    static func list(_ key: String) -> [[String: JSONValue]] {
        guard case .array(let items)? = fixture[key] else { return [] }
        return items.compactMap { if case .object(let o) = $0 { o } else { nil } }
    }

    static func geometry(_ value: JSONValue?) throws -> Geometry {
        try GeoJSON.decodeGeometry(from: try #require(value))
    }

    @Test func ellipsoidalAreasAndPerimetersMatchPyproj() throws {
        let engine = try GeometryEngine()
        let cases = Self.list("polygons")
        #expect(cases.count == 31)
        #expect(cases.filter { $0["valid"] == true }.count == 19)
        for item in cases {
            let g = try Self.geometry(item["geometry"])
            #expect(try engine.validate(g).isValid == (item["valid"] == true))
            let area = try engine.geodesicArea(g)
            let expected = item["area_m2"]!.doubleValue!
            #expect(abs(area - expected) <= 1e-9 * expected + 1e-6, "area \(area) vs \(expected)")
            let perimeter = try engine.geodesicLength(g)
            #expect(abs(perimeter - item["perimeter_m"]!.doubleValue!) < 1e-6)
        }
    }

    @Test func metreBuffersMatchShapelyInTheSameProjection() throws {
        let engine = try GeometryEngine()
        for item in Self.list("polygons") {
            let buffered = try engine.bufferMetres(try Self.geometry(item["geometry"]), metres: 100)
            let expected = item["buffer100_area_m2"]!.doubleValue!
            let area = try engine.geodesicArea(buffered)
            #expect(abs(area - expected) < 1e-6 * expected, "buffer area \(area) vs \(expected)")
        }
    }

    /// Douglas-Peucker and topology-preserving simplification give shapely's vertex counts (±2 where the
    /// wheel's newer GEOS breaks ties differently).
    @Test func simplificationVertexCountsMatch() throws {
        let engine = try GeometryEngine()
        for item in Self.list("polygons") {
            let g = try Self.geometry(item["geometry"])
            guard case .array(let levels)? = item["simplify"] else { continue }
            for case .object(let level) in levels {
                let tolerance = level["tolerance"]!.doubleValue!
                let dp = try engine.simplify(g, tolerance: tolerance).polygons.first?.exterior.count ?? 0
                let tp = try engine.simplifyPreservingTopology(g, tolerance: tolerance).polygons.first?.exterior.count ?? 0
                #expect(abs(dp - Int(level["dp_vertices"]!.intValue!)) <= 2)
                #expect(abs(tp - Int(level["tp_vertices"]!.intValue!)) <= 2)
                if item["valid"] == true {
                    #expect(try engine.validate(try engine.simplifyPreservingTopology(g, tolerance: tolerance)).isValid)
                }
            }
        }
    }

    @Test func predicatesAndDistancesMatchShapely() throws {
        let engine = try GeometryEngine()
        let pairs = Self.list("pairs")
        #expect(pairs.count == 41)
        for pair in pairs {
            let a = try Self.geometry(pair["a"])
            let b = try Self.geometry(pair["b"])
            #expect(try engine.intersects(a, b) == (pair["intersects"] == true))
            #expect(try engine.contains(a, b) == (pair["contains"] == true))
            #expect(try engine.within(a, b) == (pair["within"] == true))
            #expect(try engine.touches(a, b) == (pair["touches"] == true))
            #expect(try engine.overlaps(a, b) == (pair["overlaps"] == true))
            #expect(try engine.disjoint(a, b) == (pair["disjoint"] == true))
            #expect(abs(try engine.distance(a, b) - pair["distance"]!.doubleValue!) < 1e-12)
        }
    }

    @Test func invalidPolygonsReportGEOSReasonAndMakeValidKeepsTheArea() throws {
        let engine = try GeometryEngine()
        let cases = Self.list("invalid")
        #expect(cases.count == 3)
        for item in cases {
            let g = try Self.geometry(item["geometry"])
            let report = try engine.validate(g)
            #expect(!report.isValid)
            #expect(report.reason == item["reason"]?.stringValue, "\(item["name"]!)")
            #expect(report.location != nil)
            let fixed = try engine.makeValid(g)
            #expect(try engine.validate(fixed).isValid)
            let expected = item["valid_area_m2"]!.doubleValue!
            #expect(abs(try engine.geodesicArea(fixed) - expected) < 1e-6 * expected + 1e-3, "\(item["name"]!)")
        }
        // The bow-tie becomes two triangles.
        let bowtie = try Self.geometry(cases[0]["geometry"])
        #expect(try engine.makeValid(bowtie).polygons.count == 2)
    }

    @Test func transformsMatchPyprojToTheMillimetre() throws {
        let to4549 = try CoordinateTransformer(from: "EPSG:4490", to: "EPSG:4549")
        let to4528 = try CoordinateTransformer(from: "EPSG:4490", to: "EPSG:4528")
        let to3857 = try CoordinateTransformer(from: "EPSG:4490", to: "EPSG:3857")
        for item in Self.list("transforms") {
            let p = Coordinate(x: item["lon"]!.doubleValue!, y: item["lat"]!.doubleValue!)
            for (transformer, key) in [(to4549, "epsg4549"), (to4528, "epsg4528"), (to3857, "epsg3857")] {
                guard case .array(let xy)? = item[key] else { Issue.record("no \(key)"); continue }
                let result = try transformer.transform(p)
                #expect(abs(result.x - xy[0].doubleValue!) < 1e-3 && abs(result.y - xy[1].doubleValue!) < 1e-3, "\(key) \(p)")
                let back = try transformer.inverseTransform(result)
                #expect(abs(back.x - p.x) < 1e-9 && abs(back.y - p.y) < 1e-9)
            }
        }
    }

    @Test func gaussKrugerZonesAndPlanarArea() throws {
        #expect(GaussKruger.zone(forLongitude: 120.47) == 40)
        #expect(GaussKruger.zone(forLongitude: 121.6) == 41)
        #expect(GaussKruger.centralMeridian(ofZone: 40) == 120)
        #expect(try GaussKruger.epsgCode(zone: 40, zonePrefixedEasting: true) == "EPSG:4528")
        #expect(try GaussKruger.epsgCode(zone: 40, zonePrefixedEasting: false) == "EPSG:4549")
        #expect(try GaussKruger.epsgCode(zone: 25, zonePrefixedEasting: false) == "EPSG:4534")
        #expect(throws: GeoError.self) { _ = try GaussKruger.epsgCode(zone: 50, zonePrefixedEasting: false) }
        let district = try Self.geometry(Self.list("polygons")[0]["geometry"])
        let expected = Self.fixture["district_gk_area_m2"]!.doubleValue!
        #expect(abs(try GaussKruger.planarArea(of: district) - expected) < 1e-6 * expected)
    }

    @Test func preparedDistrictAnswersLikeShapely() throws {
        let engine = try GeometryEngine()
        let district = try Self.geometry(Self.list("polygons")[0]["geometry"])
        let prepared = try PreparedGeometry(district, engine: engine)
        for item in Self.list("district_points") {
            let p = Coordinate(x: item["lon"]!.doubleValue!, y: item["lat"]!.doubleValue!)
            #expect(try prepared.contains(p) == (item["contains"] == true))
            #expect(try prepared.intersects(p) == (item["intersects"] == true))
        }
    }
}
