import Foundation
@testable import GeoAddress
import GeoCore
import Testing

/// Names written with homophones (同音字), as a pinyin input method gives them: matched by sound only where no
/// name is exact or one edit away, with confidence × 0.75 (a one-edit typo pays × 0.8).
@Suite("Homophones")
struct HomophoneTests {
    static func best(_ query: String) async throws -> GeocodeResult {
        let results = try await DemoBook.geocoder.value.geocode(query, limit: 5)
        return try #require(results.first, "no answer for \(query)")
    }

    @Test("two homophones in a road name reach the plate, below a typo's confidence, with a note", arguments: [
        ("仁民被路14号", "人民北路", 14), ("建糠西路3号", "健康西路", 3), ("潮羊东路2号", "朝阳东路", 2),
    ])
    func roadHomophones(_ query: String, _ road: String, _ number: Int) async throws {
        let book = try await DemoBook.book.value
        let r = try await Self.best(query)
        #expect(r.matchType == .exactPlate)
        #expect(r.matchedID == GeocoderTests.plate(book, road, number).id)
        #expect(r.confidence == 0.75)
        #expect(r.confidence > 0.7 && r.confidence < 0.8)
        let written = String(query.prefix(while: { !$0.isNumber }))
        #expect(r.notes.contains("homophone \(written) → \(road)"))
    }

    @Test("polyphones match by any of their readings, on either side: 行 read hang, 长 read chang")
    func polyphones() async throws {
        let book = try await DemoBook.book.value
        // 竹行巷 (zhu hang xiang): 行 is usually xing, here hang, the reading 杭 has.
        let lane = try await Self.best("珠杭巷1号")
        #expect(lane.matchedID == GeocoderTests.plate(book, "竹行巷", 1).id)
        #expect(lane.confidence == 0.75)
        #expect(lane.notes.contains("homophone 珠杭巷 → 竹行巷"))
        // The query's 长 (usually zhang) read chang, as in 常新苑; a compound is 0.8 before the factor.
        let compound = try await Self.best("长心园")
        #expect(compound.matchType == .place)
        #expect(compound.matchedID == book.places.first { $0.name == "常新苑" }!.id)
        #expect(compound.confidence == 0.6)
        let pinyin = try await DemoBook.pinyin.value
        #expect(pinyin.readings(of: "行") == ["xing", "hang", "heng"])
        #expect(pinyin.readings(of: "长") == ["zhang", "chang"])
        #expect(pinyin.readings(of: "重") == ["zhong", "chong"])
        #expect(pinyin.readings(of: "绿") == ["lv", "lu"])
    }

    @Test("a homophone compound, and a POI name read from text no suffix delimits (杏福华园, 孙继火国店)")
    func placesAndPOIs() async throws {
        let book = try await DemoBook.book.value
        let place = try await Self.best("杏福华园")
        #expect(place.matchedID == book.places.first { $0.name == "幸福花园" }!.id)
        #expect(place.confidence == 0.6)
        #expect(place.notes.contains("homophone 杏福华园 → 幸福花园"))
        let poi = try await Self.best("孙继火国店")
        #expect(poi.matchType == .poi)
        #expect(poi.matchedID == book.pois.first { $0.name == "孙记火锅店" }!.id)
        #expect(poi.confidence == 0.712)  // 0.95 × 0.75, to three decimals
        #expect(poi.notes == ["homophone 孙继火国店 → 孙记火锅店"])
    }

    @Test("a whole address that sounds like a POI whose name holds a region: the homophone in the region no longer splits it")
    func wholeText() async throws {
        let book = try await DemoBook.book.value
        // 大奉区 is one edit from 大丰区 and parsed as that region, leaving 白驹镇 and 中心小学 as pieces.
        let r = try await Self.best("大奉区白驹镇中心小学")
        #expect(r.matchType == .poi)
        #expect(r.matchedID == book.pois.first { $0.name == "大丰区白驹镇中心小学" }!.id)
        #expect(r.confidence == 0.712)
        #expect(r.notes == ["homophone 大奉区白驹镇中心小学 → 大丰区白驹镇中心小学"])
        #expect(try await Self.best("大丰区白驹镇中心小学").confidence == 0.95)
    }

    @Test("two wrong characters that do not both sound right are no homophone: the plate is not answered", arguments: [
        "仁明被路14号", "大明北路14号", "人民被大路14号",
    ])
    func notHomophones(_ query: String) async throws {
        let book = try await DemoBook.book.value
        let plate = GeocoderTests.plate(book, "人民北路", 14)
        let results = try await DemoBook.geocoder.value.geocode(query, limit: 5)
        #expect(!results.contains { $0.matchedID == plate.id })
        #expect(!results.contains { $0.notes.contains { $0.hasPrefix("homophone") } })
    }

