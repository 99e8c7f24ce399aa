import Foundation
import Testing

@testable import GeoCore

@Suite("WKB reader and writer")
struct WKBTests {
    @Test("every geometry type round-trips, with and without SRID", arguments: sampleGeometries.map(\.name))
    func roundTrip(name: String) throws {
        let geometry = sampleGeometries.first { $0.name == name }!.geometry
        #expect(sameGeometry(try WKB.decode(WKB.encode(geometry)), geometry))
        let extended = try WKB.decodeWithSRID(hex: WKB.encodeHex(geometry, srid: 4490))
        #expect(extended.srid == 4490)
        #expect(sameGeometry(extended.geometry, geometry))
        #expect(sameGeometry(try WKB.decode(WKB.encodeData(geometry)), geometry))
    }

    @Test("writes exact bytes for small cases", arguments: [
        (Geometry.point(Point(c(1, 2))), nil, "0101000000000000000000F03F0000000000000040"),
        (.point(Point(c(1, 2))), 4490, "01010000208A110000000000000000F03F0000000000000040"),
        (.point(.empty), nil, "0101000000000000000000F87F000000000000F87F"),
        (.lineString(LineString([c(0, 0), c(1, 1)])), nil,
         "010200000002000000" + "00000000000000000000000000000000" + "000000000000F03F000000000000F03F"),
        (.polygon(Polygon(exterior: [])), nil, "010300000000000000"),
        (.multiPoint(MultiPoint([c(1, 2)])), nil, "010400000001000000" + "0101000000000000000000F03F0000000000000040"),
        (.geometryCollection(GeometryCollection([])), 4326, "0107000020E610000000000000"),
    ] as [(Geometry, Int32?, String)])
    func writes(geometry: Geometry, srid: Int32?, hex: String) throws {
        #expect(WKB.encodeHex(geometry, srid: srid) == hex)
        #expect(WKB.encodeHex(geometry, srid: srid, uppercase: false) == hex.lowercased())
        let back = try WKB.decodeWithSRID(hex: hex.lowercased())
        #expect(sameGeometry(back.geometry, geometry))
        #expect(back.srid == srid)
    }

    @Test("reads big-endian, ISO Z/M/ZM and EWKB flags, dropping extra ordinates", arguments: [
        ("00000000013FF00000000000004000000000000000", nil),  // big-endian 2D
        ("01E9030000000000000000F03F00000000000000400000000000000840", nil),  // ISO 1001 Z
        ("01D1070000000000000000F03F00000000000000400000000000000840", nil),  // ISO 2001 M
        ("01B90B0000000000000000F03F000000000000004000000000000008400000000000001040", nil),  // ISO 3001 ZM
        ("0101000080000000000000F03F00000000000000400000000000000840", nil),  // EWKB Z flag
        ("0101000040000000000000F03F00000000000000400000000000000840", nil),  // EWKB M flag
        ("01010000E08A110000000000000000F03F000000000000004000000000000008400000000000001040", 4490),  // EWKB ZM + SRID
        ("00A00000010000118A3FF000000000000040000000000000004008000000000000", 4490),  // big-endian EWKB Z + SRID
    ] as [(String, Int32?)])
    func readsVariants(hex: String, srid: Int32?) throws {
        let result = try WKB.decodeWithSRID(hex: hex)
        #expect(result.geometry == .point(Point(c(1, 2))))
        #expect(result.srid == srid)
    }

    @Test("reads a Z polygon in a Z collection to its 2D form")
    func readsNestedZ() throws {
        // GEOMETRYCOLLECTION Z (LINESTRING Z (0 0 1, 1 1 2)) as ISO WKB.
        var bytes: [UInt8] = [1, 0xEF, 0x03, 0, 0, 1, 0, 0, 0, 1, 0xEA, 0x03, 0, 0, 2, 0, 0, 0]
        for v in [0.0, 0, 1, 1, 1, 2] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        #expect(try WKB.decode(bytes) == .geometryCollection(GeometryCollection([.lineString(LineString([c(0, 0), c(1, 1)]))])))
    }

