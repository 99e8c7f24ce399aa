import Foundation
import GeoAddress
import GeoCore

/// One test address with the answer a geocoder should give.
public struct GeocodeQuery: Sendable {
    public var id: Int
    public var text: String
    /// What kind of variant it is (plate_full, plate_typo, poi_direction …).
    public var category: String
    /// The book record that is the right answer (plate, building, POI or compound id).
    public var goldID: String
    /// Where the answer is (CGCS2000); shifted for direction phrases.
    public var gold: Coordinate
    /// The 6-digit district code the address lies in (for admin-level accuracy).
    public var districtCode: String
}

/// Generates a geocoding query set from an address book, deterministic from a seed: door plates written with
/// full, partial and misplaced admin levels, Chinese numerals, full-width digits, aliases, former names, one-
/// character typos, 甲/-1 suffixes and numbers held out of the book (to be interpolated); buildings with units
/// and rooms; POIs by name, alias and with direction words; compounds; component identifiers; given a pinyin
/// table, road and POI names written with homophones. The held-out plates are removed from the book the geocoder
/// under test sees.
public struct QuerySetGenerator {
    public let book: AddressBook
    public let seed: UInt64

    /// Readings for the homophone variants; with the empty table there are none.
    public let pinyin: PinyinTable

    public init(book: AddressBook, seed: UInt64 = 320904, pinyin: PinyinTable = PinyinTable()) {
        self.book = book
        self.seed = seed
        self.pinyin = pinyin
    }

    /// Plain plates held out of the book, every `every`-th of each road that has plates on both sides of it.
    public func heldOutPlates(every: Int = 10) -> Set<String> {
        var held = Set<String>()
        let byRoad = Dictionary(grouping: book.plates.filter { $0.suffix.isEmpty }, by: \.road)
        for road in byRoad.keys.sorted() {
            for parity in 0...1 {
                let side = byRoad[road]!.filter { $0.number & 1 == parity }.sorted { $0.number < $1.number }
                guard side.count > 4 else { continue }
                for k in stride(from: 2, to: side.count - 2, by: every) { held.insert(side[k].id) }
            }
        }
        return held
    }

    /// The book without the held-out plates.
    public func reducedBook(holding held: Set<String>) -> AddressBook {
        var reduced = book
        reduced.plates.removeAll { held.contains($0.id) }
        return reduced
    }

