import Foundation
@testable import GeoAddress
import Testing

/// The admin levels alone (what cpca and JioNLP answer) come from a parse that does not look for roads, places and
/// POIs by near miss or sound; it must read the same levels as the full parse.
@Suite("Admin levels")
struct AdminLevelsTests {
    @Test("the regions-only parse reads the same levels as the full parse on every corpus address", arguments: [
        "tools/geocode/corpus/real.csv", "tools/geocode/corpus/composed.csv", "tools/geocode/corpus/out_of_book.csv",
    ])
    func regionsOnlyAgrees(_ path: String) async throws {
        let g = try await DemoBook.geocoder.value
        let rows = try DemoBook.csvRows(path)
        #expect(rows.count >= 1000)
        var differing: [String] = []
        for row in rows {
            let text = try #require(row["text"])
            let full = g.resolveRegions(g.parser.parse(text)).named.map(\.code)
            let regionsOnly = g.resolveRegions(g.parser.parse(text, regionsOnly: true)).named.map(\.code)
            if full != regionsOnly { differing.append(text) }
        }
        #expect(differing.isEmpty)
    }

    /// `geocode` answers an address plainly elsewhere from the levels read before its leftover text, which it then
    /// does not search; `geocodeParsed` parses everything. Both must answer alike.
    @Test("geocode answers as the full parse does on every corpus address", arguments: [
        "tools/geocode/corpus/real.csv", "tools/geocode/corpus/composed.csv", "tools/geocode/corpus/out_of_book.csv",
    ])
    func geocodeAgreesWithFullParse(_ path: String) async throws {
        let g = try await DemoBook.geocoder.value
        let rows = try DemoBook.csvRows(path)
        #expect(rows.count >= 1000)
        var differing: [String] = []
        for row in rows {
            let text = try #require(row["text"])
            if g.geocode(text, limit: 3) != g.geocodeParsed(text, limit: 3).results { differing.append(text) }
        }
        #expect(differing.isEmpty)
    }
}