    @Test("rejects truncated and hostile input with the byte offset", arguments: [
        ("", "unexpected end of input, expected a byte-order byte", "byte 0"),
        ("02", "invalid byte-order byte 2, expected 0 or 1", "byte 0"),
        ("0101", "unexpected end of input, expected a 4-byte geometry type", "byte 1"),
        ("0101000000000000000000F03F", "unexpected end of input, expected a position of 2 ordinates", "byte 5"),
        ("0108000000", "unknown geometry type code 8", "byte 1"),
        ("01A10F0000", "unknown geometry type code 4001", "byte 1"),
        ("0102000000FFFFFFFF", "position count 4294967295 exceeds the 0 bytes remaining", "byte 5"),
        ("010200000003000000000000000000000000000000000000000000000000F03F000000000000F03F",
         "position count 3 exceeds the 31 bytes remaining", "byte 5"),
        ("0107000000FFFFFF7F00", "geometry count 2147483647 exceeds the 1 bytes remaining", "byte 5"),
        ("0103000000010000000300000000000000000000000000000000000000000000000000F03F000000000000F03F00000000000000000000000000000000",
         "linear ring must have at least 4 positions", "byte 9"),
        ("01020000000100000000000000000000000000000000000000",
         "line string must have at least 2 positions", "byte 5"),
        ("0104000000010000000102000000020000000000000000000000000000000000000000000000000000000000000000000000",
         "MultiPoint member must be a Point, found LineString", "byte 9"),
        ("0101000000000000000000F03F000000000000004000", "1 unexpected bytes after the geometry", "byte 21"),
        // Found by tools/fuzz: only the empty point may carry NaN; other NaN and infinite ordinates are rejected.
        ("01010000000000000000000000000000000000F87F", "position (0.0, nan) is not finite; only an empty point may be NaN NaN", "byte 5"),
        ("0101000000000000000000F07F0000000000000000", "position (inf, 0.0) is not finite; only an empty point may be NaN NaN", "byte 5"),
        ("010200000002000000000000000000F87F000000000000F87F00000000000000000000000000000000",
         "position (nan, nan) is not finite; only an empty point may be NaN NaN", "byte 9"),
        ("010", "hex WKB has an odd number of digits (3)", "hex digit 3"),
        ("01XY", "invalid hex digit 'X'", "hex digit 2"),
    ])
    func rejects(hex: String, message: String, location: String) {
        let error = expectGeoError { _ = try WKB.decode(hex: hex) }
        #expect(error?.code == .invalidWKB)
        #expect(error?.message == message)
        #expect(error?.location == location)
    }

    @Test("reads the empty point alone and as a multipoint member")
    func emptyPoints() throws {
        let alone = try WKB.decode(hex: "0101000000000000000000F87F000000000000F87F")
        guard case .point(let point) = alone else { Issue.record("expected a point"); return }
        #expect(point.isEmpty)
        let member = try WKB.decode(hex: "0104000000010000000101000000000000000000F87F000000000000F87F")
        guard case .multiPoint(let m) = member else { Issue.record("expected a multipoint"); return }
        #expect(m.points.count == 1 && Point(m.points[0]).isEmpty)
    }

    @Test("rejects collections nested beyond the depth limit")
    func depth() {
        var bytes: [UInt8] = []
        for _ in 0...(WKB.maximumDepth + 1) { bytes += [1, 7, 0, 0, 0, 1, 0, 0, 0] }
        bytes += [1, 7, 0, 0, 0, 0, 0, 0, 0]
        let error = expectGeoError { _ = try WKB.decode(bytes) }
        #expect(error?.message == "geometry collections nested deeper than 256 levels")
        #expect(error?.location == "byte \(9 * 257)")
    }
}
