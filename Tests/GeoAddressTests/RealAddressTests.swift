import GeoAddress
import GeoCore
import GeoGrids
import Testing

/// The kinds of real address text of issue 16, each with the codes its explicit prefix names: admin chains read as
/// a constrained parse, no plate of the book for text that is elsewhere or names a road the book does not have,
/// and a point and a reverse answer anywhere in China.
@Suite("Real addresses")
struct RealAddressTests {
    static let pointLevel: Set<MatchType> = [.exactPlate, .buildingPlate, .component, .interpolated, .poi, .place]

    @Test("the levels a text names fix the chain; later words are read inside it", arguments: [
        // A landmark holding part of a town's name (五公祠 and Hebei's 五公镇).
        ("海南省海口市美兰区海府路1号五公祠内", "460108", nil as String?),
        // Intersections and directions (口东镇 of Tianjin), a building's gate (南门镇 of Chongqing).
        ("湖南省长沙市芙蓉区万家丽路与人民路交叉口东北角", "430102", nil), ("湖南省长沙市雨花区韶山中路电力大厦南门对面", "430111", nil),
        // A village or scenic area ending like a town elsewhere (甲山镇 of Hebei, 黄河镇 of Jilin).
        ("贵州省毕节市威宁彝族回族苗族自治县羊甲山村", "520526", nil), ("河南省三门峡市渑池县黄河三峡内", "411221", nil),
        // The prefix written twice, as POI feeds do.
        ("浙江省杭州市西湖区浙江省杭州市西湖区文三路90号", "330106", nil),
        // Province and prefecture without their suffixes: 南阳镇 is a town of 大丰区, and no level of this text.
        ("河南南阳镇平县人民路12号", "411324", nil),
        // 自治区, 盟, 旗, 自治州 and a township under them.
        ("内蒙古自治区呼和浩特市土默特左旗察素齐镇", "150121", "150121100"), ("内蒙古锡林郭勒盟锡林浩特市", "152502", nil),
        ("新疆伊犁哈萨克自治州伊宁县", "654021", nil), ("延边朝鲜族自治州延吉市", "222401", nil),
    ])
    func chains(_ text: String, _ district: String, _ town: String?) async throws {
        let g = try await DemoBook.geocoder.value
        let answer = try #require(g.geocode(text, limit: 1).first)
        #expect(answer.codes["district"] == district)
        #expect(answer.codes["street"] == town)
        #expect(answer.matchType == .region)
        // Outside the book: the county's representative point.
        #expect(answer.coordinate == g.divisions.boundaries.point(of: district))
    }

    @Test("roads the book does not have, written into 大丰区 text, answer the district or a street, never a plate", arguments: [
        "江苏省盐城市大丰区西安南路71号", "江苏省盐城市大丰区文卫路65号", "大丰区盛丰路1号", "盐城大丰庄台路182号", "江苏省盐城市大丰区郓城北环路254号",
    ])
    func outOfBook(_ text: String) async throws {
        let answer = try #require(try await DemoBook.geocoder.value.geocode(text, limit: 1).first)
        #expect(answer.codes["district"] == "320904")
        #expect(!Self.pointLevel.contains(answer.matchType))
    }

    @Test("a township is read only inside the chain: the near miss of another province's town is not taken", arguments: [
        ("江苏省盐城市大丰区羊甲山村", "320904"), ("江苏省盐城市大丰区交叉口东北角", "320904"),
    ])
    func townshipsInsideTheChain(_ text: String, _ district: String) async throws {
        let levels = try await DemoBook.geocoder.value.adminLevels(of: text)
        #expect(levels["district"]?.code == district)
        #expect(levels["street"] == nil)
    }

    @Test("reverse geocoding anywhere in China: province, prefecture and county from the national outlines", arguments: [
        (116.3975, 39.9087, "110000", nil as String?, "110101" as String?), (121.4737, 31.2304, "310000", nil, "310101"),
        (91.1172, 29.6469, "540000", "540100", "540102"), (113.7518, 23.0207, "440000", "441900", nil),
        (114.1694, 22.3193, "810000", nil, nil),
    ])
    func reverseAnywhere(_ lon: Double, _ lat: Double, _ province: String, _ city: String?, _ district: String?) async throws {
        let reverse = ReverseGeocoder(geocoder: try await DemoBook.geocoder.value, locator: try await GridLocator.load(from: try await DemoBook.store.value))
        let r = reverse.reverse(Coordinate(x: lon, y: lat))
        #expect(r.regions["province"]?.code == province)
        #expect(r.regions["city"]?.code == city)
        #expect(r.regions["district"]?.code == district)
        #expect(r.address.hasPrefix(r.regions["province"]?.name ?? "?"))
    }

    @Test("outside China there is no admin chain")
    func reverseOutside() async throws {
        let reverse = ReverseGeocoder(geocoder: try await DemoBook.geocoder.value, locator: try await GridLocator.load(from: try await DemoBook.store.value))
        #expect(reverse.reverse(Coordinate(x: 2.35, y: 48.85)).regions.isEmpty)
    }

    @Test("every county of the division list has a representative point inside its own outline, or its prefecture's")
    func pointsAgreeWithTheList() async throws {
        let divisions = try await DemoBook.divisions.value
        var outside: [String] = []
        for d in divisions.divisions where d.level <= 3 {
            guard let point = divisions.point(of: d.code) else {
                outside.append("\(d.code) no point")
                continue
            }
            // A county's point lies in its outline (two new counties have none and carry their prefecture's).
            let prefecturePoint = d.parentCode.flatMap { divisions.boundaries.point(of: $0) }
            if d.level == 3, point.code == d.code, point.coordinate != prefecturePoint,
                divisions.boundaries.code(containing: point.coordinate) != d.code
            {
                outside.append(d.code)
            }
        }
        #expect(outside.isEmpty)
    }
}
