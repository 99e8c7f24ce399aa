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
}
