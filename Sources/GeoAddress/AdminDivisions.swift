import Foundation
import GeoCore

/// One division of China's official list (GB/T 2260 plus the township codes of the Ministry of Civil Affairs).
public struct AdminDivision: Hashable, Sendable {
    /// 6 digits for province, prefecture and county; 9 for township/street.
    public var code: String
    /// 1 province, 2 prefecture, 3 county/district, 4 township/street.
    public var level: Int
    public var parentCode: String?
    public var name: String
}

/// The national division list, for parsing the admin levels of any address in China (省/市/区县/街道乡镇) and
/// filling in the levels an address leaves out (大丰区 → 江苏省盐城市).
///
/// The demo city ships the 2025 list as AddressBooks/national/divisions.csv (see AddressBooks/README.md).
public struct AdminDivisions: Sendable {
    public let divisions: [AdminDivision]
    private let indexByCode: [String: Int]
    /// The index of each division's parent (-1: none, or a parent the list does not have): a chain is then walked
    /// without hashing a code per level, as every answer outside the book does.
    private let parentIndex: [Int32]
    /// Representative points and outlines of the provinces, prefectures and counties (empty when not loaded).
    public let boundaries: DivisionBoundaries

    public init(_ divisions: [AdminDivision], boundaries: DivisionBoundaries = DivisionBoundaries()) {
        self.divisions = divisions
        self.boundaries = boundaries
        var index: [String: Int] = [:]
        for (k, d) in divisions.enumerated() { index[d.code] = k }
        indexByCode = index
        parentIndex = divisions.map { d in d.parentCode.flatMap { index[$0] }.map(Int32.init) ?? -1 }
    }

    /// Reads `level,code,parent_code,name` CSV (a header row first).
    public init(csv bytes: [UInt8], boundaries: DivisionBoundaries = DivisionBoundaries()) throws(GeoError) {
        let records = try CSVReader.read(bytes)
        guard let header = records.first?.fields else { self.init([], boundaries: boundaries); return }
        func column(_ name: String) throws(GeoError) -> Int {
            guard let k = header.firstIndex(of: name) else {
                throw GeoError(code: .invalidCSV, message: "the division list has no \(name) column", location: "line 1")
            }
            return k
        }
        let level = try column("level"), code = try column("code"), parent = try column("parent_code"), name = try column("name")
        var divisions: [AdminDivision] = []
        divisions.reserveCapacity(records.count)
        for record in records.dropFirst() {
            let f = record.fields
            guard f.count == header.count, let l = Int(f[level]), (1...4).contains(l), !f[name].isEmpty else {
                throw GeoError(code: .invalidCSV, message: "division list line \(record.line) is malformed", location: "line \(record.line)")
            }
            divisions.append(AdminDivision(code: f[code], level: l, parentCode: f[parent].isEmpty ? nil : f[parent], name: f[name]))
        }
        self.init(divisions, boundaries: boundaries)
    }

