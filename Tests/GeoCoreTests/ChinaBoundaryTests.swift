import Testing

@testable import GeoCore

/// The mainland-China outline answers as it did when its rings were compiled-in literals.
@Suite struct ChinaBoundaryTests {
    @Test func everyRecordedPointGetsItsRecordedAnswer() throws {
        let table = try FixtureTable("china_boundary_expectations")
        #expect(table.rows.count == 622)
        var inside = 0
        for row in table.rows {
            let point = Coordinate(x: row.double("lon"), y: row.double("lat"))
            let expected = row["inside"] == "1"
            #expect(ChinaBoundary.contains(point) == expected, "\(row["kind"]!) \(point)")
            if expected { inside += 1 }
        }
        // Both answers are well represented, so a boundary that said always yes or always no would fail.
        #expect(inside == 248)
    }

    @Test func theOutlineKeepsItsRingsAndBox() {
        let rings = ChinaBoundary.rings
        #expect(rings.count == 299)
        #expect(rings.reduce(0) { $0 + $1.count } == 6846)
        #expect(rings.allSatisfy { $0.first == $0.last && $0.count >= 4 })
        #expect(rings[0][0] == Coordinate(x: 73.57544, y: 39.23268))
        let box = ChinaBoundary.boundingBox
        #expect(box.minX < 73.6 && box.maxX > 134.7 && box.minY < 3.9 && box.maxY > 53.5)
    }

    /// A resource file of one triangle: header, ring starts [0, 4], four vertices in 10⁻⁵ degrees.
    static func file(ringStarts: [UInt32] = [0, 4], units: [Int32] = [12_045_000, 3_319_000, 12_046_000, 3_319_000, 12_045_000, 3_320_001, 12_045_000, 3_319_000]) -> [UInt8] {
        var bytes = Array("CNB1".utf8)
        for value in [UInt32(ringStarts.count - 1), UInt32(units.count / 2)] + ringStarts {
            withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        }
        for unit in units { withUnsafeBytes(of: unit.littleEndian) { bytes += $0 } }
        return bytes
    }

    @Test func theResourceFormatDecodesToTheDecimalsItStores() throws {
        let outline = try ChinaBoundary.Outline(decoding: Self.file())
        #expect(outline.ringStarts == [0, 4])
        // 120.45 and 33.20001 exactly as the literals would parse, not 12_045_000 × 1e-5.
        #expect(outline.coordinates == [120.45, 33.19, 120.46, 33.19, 120.45, 33.20001, 120.45, 33.19])
    }

    @Test(arguments: [
        ("truncated", Array(file().dropLast(3))),
        ("foreign header", Array("PK\u{3}\u{4}".utf8) + file().dropFirst(4)),
        ("starts past the vertices", file(ringStarts: [0, 5])),
        ("starts not from zero", file(ringStarts: [1, 4])),
    ])
    func damagedResourcesAreRefused(name: String, bytes: [UInt8]) {
        let error = #expect(throws: GeoError.self, "\(name)") { try ChinaBoundary.Outline(decoding: bytes) }
        #expect(error?.code == .missingResource)
        #expect(error?.message.hasPrefix("china-boundary.bin is damaged") == true)
    }
}
