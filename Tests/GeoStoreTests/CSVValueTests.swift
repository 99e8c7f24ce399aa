import GeoCore
import Testing

@testable import GeoStore

@Suite("CSV cell types")
struct CSVValueTests {
    @Test("cell kinds: identifiers stay text", arguments: [
        ("12", AttributeType.integer), ("-7", .integer), ("0", .integer), ("123456789", .integer),
        ("1234567890", .text), ("320904001001001", .text), ("007", .text), ("0.5", .real), ("-0.25", .real),
        ("1e3", .real), ("3.", .real), (".5", .real), ("nan", .text), ("inf", .text), ("0x10", .text), ("1,5", .text),
        ("大丰", .text), ("-", .text), ("1e", .text),
    ])
    func kinds(_ text: String, _ type: AttributeType) {
        #expect(CSVValue.inferType([text]) == type)
    }

    @Test("column inference widens integers to reals and ignores empty cells")
    func columnInference() {
        #expect(CSVValue.inferType(["1", "", "2"]) == .integer)
        #expect(CSVValue.inferType(["1", "2.5"]) == .real)
        #expect(CSVValue.inferType(["1", "x"]) == .text)
        #expect(CSVValue.inferType(["", ""]) == .text)
    }
}
