import Foundation
import GeoAddress
import GeoCore
import GeoGrids
import Testing

/// The kinds of real address text of issue 16, each with the codes its explicit prefix names: admin chains read as
/// a constrained parse, no plate of the book for text that is elsewhere or names a road the book does not have,
/// and a point and a reverse answer anywhere in China.
@Suite("Real addresses")
struct RealAddressTests {
    static let pointLevel: Set<MatchType> = [.exactPlate, .buildingPlate, .component, .interpolated, .poi, .place, .intersection]

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
        // A POI's name run into 街路 is the head of a road named after it, not the POI (大丰区人民政府).
        "大丰区政府街路211号",
    ])
    func outOfBook(_ text: String) async throws {
        let answer = try #require(try await DemoBook.geocoder.value.geocode(text, limit: 1).first)
        #expect(answer.codes["district"] == "320904")
        #expect(!Self.pointLevel.contains(answer.matchType))
    }

    @Test("a street answer for a road through two streets names the street of its median plate, in every process")
    func streetOfTheMedianPlate() async throws {
        // 永泰路 (R0010) runs through 丰华街道 and 大中街道; its plates' order in a hashed table once picked the street.
        let top = try #require(try await DemoBook.geocoder.value.geocode("盐城市永宁路11号", limit: 1).first)
        #expect(top.matchType == .street)
        #expect(top.matchedID == "R0010")
        #expect(top.codes["street"] == "320904002")
    }

    @Test("a POI followed by a direction word or nothing is still the POI", arguments: ["大丰区人民政府", "大丰区人民政府门口", "大丰区人民政府对面"])
    func poiBeforeOtherWords(_ text: String) async throws {
        let top = try #require(try await DemoBook.geocoder.value.geocode(text, limit: 1).first)
        #expect(top.matchType == .poi)
        #expect(top.label.hasSuffix("大丰区人民政府"))
    }

    @Test("a township is read only inside the chain: the near miss of another province's town is not taken", arguments: [
        ("江苏省盐城市大丰区羊甲山村", "320904"), ("江苏省盐城市大丰区交叉口东北角", "320904"),
    ])
    func townshipsInsideTheChain(_ text: String, _ district: String) async throws {
        let levels = try await DemoBook.geocoder.value.adminLevels(of: text)
        #expect(levels["district"]?.code == district)
        #expect(levels["street"] == nil)
    }

    @Test("a county written with its suffix of before the conversion is today's county, said in a note", arguments: [
        // 撤县设市: not the official 迁西县 (Hebei) or 理县 (Sichuan) inside the old name.
        ("云南省迪庆藏族自治州香格里拉县建塘镇长征路12号", "533401", "香格里拉县 read as 香格里拉市"),
        ("贵州省毕节市黔西县莲城大道5号", "520581", "黔西县 read as 黔西市"), ("四川省凉山州会理县城北街道", "513402", "会理县 read as 会理市"),
        // 撤市设区, and a bare old name without province or prefecture: admin levels only, no plate of the book.
        ("福建省漳州市龙海市石码街道", "350604", "龙海市 read as 龙海区"), ("香格里拉县东环线", "533401", "香格里拉县 read as 香格里拉市"),
        // A one-character county that took 州 on becoming a city, before a road name the book has.
        ("滦县人民路12号", "130284", "滦县 read as 滦州市"), ("贵州省六盘水市盘县建设路3号", "520281", "盘县 read as 盘州市"),
    ])
    func formerCountySuffix(_ text: String, _ district: String, _ note: String) async throws {
        let answers = try await DemoBook.geocoder.value.geocode(text, limit: 5)
        let top = try #require(answers.first)
        #expect(top.codes["district"] == district)
        #expect(top.notes.contains { $0.hasPrefix(note) })
        #expect(!answers.contains { Self.pointLevel.contains($0.matchType) })
    }

    @Test("a county the division list does not have is not the book's: the known levels only, or nothing", arguments: [
        ("青石县人民路12号", nil as String?), ("江苏省盐城市青石县人民路12号", "320900"),
    ])
    func unknownCounty(_ text: String, _ city: String?) async throws {
        let answers = try await DemoBook.geocoder.value.geocode(text, limit: 5)
        #expect(answers.first?.codes["city"] == city)
        #expect(answers.first?.codes["district"] == nil)
        #expect(!answers.contains { Self.pointLevel.contains($0.matchType) })
        if city != nil { #expect(answers.first?.notes.contains { $0.contains("青石县, a county the division list does not have") } == true) }
    }

    // A township named by its full name, with no other of that name in China, places the address in its county as
    // firmly as the county's name: 铜陵镇 is 东山县's only. A name many townships share (城关镇) names no county, and
    // the book's own towns are the book's.
    @Test("a township of one name only, elsewhere, answers its own levels, never the book's", arguments: [
        ("铜陵镇人民北路14号", "350626106"), ("铜陵镇公园街234号东山风动石景区内", "350626106"), ("辰阳镇东风路8号", "431223100"),
    ])
    func townshipElsewhere(_ text: String, _ township: String) async throws {
        let answers = try await DemoBook.geocoder.value.geocode(text, limit: 5)
        #expect(answers.first?.matchType == .region)
        #expect(answers.first?.codes["street"] == township)
        #expect(answers.first?.codes["district"] == String(township.prefix(6)))
        #expect(!answers.contains { $0.codes["district"] == "320904" })
    }

    @Test("a township name many share, or the book's own town, leaves a book road's plate the answer", arguments: ["城关镇人民北路14号", "丰华街道人民北路14号"])
    func townshipSharedOrOwn(_ text: String) async throws {
        let top = try #require(try await DemoBook.geocoder.value.geocode(text, limit: 1).first)
        #expect(top.matchType == .exactPlate)
        #expect(top.label.hasSuffix("人民北路14号"))
        #expect(top.codes["district"] == "320904")
    }

    @Test("县 inside the book's own text is no county: a county institution after it, or the book's county named", arguments: [
        "人民南路12号县委", "大丰区青石县人民南路12号",
    ])
    func countyWordsInTheBook(_ text: String) async throws {
        let top = try #require(try await DemoBook.geocoder.value.geocode(text, limit: 1).first)
        #expect(top.matchType == .exactPlate)
        #expect(top.codes["district"] == "320904")
    }

    @Test("a name that is some county's own stays that county, whatever another county's old suffix was", arguments: [
        ("辽宁省朝阳市朝阳县柳城镇", "211321"), ("北京市朝阳区建国路88号", "110105"), ("四川省阿坝藏族羌族自治州理县", "513222"),
        ("河北省唐山市迁西县", "130227"),
    ])
    func officialNamesWin(_ text: String, _ district: String) async throws {
        let top = try #require(try await DemoBook.geocoder.value.geocode(text, limit: 1).first)
        #expect(top.codes["district"] == district)
        #expect(!top.notes.contains { $0.contains("since the county's conversion") })
    }

    @Test("the other county-level suffixes of a name, without any division's own name", arguments: [
        ("黔西市", ["黔西县", "黔西区"]), ("龙海区", ["龙海县", "龙海市"]), ("滦州市", ["滦州县", "滦州区", "滦县"]),
        // 青县 is Hebei's own county.
        ("青州市", ["青州县", "青州区"]),
        // 朝阳县 and 朝阳市 are names of their own; 沙县区's stem is the old county itself; 城区 has no stem.
        ("朝阳区", []), ("沙县区", []), ("城区", []), ("峨边彝族自治县", []),
    ])
    func otherSuffixForms(_ name: String, _ forms: [String]) async throws {
        let divisions = try await DemoBook.geocoder.value.divisions
        let official = Set(divisions.divisions.map(\.name))
        let division = try #require(divisions.divisions.first { $0.name == name && $0.level == 3 })
        #expect(AdminDivisions.otherSuffixForms(of: division, officialNames: official) == forms)
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

/// Intersections, landmark phrases and road numbers (issue 16, item 3), and the admin reading an answer took.
@Suite("Intersections, landmarks and road numbers")
struct IntersectionAndLandmarkTests {
    /// Metres between two points (local tangent plane: exact to millimetres over a few metres).
    static func metres(_ a: Coordinate?, _ b: Coordinate) -> Double {
        guard let a else { return .infinity }
        let (x, y) = (111_412.84 * cos(b.y * .pi / 180), 111_132.954 - 559.822 * cos(2 * b.y * .pi / 180))
        return hypot((a.x - b.x) * x, (a.y - b.y) * y)
    }

    @Test("two book roads and a crossing word: their centre lines' crossing, match type intersection", arguments: [
        // Crossing points computed independently from AddressBooks/roads.geojson (shapely).
        ("和平路与人民南路交叉口", "R0001+R0022", 120.46467316375697, 33.177716250255784, [String]()),
        ("江苏省盐城市大丰区和平路与人民南路交叉口东北角", "R0001+R0022", 120.46467316375697, 33.177716250255784, ["东北角: no distance given, the point is the match's"]),
        ("和平路人民南路路口", "R0001+R0022", 120.46467316375697, 33.177716250255784, []),
        ("和平路与黄海路口", "R0001+R0027", 120.48290004482482, 33.177648181644756, []),
        ("南环路和卫星路交汇处附近", "R0000+R0030", 120.4974479, 33.1716451, ["附近: no distance given, the point is the match's"]),
        ("和平路与东进路十字路口", "R0001+R0021", 120.45695349262327, 33.17774507950472, []),
    ])
    func intersections(_ text: String, _ id: String, _ lon: Double, _ lat: Double, _ notes: [String]) async throws {
        let g = try await DemoBook.geocoder.value
        let answer = try #require(g.geocode(text, limit: 1).first)
        #expect(answer.matchType == .intersection)
        #expect(answer.matchedID == id)
        #expect(Self.metres(answer.coordinate, Coordinate(x: lon, y: lat)) < 0.01)
        #expect(answer.confidence == 0.9)
        #expect(answer.notes == notes)
        #expect(answer.codes["district"] == "320904")
        #expect(g.parse(text).intersection?.count == 2)
    }

    @Test("a distance after the crossing moves the point; the label keeps the phrase")
    func movedFromTheCrossing() async throws {
        let g = try await DemoBook.geocoder.value
        let answer = try #require(g.geocode("和平路与东进路十字路口东侧50米", limit: 1).first)
        #expect(answer.matchType == .intersection)
        #expect(answer.label.hasSuffix("和平路与东进路交叉口东侧50米"))
        #expect(abs(Self.metres(answer.coordinate, Coordinate(x: 120.45695349262327, y: 33.17774507950472)) - 50) < 0.01)
        #expect(answer.notes == ["moved 50 m toward 90° (东侧50米)"])
    }

    @Test("no intersection without a crossing word, a second road, or when the roads do not meet", arguments: [
        ("和平路人民南路", false), ("和平路交叉口", false), ("和平路与南环路交叉口", true),
    ])
    func noIntersection(_ text: String, _ parsedAsIntersection: Bool) async throws {
        let g = try await DemoBook.geocoder.value
        // 和平路 and 南环路 are parallel: the text is an intersection, but there is no crossing to answer.
        #expect((g.parse(text).intersection != nil) == parsedAsIntersection)
        #expect(g.geocode(text, limit: 5).allSatisfy { $0.matchType != .intersection })
    }

    @Test("an intersection of roads elsewhere answers the admin levels only")
    func intersectionElsewhere() async throws {
        let g = try await DemoBook.geocoder.value
        let answer = try #require(g.geocode("湖南省长沙市芙蓉区万家丽路与人民路交叉口东北角", limit: 1).first)
        #expect(answer.matchType == .region)
        #expect(answer.codes["district"] == "430102")
        #expect(g.parse("湖南省长沙市芙蓉区万家丽路与人民路交叉口东北角").intersection == ["万家丽路", "人民路"])
    }

    @Test("landmark phrases keep the point of what they are near; a distance moves it", arguments: [
        ("大丰区人民医院附近", "附近: no distance given, the point is the match's", 0.0),
        ("大丰区人民医院对面", "对面: no distance given, the point is the match's", 0.0),
        ("大丰区人民医院门口", "门口: no distance given, the point is the match's", 0.0),
        ("大丰区人民医院南侧100米", "moved 100 m toward 180° (南侧100米)", 100.0),
    ])
    func landmarks(_ text: String, _ note: String, _ moved: Double) async throws {
        let g = try await DemoBook.geocoder.value
        let poi = try #require(g.geocode("大丰区人民医院", limit: 1).first)
        let answer = try #require(g.geocode(text, limit: 1).first)
        #expect(answer.matchedID == poi.matchedID)
        #expect(answer.notes.contains(note))
        #expect(abs(Self.metres(answer.coordinate, try #require(poi.coordinate)) - moved) < 0.01)
    }

    @Test("where a name still has several readings inside the levels named, the answer says which it took", arguments: [
        ("朝阳区建国路87号", "110105", "admin reading: 朝阳区 as 北京市朝阳区 (110105), not 1 other reading"),
        ("南阳镇", "320904", "admin reading: 南阳镇 as 江苏省盐城市大丰区南阳镇 (320904114), not 8 other readings"),
    ])
    func readingNote(_ text: String, _ district: String, _ note: String) async throws {
        let answer = try #require(try await DemoBook.geocoder.value.geocode(text, limit: 1).first)
        #expect(answer.codes["district"] == district)
        #expect(answer.notes.contains(note))
    }

    @Test("short forms of autonomous prefectures and levels after a POI name", arguments: [
        ("伊犁霍城县", "654023", nil as String?), ("新疆伊犁州伊宁市斯大林街", "654002", nil), ("迪庆州香格里拉市独克宗古城", "533401", nil),
        // 拉萨 begins the POI's name; the levels the text names are 西藏, 山南市, 贡嘎县 (贡嘎 is no county of 拉萨).
        ("拉萨贡嘎国际机场 西藏山南市贡嘎县甲竹林镇", "540522", "540522101"),
        // 博州 is no name the list has: 博乐市 is read exactly, and the book's 大桥大街 is not read for 青得里大街.
        ("新疆博州博乐市青得里大街", "652701", nil),
    ])
    func shortForms(_ text: String, _ district: String, _ town: String?) async throws {
        let answer = try #require(try await DemoBook.geocoder.value.geocode(text, limit: 1).first)
        #expect(answer.matchType == .region)
        #expect(answer.codes["district"] == district)
        #expect(answer.codes["street"] == town)
    }
}
