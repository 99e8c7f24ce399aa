import GeoAddress
import Testing

@Suite("Address parsing and admin levels")
struct ParserAndAdminTests {
    @Test("segments of a full description")
    func segments() async throws {
        let g = try await DemoBook.geocoder.value
        let p = g.parse("江苏省盐城市大丰区丰华街道东风社区人民北路十四号甲东侧50米（门口）")
        #expect(p.regionNames == ["江苏省", "盐城市", "大丰区", "丰华街道", "东风社区"])
        #expect(p.road == "人民北路")
        #expect(p.doorNumber == 14)
        #expect(p.doorSuffix == "甲")
        #expect(p.direction?.text == "东侧50米")
        #expect(p.direction?.bearing == 90)
        #expect(p.direction?.distanceMetres == 50)
        #expect(p.remark == "门口")

        let b = g.parse("桂花苑3号楼2单元301")
        #expect(b.place == "桂花苑")
        #expect(b.building == 3)
        #expect(b.unit == 2)
        #expect(b.room == "301")
        #expect(b.road == nil)
    }

    @Test("direction words inside names stay names; bare ones at the end are directions", arguments: [
        ("东进路12号", "东进路", nil as String?), ("人民北路14号东南约30米", "人民北路", "东南约30米"),
        ("人民北路14号对面", "人民北路", "对面"), ("人民北路14号旁", "人民北路", "旁"), ("西环路1号北侧", "西环路", "北侧"),
    ])
    func directions(_ query: String, _ road: String, _ direction: String?) async throws {
        let p = try await DemoBook.geocoder.value.parse(query)
        #expect(p.road == road)
        #expect(p.direction?.text == direction)
    }

    // Seen while writing tools/fuzz (its address targets check it): 400 digits read as an infinite distance, and
    // the geocoder's offset then turned the answer's coordinate into NaN; any distance past 100 km left the map.
    @Test("a direction's distance is read only up to 100 km", arguments: [
        ("人民北路14号东侧5公里", "东侧5公里", 5000.0 as Double?), ("人民北路14号东侧100000米", "东侧100000米", 100_000),
        ("人民北路14号东侧100001米", "东侧", nil), ("人民北路14号北侧" + String(repeating: "9", count: 400) + "米", "北侧", nil),
    ])
    func directionDistanceBound(_ query: String, _ direction: String, _ metres: Double?) async throws {
        let p = try await DemoBook.geocoder.value.parse(query)
        #expect(p.direction?.text == direction)
        #expect(p.direction?.distanceMetres == metres)
        for result in try await DemoBook.geocoder.value.geocode(query) {
            #expect(result.coordinate?.isValidGeographic ?? true)
        }
    }

    // Seen while writing tools/fuzz: every sub-run of unmatched text was looked up for a near miss, work growing
    // with the fourth power of its length (by estimate hours for the 2,000 characters here). Now only sub-runs as
    // long as a name are.
    @Test("long unmatched text is parsed into the remark")
    func longUnmatchedText() async throws {
        let g = try await DemoBook.geocoder.value
        let text = String(repeating: "啊哦", count: 1000)
        let p = g.parse(text)
        #expect(p.remark == text)
        #expect(p.road == nil && p.place == nil && p.regionNames.isEmpty)
        #expect(g.geocode(text).isEmpty)
    }

    @Test("names the book does not know are recognised by their suffix")
    func unknownNames() async throws {
        let p = try await DemoBook.geocoder.value.parse("北京市朝阳区建国路88号")
        #expect(p.regionNames == ["北京市", "朝阳区"])
        #expect(p.doorNumber == 88)
        #expect(p.road == nil)
        #expect(p.remark == "建国路")
    }

    @Test("admin levels filled upward from the deepest level named, anywhere in China", arguments: [
        ("大丰区人民北路14号", ["province": "320000", "city": "320900", "district": "320904"]),
        ("盐城大丰丰华街道", ["province": "320000", "city": "320900", "district": "320904", "street": "320904001"]),
        ("北京市朝阳区建国路88号", ["province": "110000", "district": "110105"]),
        ("吉林省长春市朝阳区人民大街", ["province": "220000", "city": "220100", "district": "220104"]),
        ("广西南宁市青秀区民族大道", ["province": "450000", "city": "450100", "district": "450103"]),
        ("延边朝鲜族自治州延吉市", ["province": "220000", "city": "222400", "district": "222401"]),
        ("杭州西湖区文三路", ["province": "330000", "city": "330100", "district": "330106"]),
        ("中山路12号", [:]),
    ])
    func adminLevels(_ query: String, _ expected: [String: String]) async throws {
        let levels = try await DemoBook.geocoder.value.adminLevels(of: query)
        #expect(levels.mapValues(\.code) == expected)
    }

    @Test("the division list: 41,934 divisions, chains and short forms")
    func divisions() async throws {
        let d = try await DemoBook.divisions.value
        #expect(d.divisions.count == 41_934)
        #expect(d.chain(of: "320904001").map(\.name) == ["江苏省", "盐城市", "大丰区", "丰华街道"])
        #expect(d.division(code: "110105")?.name == "朝阳区")
    }
}
