import GeoAddress
import GeoCore
import Testing

/// Component codes (部件编码, GB/T 30428.2): a 16-digit identifier is a location, its 10-digit class code is
/// not. Expected answers come from AddressBooks/components.csv, read independently of the geocoder.
@Suite("Component codes")
struct ComponentGeocodingTests {
    static let rows: [[String: String]] = (try? DemoBook.csvRows("AddressBooks/components.csv")) ?? []

    /// Every 29th component: all classes, both streets, kerbs, crossings and compounds.
    static var sample: [[String: String]] { stride(from: 0, to: rows.count, by: 29).map { rows[$0] } }

    /// 3209040103000123 → 3209 0401 0300 0123 with the given separator.
    static func grouped(_ code: String, _ separator: String) -> String {
        stride(from: 0, to: 16, by: 4).map { k in
            String(code[code.index(code.startIndex, offsetBy: k)..<code.index(code.startIndex, offsetBy: k + 4)])
        }.joined(separator: separator)
    }

    static func fullWidth(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { v in (v.value >= 0x21 && v.value <= 0x7E) ? Unicode.Scalar(v.value + 0xFEE0)! : v }))
    }

    @Test("the demo book holds the component layer")
    func bookHasComponents() async throws {
        let book = try await DemoBook.book.value
        #expect(Self.rows.count > 1_000)
        #expect(book.components.count == Self.rows.count)
    }

    @Test("every sampled identifier answers its own component, at its point, with its codes")
    func identifiersLocateTheirComponent() async throws {
        let geocoder = try await DemoBook.geocoder.value
        #expect(Self.sample.count > 50)
        for row in Self.sample {
            let code = row["code"]!
            let results = geocoder.geocode(code)
            #expect(results.count == 1, "\(code): \(results.map(\.label))")
            let r = try #require(results.first, "no answer for \(code)")
            #expect(r.matchType == .component)
            #expect(r.matchedID == code)
            #expect(r.confidence == 1)
            #expect(r.coordinate == Coordinate(x: Double(row["lon"]!)!, y: Double(row["lat"]!)!))
            let grid = row["grid_code"]!
            #expect(r.codes["unit_grid"] == grid)
            #expect(r.codes["community"] == String(grid.prefix(12)))
            #expect(r.codes["street"] == String(grid.prefix(9)))
            #expect(r.codes["district"] == "320904")
            #expect(r.label.hasSuffix("\(row["name"]!) \(code)"), "label \(r.label)")
            #expect(r.label.hasPrefix("江苏省盐城市大丰区"))
        }
    }

    @Test("spaces, dashes, full-width digits and a 部件编码 prefix are the same identifier")
    func writtenForms() async throws {
        let geocoder = try await DemoBook.geocoder.value
        for row in Self.sample.prefix(40) {
            let code = row["code"]!
            let expected = Coordinate(x: Double(row["lon"]!)!, y: Double(row["lat"]!)!)
            let forms = [
                Self.grouped(code, " "), Self.grouped(code, "-"), Self.fullWidth(code), "部件编码：\(code)", "部件 \(Self.grouped(code, " "))",
                "部件编码" + Self.fullWidth(Self.grouped(code, "－")), "  \(code)  ", "部件\(code)",
            ]
            for text in forms {
                let r = try #require(geocoder.geocode(text).first, "no answer for \(text)")
                #expect(r.matchType == .component, "\(text)")
                #expect(r.matchedID == code, "\(text)")
                #expect(r.coordinate == expected, "\(text)")
            }
            #expect(geocoder.parse(Self.grouped(code, " ")).componentCode == code)
        }
    }

    @Test("an identifier the book does not have answers nothing")
    func unknownIdentifier() async throws {
        let geocoder = try await DemoBook.geocoder.value
        let known = Set(Self.rows.map { $0["code"]! })
        let classCode = try #require(Self.rows.first?["class_code"])
        let unknown = classCode + "999999"
        #expect(!known.contains(unknown))
        #expect(geocoder.geocode(unknown).isEmpty)
        #expect(geocoder.geocode("部件编码 \(Self.grouped(unknown, " "))").isEmpty)
        #expect(geocoder.component(code: unknown) == nil)
        // Another district's component: the same digits after 320904 are not ours.
        let elsewhere = "110101" + String(Self.rows[0]["code"]!.dropFirst(6))
        #expect(geocoder.geocode(elsewhere).isEmpty)
    }

    @Test("a class code alone names a kind of component, not a place: no answer")
    func classCodeAlone() async throws {
        let geocoder = try await DemoBook.geocoder.value
        for classCode in Set(Self.rows.map { $0["class_code"]! }).sorted() {
            #expect(geocoder.geocode(classCode).isEmpty, "\(classCode)")
            #expect(geocoder.geocode("部件编码\(classCode)").isEmpty, "\(classCode)")
            let parsed = geocoder.parse(classCode)
            #expect(parsed.componentClassCode == classCode)
            #expect(parsed.componentCode == nil)
            let name = Self.rows.first { $0["class_code"] == classCode }!["name"]!
            #expect(geocoder.componentClassName(classCode) == name)
        }
    }

    @Test("other codes are read as before: unit grids by their 15 digits, 16 digits of no component class as nothing")
    func otherCodesUnchanged() async throws {
        let geocoder = try await DemoBook.geocoder.value
        let grid = try #require(geocoder.geocode("320904001001001").first)
        #expect(grid.matchType == .region)
        #expect(grid.codes["unit_grid"] == "320904001001001")
        // 大类 09 does not exist: not a component code.
        #expect(geocoder.parse("3209040901000001").componentCode == nil)
        #expect(geocoder.geocode("3209040901000001").allSatisfy { $0.matchType != .component })
        // An address with digits is still an address.
        #expect(try #require(geocoder.geocode("人民北路14号").first).matchType == .exactPlate)
    }
}
