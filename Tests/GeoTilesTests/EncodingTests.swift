import Foundation
import GeoCore
import GeoEngine
@testable import GeoTiles
import Testing

/// The command and protobuf encodings against the specification's own examples and hand-computed fixtures.
@Suite struct EncodingTests {
    @Test(arguments: [
        (Int32(0), UInt32(0)), (-1, 1), (1, 2), (-2, 3), (2, 4), (-2048, 4095), (2048, 4096),
        (Int32.max, UInt32.max - 1), (Int32.min, UInt32.max),
    ])
    func zigzag(value: Int32, encoded: UInt32) {
        #expect(TileGeometry.zigzag(value) == encoded)
    }

    @Test func commandIntegers() {
        #expect(TileGeometry.command(1, count: 1) == 9)  // MoveTo(1)
        #expect(TileGeometry.command(2, count: 3) == 26)  // LineTo(3)
        #expect(TileGeometry.command(7, count: 1) == 15)  // ClosePath
        #expect(TileGeometry.command(1, count: 2) == 17)  // MoveTo(2)
    }

    /// Section 4.3.5 of the specification, example by example.
    @Test func specificationExamples() {
        #expect(TileGeometry.points([TilePoint(25, 17)]).commands == [9, 50, 34])
        #expect(TileGeometry.points([TilePoint(5, 7), TilePoint(3, 2)]).commands == [17, 10, 14, 3, 9])
        #expect(TileGeometry.lineStrings([[TilePoint(2, 2), TilePoint(2, 10), TilePoint(10, 10)]]).commands == [9, 4, 4, 18, 0, 16, 16, 0])
        #expect(
            TileGeometry.lineStrings([[TilePoint(2, 2), TilePoint(2, 10), TilePoint(10, 10)], [TilePoint(1, 1), TilePoint(3, 5)]]).commands
                == [9, 4, 4, 18, 0, 16, 16, 0, 9, 17, 17, 10, 4, 8])
        let triangle = TileGeometry.polygons(rounding: [[[(3, 6), (8, 12), (20, 34), (3, 6)]]])
        #expect(triangle?.commands == [9, 6, 12, 18, 10, 12, 24, 44, 15])
        let multi = TileGeometry.polygons(rounding: [
            [[(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]],
            [[(11, 11), (20, 11), (20, 20), (11, 20), (11, 11)], [(13, 13), (13, 17), (17, 17), (17, 13), (13, 13)]],
        ])
        #expect(multi?.commands == [9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15, 9, 22, 2, 26, 18, 0, 0, 18, 17, 0, 15, 9, 4, 13, 26, 0, 8, 8, 0, 0, 7, 15])
    }

    /// Wrongly wound rings are turned round: the exterior to positive area, the hole to negative.
    @Test func windingIsFixedAfterRounding() throws {
        let geometry = try #require(TileGeometry.polygons(rounding: [
            [[(0, 0), (0, 10), (10, 10), (10, 0), (0, 0)], [(2, 2), (4, 2), (4, 4), (2, 4), (2, 2)]],
        ]))
        guard case .polygons(let polygons) = geometry else {
            Issue.record("not polygons")
            return
        }
        #expect(polygons[0][0] == [TilePoint(0, 0), TilePoint(10, 0), TilePoint(10, 10), TilePoint(0, 10)])
        #expect(TileGeometry.doubleSignedArea(polygons[0][0]) == 200)
        #expect(polygons[0][1] == [TilePoint(2, 2), TilePoint(2, 4), TilePoint(4, 4), TilePoint(4, 2)])
        #expect(TileGeometry.doubleSignedArea(polygons[0][1]) == -8)
    }

    @Test func degenerateGeometriesVanish() {
        // Rounds to one position; to a line; a hole that rounds to nothing is dropped but its polygon stays.
        #expect(TileGeometry.polygons(rounding: [[[(0.1, 0.1), (0.2, 0.1), (0.2, 0.2), (0.1, 0.1)]]]) == nil)
        #expect(TileGeometry.polygons(rounding: [[[(0, 0), (5, 0), (10, 0.2), (0, 0)]]]) == nil)
        #expect(TileGeometry.lineStrings(rounding: [[(1.1, 1.1), (0.9, 0.9)]]) == nil)
        let kept = TileGeometry.polygons(rounding: [[[(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)], [(3, 3), (3.2, 3), (3.2, 3.2), (3, 3)]]])
        #expect(kept == .polygons([[[TilePoint(0, 0), TilePoint(10, 0), TilePoint(10, 10), TilePoint(0, 10)]]]))
    }

    /// Keys and values are shared within a layer; each value keeps its type.
    @Test func keysAndValuesAreDeduplicatedAndTyped() throws {
        let p = TileGeometry.points([TilePoint(1, 1)])
        let layer = VectorTileLayer(name: "pois", features: [
            VectorTileFeature(id: 1, geometry: p, properties: ["kind": .string("toilet"), "n": .int(1)]),
            VectorTileFeature(id: 2, geometry: p, properties: ["kind": .string("toilet"), "n": .int(2), "open": .bool(true)]),
            VectorTileFeature(id: 3, geometry: p, properties: ["kind": .string("park"), "n": .int(1), "area": .double(1.5), "delta": .int(-3)]),
            VectorTileFeature(id: 4, geometry: p, properties: ["n": .double(1)]),
        ])
        let decoded = try DecodedTile(VectorTileEncoder.encode([layer]))
        let l = try #require(decoded.layers.first)
        #expect(l.name == "pois")
        #expect(l.version == 2)
        #expect(l.extent == 4096)
        #expect(l.keys == ["kind", "n", "open", "area", "delta"])
        // "toilet", 1, 2, true, 1.5, -3, "park", and the double 1.0 apart from the integer 1.
        #expect(l.values.count == 8)
        #expect(l.values == [.string("toilet"), .int(1), .int(2), .bool(true), .double(1.5), .int(-3), .string("park"), .double(1)])
        #expect(l.valueFields == [1, 5, 5, 7, 3, 6, 1, 3])
        #expect(l.features.map(\.id) == [1, 2, 3, 4])
        #expect(l.features[0].tags == [0, 0, 1, 1])
        #expect(l.properties(of: l.features[2]) == ["kind": "park", "n": 1, "area": 1.5, "delta": -3])
        #expect(l.features.allSatisfy { $0.type == 1 && $0.geometry == [9, 2, 2] })
    }

    @Test func emptyLayersAreLeftOut() throws {
        #expect(VectorTileEncoder.encode([VectorTileLayer(name: "none", features: [])]).isEmpty)
    }

    @Test func gzipRoundTripsAndHasTheGzipHeader() throws {
        let bytes = Array((0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7 % 13) })
        let packed = try Gzip.compress(bytes)
        #expect(packed.prefix(3) == [0x1f, 0x8b, 0x08])
        #expect(packed.count < bytes.count / 10)
        #expect(try Gzip.decompress(packed) == bytes)
        #expect(throws: GeoError.self) { try Gzip.decompress(Array(packed.prefix(packed.count / 2))) }
    }
}