    /// Reads the list from a file, with the points and outlines of `boundaries.txt` beside it when that file
    /// exists (AddressBooks/national/ holds both; see ``DivisionBoundaries``).
    public static func load(from url: URL) throws(GeoError) -> AdminDivisions {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GeoError(code: .notFound, message: "cannot read the division list \(url.path)", underlying: "\(error)")
        }
        let beside = url.deletingLastPathComponent().appendingPathComponent(Self.boundariesFileName)
        let boundaries = FileManager.default.fileExists(atPath: beside.path) ? try DivisionBoundaries.load(from: beside) : DivisionBoundaries()
        return try AdminDivisions(csv: [UInt8](data), boundaries: boundaries)
    }

    /// The name of the boundaries file read beside the division list.
    public static let boundariesFileName = "boundaries.txt"

    /// The representative point of a division: its own, else its nearest ancestor's (a township's is its
    /// county's). nil without boundaries.
    public func point(of code: String) -> (coordinate: Coordinate, code: String)? {
        var next: String? = code
        while let c = next {
            if let p = boundaries.point(of: c) { return (p, c) }
            next = division(code: c)?.parentCode
        }
        return nil
    }

    /// The deepest division whose outline holds `point` (a county; a prefecture or region that has no counties),
    /// with its ancestors, province first. Empty outside China or without boundaries.
    public func chain(containing point: Coordinate) -> [AdminDivision] {
        guard let code = boundaries.code(containing: point) else { return [] }
        return chain(of: code)
    }

    public func division(code: String) -> AdminDivision? { indexByCode[code].map { divisions[$0] } }
    func index(of code: String) -> Int? { indexByCode[code] }

    /// The index of the parent of the division at index `k`; nil when it has none the list holds.
    func parent(ofIndex k: Int) -> Int? { parentIndex[k] >= 0 ? Int(parentIndex[k]) : nil }

    /// How many divisions ``chain(of:)`` would walk from the one at index `k` without its bound, counted up to
    /// `limit`.
    func chainLength(fromIndex k: Int, limit: Int) -> Int {
        var count = 1
        var next = parentIndex[k]
        while next >= 0, count < limit {
            count += 1
            next = parentIndex[Int(next)]
        }
        return count
    }

    /// The division and its ancestors, province first.
    public func chain(of code: String) -> [AdminDivision] {
        guard let k = indexByCode[code] else { return [] }
        var out: [AdminDivision] = []
        var next = Int32(k)
        while next >= 0, out.count < 5 {
            out.append(divisions[Int(next)])
            next = parentIndex[Int(next)]
        }
        return out.reversed()
    }

    /// Whether `code` is `ancestor` or lies inside it.
    func isWithin(_ code: String, _ ancestor: String) -> Bool {
        var next: String? = code
        while let c = next {
            if c == ancestor { return true }
            next = division(code: c)?.parentCode
        }
        return false
    }

    /// Ethnic names that autonomous areas carry between the place name and 自治州/自治县 (延边朝鲜族自治州 → 延边).
    static let ethnicNames = [
        "维吾尔", "蒙古族", "蒙古", "朝鲜族", "土家族", "苗族", "藏族", "羌族", "彝族", "哈尼族", "傣族", "景颇族", "白族", "傈僳族",
        "回族", "壮族", "布依族", "侗族", "哈萨克族", "哈萨克", "柯尔克孜族", "柯尔克孜", "黎族", "瑶族", "畲族", "仡佬族", "水族", "满族", "纳西族", "拉祜族",
        "佤族", "布朗族", "普米族", "怒族", "独龙族", "土族", "撒拉族", "保安族", "东乡族", "裕固族", "锡伯族", "达斡尔族", "鄂温克族",
        "鄂伦春族", "毛南族", "仫佬族", "各族",
    ]

    /// The county-level suffixes a county, county-level city or district changes between when it is converted
    /// (撤县设市, 撤县设区, 撤市设区).
    static let convertibleCountySuffixes = ["县", "市", "区"]

    /// The names a county-level division had, or is still written with, under another county-level suffix: 黔西县
    /// for 黔西市, 香格里拉县 for 香格里拉市, 龙海市 for 龙海区, and 滦县 for 滦州市. `officialNames` holds every official name of the list: a
    /// form that is some division's own name (朝阳县 is Liaoning's, not a former name of Beijing's 朝阳区) is left out.
    public static func otherSuffixForms(of division: AdminDivision, officialNames: Set<String>) -> [String] {
        guard division.level == 3, let suffix = convertibleCountySuffixes.first(where: { division.name.hasSuffix($0) }) else { return [] }
        let stem = String(division.name.dropLast(suffix.count))
        // 沙县区's stem is the old county 沙县 itself (already a short form); 新区, 郊区 have no stem to carry.
        guard stem.count >= 2, !convertibleCountySuffixes.contains(where: { stem.hasSuffix($0) }), !stem.hasSuffix("自治") else { return [] }
        var forms = convertibleCountySuffixes.filter { $0 != suffix }.map { stem + $0 }
        // A county of a one-character name took 州 on becoming a city (滦县 → 滦州市, 盘县 → 盘州市, 横县 → 横州市).
        if stem.count == 2, stem.hasSuffix("州") { forms.append(String(stem.prefix(1)) + "县") }
        return forms.filter { !officialNames.contains($0) }
    }

    /// The short forms people write (江苏, 盐城, 大丰): suffixes and ethnic names dropped, at least two characters
    /// left; an autonomous prefecture also as that name with 州 (迪庆州). Townships have none: 大中 alone is more often
    /// part of another name than the street office.
    public static func shortForms(of division: AdminDivision) -> [String] {
        var name = division.name
        let suffixes: [String]
        switch division.level {
        case 1: suffixes = ["特别行政区", "自治区", "省", "市"]
        case 2: suffixes = ["自治州", "地区", "盟", "市"]
        case 3: suffixes = ["自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗"]
        default: return []
        }
        guard let suffix = suffixes.first(where: { name.hasSuffix($0) }) else { return [] }
        name.removeLast(suffix.count)
        var stripped = true
        while stripped {
            stripped = false
            for ethnic in ethnicNames where name.hasSuffix(ethnic) && name.count - ethnic.count >= 2 {
                name.removeLast(ethnic.count)
                stripped = true
            }
        }
        // 新区, 矿区, 郊区 … are not names on their own.
        guard name.count >= 2, name != division.name else { return [] }
        // An autonomous prefecture is also written with 州 alone (迪庆州, 伊犁州, 黔东南州).
        return suffix == "自治州" ? [name, name + "州"] : [name]
    }
}
