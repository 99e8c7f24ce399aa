import Foundation
import Testing

@testable import GeoCore

/// One geometry as shapely (GEOS) writes it; made by tools/fixtures/make_codec_fixtures.py.
struct CodecFixture: Sendable, CustomTestStringConvertible {
    var name: String
    var wkt: String
    var wkb: String
    var wkbBigEndian: String
    var ewkbSRID: String
    var srid: Int32
    var geojson: String?
    var wktZ: String?
    var wkbZISO: String?
    var wkbZEWKB: String?

    var testDescription: String { name }

    /// The fixtures, read with our own JSON reader (which the JSON tests check independently).
    static let all: [CodecFixture] = {
        guard let url = Bundle.module.url(forResource: "codec_fixtures", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              case .object(let root)? = try? JSON.decode(data),
              case .array(let cases)? = root["cases"]
        else { return [] }
        return cases.compactMap { value in
            guard case .object(let o) = value else { return nil }
            return CodecFixture(
                name: o["name"]?.stringValue ?? "?", wkt: o["wkt"]?.stringValue ?? "", wkb: o["wkb"]?.stringValue ?? "",
                wkbBigEndian: o["wkb_big_endian"]?.stringValue ?? "", ewkbSRID: o["ewkb_srid"]?.stringValue ?? "",
                srid: Int32(o["srid"]?.intValue ?? 0), geojson: o["geojson"]?.stringValue,
                wktZ: o["wkt_z"]?.stringValue, wkbZISO: o["wkb_z_iso"]?.stringValue, wkbZEWKB: o["wkb_z_ewkb"]?.stringValue)
        }
    }()
}

@Suite("Codecs agree with shapely")
struct CodecFixtureTests {
    @Test("the fixture file holds the generated cases")
    func loaded() {
        #expect(CodecFixture.all.count == 53)
        #expect(Set(CodecFixture.all.map(\.name)).count == CodecFixture.all.count)
    }

    @Test("readers give one geometry from WKT, WKB, big-endian WKB, EWKB and GeoJSON", arguments: CodecFixture.all)
    func readersAgree(fixture: CodecFixture) throws {
        let fromWKB = try WKB.decode(hex: fixture.wkb)
        #expect(sameGeometry(try WKT.decode(fixture.wkt), fromWKB))
        #expect(sameGeometry(try WKB.decode(hex: fixture.wkbBigEndian), fromWKB))
        let extended = try WKB.decodeWithSRID(hex: fixture.ewkbSRID)
        #expect(extended.srid == fixture.srid)
        #expect(sameGeometry(extended.geometry, fromWKB))
        if let geojson = fixture.geojson {
            #expect(sameGeometry(try GeoJSON.decodeGeometry(geojson, options: .projected), fromWKB))
        }
        if let wktZ = fixture.wktZ, let iso = fixture.wkbZISO, let ewkb = fixture.wkbZEWKB {
            #expect(sameGeometry(try WKT.decode(wktZ), fromWKB))
            #expect(sameGeometry(try WKB.decode(hex: iso), fromWKB))
            let z = try WKB.decodeWithSRID(hex: ewkb)
            #expect(z.srid == fixture.srid)
            #expect(sameGeometry(z.geometry, fromWKB))
        }
    }

    @Test("writers match shapely: WKB and EWKB byte for byte, WKT and GeoJSON in value", arguments: CodecFixture.all)
    func writersAgree(fixture: CodecFixture) throws {
        let geometry = try WKB.decode(hex: fixture.wkb)
        #expect(WKB.encodeHex(geometry) == fixture.wkb)
        #expect(WKB.encodeHex(geometry, srid: fixture.srid) == fixture.ewkbSRID)

        // GEOS switches to exponent notation earlier than we do (1e+17 vs 100000000000000000), so text is compared
        // exactly where GEOS printed plain decimals and by value everywhere.
        let wkt = WKT.encode(geometry)
        if !fixture.wkt.contains("e") { #expect(wkt == fixture.wkt) }
        #expect(sameGeometry(try WKT.decode(wkt), try WKT.decode(fixture.wkt)))

        if let expected = fixture.geojson {
            let ours = try GeoJSON.encode(geometry)
            #expect(sameGeometry(try GeoJSON.decodeGeometry(ours, options: .projected), geometry))
            // GEOS writes the empty polygon as [[]] where we write []; elsewhere the JSON values are identical.
            if !expected.contains("[[]]") {
                #expect(try JSON.decode(ours) == JSON.decode(expected))
            }
        }
    }
}
