import Foundation
@testable import GeoAddress
import GeoCore
import Testing

/// National, provincial, county and township roads by their number (G204, 204国道, 226省道, 九七五县道).
@Suite("Road numbers")
struct RoadNumberTests {
    @Test("every way of writing a road number reads as its canonical number; door numbers and buildings do not", arguments: [
        ("G204", "G204"), ("204国道", "G204"), ("G204国道", "G204"), ("国道204线", "G204"), ("国道G204", "G204"), ("二零四国道", "G204"),
        ("226省道", "S226"), ("S226", "S226"), ("九七五县道", "X975"), ("X975县道", "X975"), ("县道975", "X975"), ("028乡道", "Y28"),
        ("S1号楼", nil), ("X2幢", nil), ("204", nil), ("国道", nil), ("G204省道", nil), ("G12345", nil), ("AG204", nil),
    ] as [(String, String?)])
    func canonical(_ text: String, _ canonical: String?) {
        let scalars = AddressNormalizer.normalizedScalars(text)
        let found = (0..<scalars.count).lazy.compactMap { AddressParser.roadNumber(scalars, at: $0) }.first
        #expect(found.map { String(scalars: $0.name[...]) } == canonical)
        if canonical != nil { #expect(found?.length == scalars.count) }
    }

    /// A book with a county road whose alias is its number, and a national road named by its number alone.
    static let geocoder: Task<Geocoder, any Error> = Task {
        let line = [Coordinate(x: 120.40, y: 33.20), Coordinate(x: 120.42, y: 33.20)]
        let book = AddressBook(roads: [
            AddressRoad(id: "R1", name: "草堰公路", aliases: ["X201"], formerNames: [], line: line, streetCodes: ["320904101"]),
            AddressRoad(id: "R2", name: "204国道", aliases: [], formerNames: [], line: line.map { Coordinate(x: $0.x, y: $0.y + 0.01) }, streetCodes: ["320904101"]),
        ])
        return Geocoder(book: book, divisions: try await DemoBook.divisions.value)
    }

    @Test("a road of the book found by its number however it is written; a number the book has no road for stays unknown", arguments: [
        ("X201", "R1"), ("201县道", "R1"), ("县道201线", "R1"), ("G204", "R2"), ("国道204", "R2"), ("204国道", "R2"),
        ("S226省道", nil), ("G205", nil),
    ] as [(String, String?)])
    func bookRoads(_ text: String, _ road: String?) async throws {
        let g = try await Self.geocoder.value
        let parsed = g.parse(text)
        #expect(parsed.road == road.map { $0 == "R1" ? "X201" : "G204" })
        let answer = g.geocode(text, limit: 1).first
        #expect(answer?.matchedID == road)
        #expect(answer?.matchType == road.map { _ in .street })
    }

    @Test("a road number after the admin levels of another county is that county's road: its levels are answered")
    func roadNumberElsewhere() async throws {
        let g = try await DemoBook.geocoder.value
        let parsed = g.parse("天津市静海区205国道")
        #expect(parsed.regionNames == ["天津市", "静海区"])
        #expect(parsed.remark == "205国道")
        let answer = try #require(g.geocode("天津市静海区205国道", limit: 1).first)
        #expect(answer.codes["district"] == "120118")
        #expect(answer.matchType == .region)
    }
}