    /// `perCategory` queries of every category (fewer where the book has fewer candidates).
    public func generate(perCategory: Int, held: Set<String>) -> [GeocodeQuery] {
        var rng = SeededGenerator(seed: seed)
        var out: [GeocodeQuery] = []
        let regionName = Dictionary(book.regions.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let roadNames = Set(book.roads.flatMap { [$0.name] + $0.aliases + $0.formerNames.map(\.name) })
        let aliasCount = Dictionary(book.roads.flatMap(\.aliases).map { ($0, 1) }, uniquingKeysWith: +)
        let urbanPlates = book.plates.filter { $0.suffix.isEmpty && !held.contains($0.id) && $0.communityCode != nil }
        let heldPlates = book.plates.filter { held.contains($0.id) }

        func add(_ text: String, _ category: String, _ id: String, _ gold: Coordinate, _ code: String?) {
            out.append(GeocodeQuery(id: out.count + 1, text: text, category: category, goldID: id, gold: gold, districtCode: String((code ?? "320904").prefix(6))))
        }
        func prefix(_ plate: DoorPlate, levels: [Bool]) -> String {
            let parts = ["江苏省", "盐城市", "大丰区", plate.streetCode.flatMap { regionName[$0] } ?? "", plate.communityCode.flatMap { regionName[$0] } ?? ""]
            return zip(parts, levels).filter { $0.1 }.map(\.0).joined()
        }
        func label(_ plate: DoorPlate, road: String? = nil, number: String? = nil) -> String {
            let name = road ?? book.roads[plate.road].name
            let n = number ?? String(plate.number)
            return plate.suffix.hasPrefix("-") ? "\(name)\(n)\(plate.suffix)号" : "\(name)\(n)号\(plate.suffix)"
        }
        func sample<T>(_ items: [T], _ n: Int) -> [T] { Array(rng.shuffled(items).prefix(n)) }

        for p in sample(urbanPlates, perCategory) { add(prefix(p, levels: [true, true, true, true, true]) + label(p), "plate_full", p.id, p.coordinate, p.streetCode) }
        for p in sample(urbanPlates, perCategory) {
            let levels = (0..<5).map { _ in rng.chance(0.4) }
            add(prefix(p, levels: levels) + label(p), "plate_partial_admin", p.id, p.coordinate, p.streetCode)
        }
        for p in sample(urbanPlates, perCategory) { add(label(p) + prefix(p, levels: [false, false, true, true, false]), "plate_misplaced_admin", p.id, p.coordinate, p.streetCode) }
        for p in sample(urbanPlates, perCategory) { add(label(p, number: Self.chineseNumeral(p.number)), "plate_numerals", p.id, p.coordinate, p.streetCode) }
        for p in sample(urbanPlates, perCategory) {
            add(Self.fullWidth(label(p)).replacingOccurrences(of: "号", with: "號"), "plate_fullwidth_traditional", p.id, p.coordinate, p.streetCode)
        }
        let aliased = urbanPlates.filter { book.roads[$0.road].aliases.contains { aliasCount[$0] == 1 } }
        for p in sample(aliased, perCategory) {
            let alias = book.roads[p.road].aliases.first { aliasCount[$0] == 1 }!
            add(label(p, road: alias), "plate_alias", p.id, p.coordinate, p.streetCode)
        }
        let renamed = urbanPlates.filter { !book.roads[$0.road].formerNames.isEmpty }
        for p in sample(renamed, perCategory) {
            add(label(p, road: book.roads[p.road].formerNames[0].name), "plate_former_name", p.id, p.coordinate, p.streetCode)
        }
        for p in sample(urbanPlates, perCategory) {
            let typo = Self.typo(book.roads[p.road].name, avoiding: roadNames, rng: &rng)
            add(label(p, road: typo), "plate_typo", p.id, p.coordinate, p.streetCode)
        }
        for p in sample(book.plates.filter { !$0.suffix.isEmpty }, perCategory) { add(label(p), "plate_suffix", p.id, p.coordinate, p.streetCode) }
        for p in sample(heldPlates, perCategory) { add(label(p), "plate_interpolated", p.id, p.coordinate, p.streetCode) }
        for b in sample(book.buildings, perCategory) {
            let place = book.places[b.place]
            let forms = ["\(place.name)\(b.number)幢", "\(place.name)\(b.number)号楼", "\(place.name)\(Self.chineseNumeral(b.number))栋",
                         "\(place.name)\(b.number)栋\(rng.int(in: 1...3))单元\(rng.int(in: 1...6))0\(rng.int(in: 1...2))室"]
            add(rng.pick(forms)!, "building", b.id, b.coordinate, b.gridCode)
        }
        for b in sample(book.buildings.filter { book.places[$0.place].gateAddress != nil }, perCategory) {
            add("\(book.places[b.place].gateAddress!)\(b.number)幢", "building_via_gate", b.id, b.coordinate, b.gridCode)
        }
        // A chain's branches share a name: those are asked for with their road (road + shop front) or plate.
        let nameCount = Dictionary(book.pois.map { ($0.name, 1) }, uniquingKeysWith: +)
        let uniquePOIs = book.pois.filter { nameCount[$0.name] == 1 }
        for poi in sample(uniquePOIs, perCategory) { add(poi.name, "poi_name", poi.id, poi.coordinate, poi.streetCode) }
        for poi in sample(book.pois.filter { nameCount[$0.name]! > 1 && $0.roadName != nil }, perCategory) {
            // Two branches of one chain on one road need the plate to tell them apart.
            let onSameRoad = book.pois.filter { $0.name == poi.name && $0.roadName == poi.roadName }.count
            let withPlate = onSameRoad > 1 || rng.chance(0.5)
            let text = withPlate ? "\(poi.roadName!)\(poi.number.map { "\($0)号" } ?? "")\(poi.name)" : "\(poi.roadName!)\(poi.name)"
            add(text, "poi_on_road", poi.id, poi.coordinate, poi.streetCode)
        }
        for poi in sample(uniquePOIs.filter { !$0.aliases.isEmpty }, perCategory) { add(rng.pick(poi.aliases)!, "poi_alias", poi.id, poi.coordinate, poi.streetCode) }
        let directions: [(String, Double)] = [("东", 90), ("南", 180), ("西", 270), ("北", 0), ("东南", 135), ("西北", 315)]
        for poi in sample(uniquePOIs, perCategory) {
            let (word, bearing) = rng.pick(directions)!
            let metres = Double(rng.int(in: 2...20) * 10)
            let side = rng.chance(0.5) ? "侧" : ""
            add("\(poi.name)\(word)\(side)\(Int(metres))米", "poi_direction", poi.id, Geodesic.destination(from: poi.coordinate, azimuth: bearing, distance: metres).coordinate, poi.streetCode)
        }
        for place in sample(book.places, perCategory) { add(place.name, "compound", place.id, place.labelPoint, place.streetCode) }
        // Component identifiers (部件编码) as written on a case form: plain, in groups of four, full-width, after 部件编码.
        for c in sample(book.components, perCategory) {
            let groups = stride(from: 0, to: 16, by: 4).map { k in String(c.code.dropFirst(k).prefix(4)) }
            let forms = [c.code, groups.joined(separator: " "), groups.joined(separator: "-"), Self.fullWidth(c.code), "部件编码：\(c.code)"]
            add(rng.pick(forms)!, "component_code", c.code, c.coordinate, c.gridCode)
        }
        // Homophones (同音字) as a pinyin input method offers them: one or two characters of a road's stem or of a
        // POI's name replaced by others read the same. They draw from a stream of their own, so that every query
        // above stays byte-identical.
        if pinyin.count > 0 {
            var homophoneRNG = SeededGenerator(seed: seed ^ 0x686F_6D6F_7068_6F6E)
            let bookNames = roadNames.union(book.pois.flatMap { [$0.name] + $0.aliases }).union(book.places.flatMap { [$0.name] + $0.aliases })
            // Replacements come from the hanzi the book's names use: common characters, as an input method's first
            // page offers them (a random hanzi of the same sound is often one nobody types).
            let common = Set(bookNames.union(book.regions.map(\.name)).flatMap(\.unicodeScalars))
            // Names with no character to replace are passed over: the next ones in the shuffled order stand in.
            var made = 0
            for p in homophoneRNG.shuffled(urbanPlates) where made < perCategory {
                let road = book.roads[p.road].name
                guard let written = Self.homophone(road, pinyin: pinyin, using: common, avoiding: bookNames, rng: &homophoneRNG) else { continue }
                add(label(p, road: written), "plate_homophone", p.id, p.coordinate, p.streetCode)
                made += 1
            }
            made = 0
            for poi in homophoneRNG.shuffled(uniquePOIs) where made < perCategory {
                guard let written = Self.homophone(poi.name, pinyin: pinyin, using: common, avoiding: bookNames, rng: &homophoneRNG) else { continue }
                add(written, "poi_homophone", poi.id, poi.coordinate, poi.streetCode)
                made += 1
            }
        }
        return out
    }

    /// Characters never put in by ``homophone(_:pinyin:avoiding:rng:)``: suffixes and direction words would make
    /// the text another kind of address (路 for 陆 ends a road early), not a misspelt name.
    static let structuralCharacters = Set("路街巷道弄里村镇乡园苑区县市省号幢楼层室米东南西北旁前后内外上下".unicodeScalars)

    /// `name` with one or two characters (never the last, the 路/街/巷 of a road) replaced by another hanzi of
    /// `characters` whose most common reading is the same (幸福公园 → 杏福公园), never giving another name of
    /// `names`; nil when the name has no character to replace.
    public static func homophone(
        _ name: String, pinyin: PinyinTable, using characters: Set<Unicode.Scalar>, avoiding names: Set<String>, rng: inout SeededGenerator
    ) -> String? {
        let chars = Array(name.unicodeScalars)
        let choices: [Int: [Unicode.Scalar]] = Dictionary(uniqueKeysWithValues: chars.indices.dropLast().compactMap { k in
            let others = pinyin.homophones(of: chars[k]).filter { characters.contains($0) && !structuralCharacters.contains($0) }
            return others.isEmpty ? nil : (k, others)
        })
        guard !choices.isEmpty else { return nil }
        for _ in 0..<20 {
            var c = chars
            let positions = rng.shuffled(choices.keys.sorted()).prefix(rng.chance(0.5) ? 2 : 1)
            for k in positions { c[k] = rng.pick(choices[k]!)! }
            let text = String(String.UnicodeScalarView(c))
            if !names.contains(text) { return text }
        }
        return nil
    }

    /// 108 → 一百零八, 14 → 十四, 230 → 二百三十.
    public static func chineseNumeral(_ n: Int) -> String {
        let digits = Array("零一二三四五六七八九")
        guard n > 0 && n < 10_000 else { return String(n) }
        if n < 10 { return String(digits[n]) }
        if n < 20 { return "十" + (n % 10 == 0 ? "" : String(digits[n % 10])) }
        var out = ""
        var zero = false
        for (unit, name) in [(1000, "千"), (100, "百"), (10, "十"), (1, "")] {
            let d = (n / unit) % 10
            if d == 0 {
                if !out.isEmpty { zero = true }
                continue
            }
            if zero { out += "零"; zero = false }
            out += String(digits[d]) + name
        }
        return out
    }

    /// ASCII digits and letters to their full-width forms.
    public static func fullWidth(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { v in
            (v.value >= 0x21 && v.value <= 0x7E) ? Unicode.Scalar(v.value + 0xFEE0)! : v
        }))
    }

    /// One wrong, missing, doubled or swapped character in the stem of a road name (never its 路/街/巷), and
    /// never another road's name.
    static func typo(_ name: String, avoiding names: Set<String>, rng: inout SeededGenerator) -> String {
        let chars = Array(name)
        let pool = Array("明华新东西南北中兴安平和建国丰富康宁阳光文化")
        for _ in 0..<20 {
            var c = chars
            let k = rng.int(in: 0...(max(0, chars.count - 2)))
            switch rng.int(in: 0...3) {
            case 0: c[k] = rng.pick(pool)!
            case 1: c.remove(at: k)
            case 2: c.insert(c[k], at: k)
            default:
                if k + 1 < c.count - 1 { c.swapAt(k, k + 1) } else { c[k] = rng.pick(pool)! }
            }
            let text = String(c)
            if text != name && !names.contains(text) && c.count >= 3 { return text }
        }
        return name
    }
}