    @Test("exact names and one-edit typos are answered as before: the homophone search comes last")
    func exactAndTyposFirst() async throws {
        let book = try await DemoBook.book.value
        let plate = GeocoderTests.plate(book, "人民北路", 14)
        let exact = try await Self.best("人民北路14号")
        #expect(exact.matchedID == plate.id)
        #expect(exact.confidence == 1)
        #expect(exact.notes.isEmpty)
        // One homophone is one wrong character: the near miss answers it, at 0.8.
        let one = try await Self.best("仁民北路14号")
        #expect(one.matchedID == plate.id)
        #expect(one.confidence == 0.8)
        #expect(one.notes.contains { $0.hasPrefix("near miss") })
        #expect(!one.notes.contains { $0.hasPrefix("homophone") })
        let compound = try await Self.best("幸福花园")
        #expect(compound.confidence == 0.8)
        #expect(compound.notes.isEmpty)
    }

    @Test("without a pinyin table homophones are not matched")
    func offWithoutTable() async throws {
        let book = try await DemoBook.book.value
        let plain = Geocoder(book: book, divisions: try await DemoBook.divisions.value)
        let plate = GeocoderTests.plate(book, "人民北路", 14)
        #expect(!plain.geocode("仁民被路14号", limit: 5).contains { $0.matchedID == plate.id })
        #expect(plain.geocode("人民北路14号", limit: 1).first?.matchedID == plate.id)
    }

    @Test("the committed table: every GB 2312 hanzi and the address books' own, readings most common first")
    func committedTable() async throws {
        let pinyin = try await DemoBook.pinyin.value
        #expect(pinyin.count == 6933)
        #expect(pinyin.readings(of: "丰") == ["feng"])
        #expect(pinyin.readings(of: "A").isEmpty)
        // 健 and 建 share jian; 见 too; never the character itself.
        let jian = pinyin.homophones(of: "健")
        #expect(jian.contains("建") && jian.contains("见") && !jian.contains("健"))
        // Where there is no file the table is empty (homophones off); a file that is there is read.
        #expect(try PinyinTable.load(ifPresentAt: URL(fileURLWithPath: "/nonexistent/pinyin.txt")).count == 0)
        #expect(try PinyinTable.load(ifPresentAt: DemoBook.root.appendingPathComponent("AddressBooks/national/pinyin.txt")).count == 6933)
    }

    @Test("the table loader names the malformed line", arguments: [
        ("# readings\n人\tren\n民 min\n", 3),  // no tab
        ("人\tren\n\n民\tMin\n", 3),  // uppercase
        ("人\tren\n人民\tren\n", 2),  // two characters
        ("人\tren\nA\ta\n", 2),  // not a hanzi
        ("人\t\n", 1),  // no reading
        ("人\tren\n民\tmin\n人\tren\n", 3),  // repeated
    ])
    func malformed(_ text: String, _ line: Int) {
        do {
            _ = try PinyinTable(text: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .invalidPinyin)
            #expect(error.location == "line \(line)")
            #expect(error.message.contains("line \(line)"))
        }
    }

    /// The index alone, on a table small enough to read: which readings each side is looked up under.
    @Test("polyphones on either side, and the bound on keys: a reading past 16 combinations is not looked for")
    func indexPolyphonesAndBound() throws {
        let table = try PinyinTable(text: """
            行	xing hang heng
            星	xing
            长	zhang chang
            常	chang
            张	zhang
            重	zhong chong
            崇	chong
            庆	qing
            乐	le yue
            勒	le
            月	yue
            路	lu
            """)
        var index = HomophoneIndex(pinyin: table)
        for (k, name) in ["重庆路", "常星路", "长重行乐路"].enumerated() {
            index.insert(Array(name.unicodeScalars), NameEntry(target: .road(Int32(k)), form: .official))
        }
        func found(_ query: String) -> [String] {
            index.homophones(of: Array(query.unicodeScalars)).map { String(String.UnicodeScalarView($0.0)) }
        }
        #expect(found("崇庆路") == ["重庆路"])  // the name's 重 read chong, its second reading
        #expect(found("长行路") == ["常星路"])  // the query's 长 read chang, its second reading
        #expect(found("张星路") == [])  // zhang is no reading of 常
        #expect(found("常星路") == [])  // the name itself is no homophone
        #expect(found("常星路路") == [])
        // 长重行乐路 has 2 × 2 × 3 × 2 = 24 reading combinations: 乐 is filed under le only.
        #expect(found("长重行勒路") == ["长重行乐路"])
        #expect(found("长重行月路") == [])
    }

    @Test("a well-formed table: comments and blank lines skipped, readings in order, homophones by first reading")
    func wellFormed() throws {
        let table = try PinyinTable(text: "# test\n\n行\txing hang\n杭\thang\n星\txing\r\n")
        #expect(table.count == 3)
        #expect(table.readings(of: "行") == ["xing", "hang"])
        #expect(table.homophones(of: "行") == ["星"])
        #expect(table.homophones(of: "杭") == [])
        #expect(try PinyinTable(text: "").count == 0)
    }
}
