import Foundation
@testable import GeoAddress
import Testing

/// The admin levels alone (what cpca and JioNLP answer) come from a parse that does not look for roads, places and
/// POIs by near miss or sound; it must read the same levels as the full parse.
@Suite("Admin levels")
struct AdminLevelsTests {
    static let corpora = [
        "tools/geocode/corpus/real.csv", "tools/geocode/corpus/composed.csv", "tools/geocode/corpus/out_of_book.csv",
        "tools/geocode/corpus/converted_counties.csv",
    ]

    /// The texts of a corpus file for which `agree` is false.
    static func disagreements(in path: String, _ agree: (Geocoder, String) -> Bool) async throws -> [String] {
        let g = try await DemoBook.geocoder.value
        let rows = try DemoBook.csvRows(path)
        #expect(rows.count >= 100)
        var differing: [String] = []
        for row in rows {
            let text = try #require(row["text"])
            if !agree(g, text) { differing.append(text) }
        }
        return differing
    }

    @Test("the regions-only parse reads the same levels as the full parse on every corpus address", arguments: corpora)
    func regionsOnlyAgrees(_ path: String) async throws {
        let differing = try await Self.disagreements(in: path) { g, text in
            g.resolveRegions(g.parser.parse(text)).named.map(\.code) == g.resolveRegions(g.parser.parse(text, regionsOnly: true)).named.map(\.code)
        }
        #expect(differing.isEmpty)
    }

    /// `geocode` answers an address plainly elsewhere from the levels read before its leftover text, which it then
    /// does not search; `geocodeParsed` parses everything. Both must answer alike.
    @Test("geocode answers as the full parse does on every corpus address", arguments: corpora)
    func geocodeAgreesWithFullParse(_ path: String) async throws {
        let differing = try await Self.disagreements(in: path) { g, text in g.geocode(text, limit: 3) == g.geocodeParsed(text, limit: 3).results }
        #expect(differing.isEmpty)
    }
}
