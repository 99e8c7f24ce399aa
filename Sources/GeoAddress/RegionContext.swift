/// The admin levels an address names, each resolved to one code: 朝阳区 is Beijing's when the address also says
/// 北京, 长春's when it says 吉林. Matches are checked against these codes (a door plate in another street than
/// the one named is still found, with a lower confidence: census tolerances allow 3 % wrong attributions).
struct RegionContext {
    struct Named {
        var name: String
        var code: String
        /// Written as the official name (广东省), not a short form or alias (广东).
        var official: Bool
        /// ``RegionContext/prefix(_:)`` of `code`, made once: answers are checked against it.
        var prefix: CodePrefix
    }

    var named: [Named] = []
    /// Which reading was taken where a name the text gives as an admin level still had several inside the levels
    /// named (朝阳区 of 北京 or of 长春): every answer carries it as a note.
    var readingNote: String?
    var deepestBookRegion: AddressRegion?
    /// The deepest national division named, by index in the division list.
    var deepestDivision: Int?

    /// The significant prefix of a code (``CodePrefix``): 320000 → 32, 320900 → 3209.
    static func prefix(_ code: String) -> CodePrefix { CodePrefix(code) }

    /// Whether two codes lie one inside the other.
    static func related(_ a: String, _ b: String) -> Bool { related(prefix: prefix(a), prefix: prefix(b)) }

    /// ``related(_:_:)`` of two codes' prefixes.
    static func related(prefix pa: CodePrefix, prefix pb: CodePrefix) -> Bool { pa.related(pb) }

    var communityCode: String? { named.first { $0.code.count == 12 }?.code }

    /// Whether the address is plainly somewhere else than `home`: it names, by official name, a division that
    /// neither contains nor lies in `home` (a province, prefecture, county, or a township of one name only, 东山县's
    /// 铜陵镇: a name several townships share is not among the levels named unless the text supports one), or names
    /// two such divisions that agree (广东河源, 河南南阳镇平县). Its road names are then not ours, however close. (A
    /// lone short form may be the head of a name: 郓城北环路.)
    func isElsewhere(than home: CodePrefix) -> Bool {
        // The foreign levels counted as they come, without gathering them (every answer asks).
        var first: CodePrefix?
        var count = 0
        var agreeing = true
        for level in named where !level.prefix.related(home) && (level.code.count == 6 || level.code.count == 9) {
            if level.official { return true }
            // A level not written by its official name (a short form, a near miss) counts only as a province,
            // prefecture or county, and only with a second that agrees.
            guard level.code.count == 6 else { continue }
            if let first { agreeing = agreeing && level.prefix.related(first) } else { first = level.prefix }
            count += 1
        }
        return count >= 2 && agreeing
    }

    /// The first named level that the answer's codes contradict.
    func conflict(with codes: [String: String]) -> String? {
        guard !named.isEmpty, let deepest = codes["unit_grid"] ?? codes["community"] ?? codes["street"] ?? codes["district"] else { return nil }
        let prefix = Self.prefix(deepest)
        return named.first { !$0.prefix.related(prefix) }?.name
    }

    /// Whether a community or street (by code prefix) lies within every named level.
    func contains(community: CodePrefix?, street: CodePrefix?) -> Bool {
        guard !named.isEmpty else { return false }
        func within(_ code: CodePrefix?) -> Bool { code.map { code in named.allSatisfy { $0.prefix.contains(code) } } ?? false }
        return within(community) || within(street)
    }
}

extension Geocoder {
    /// Picks one code per region mention: the reading that agrees with most other mentions, then one inside the
    /// book's district, then the book's own region, then the official name over a short form. `explaining`: whether
    /// to write ``RegionContext/readingNote`` (an answer carries it; the admin levels alone do not).
    func resolveRegions(_ parsed: ParsedAddress, explaining: Bool = true) -> RegionContext {
        var context = RegionContext()
        // The region readings of every mention with their code prefixes, in one array (each mention's a range of
        // it), computed once: scoring compares every reading with every other mention's readings, and a township
        // name such as 城关镇 has dozens. A code is read only for the reading taken.
        var readings: [(entry: NameEntry, prefix: CodePrefix)] = []
        readings.reserveCapacity(parsed.regionMentions.reduce(0) { $0 + $1.entries.count })
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(parsed.regionMentions.count)
        for mention in parsed.regionMentions {
            let start = readings.count
            for entry in mention.entries { if let reading = parser.regions.reading(entry.target) { readings.append((entry, reading.prefix)) } }
            ranges.append(start..<readings.count)
        }
        let homePrefix = parser.regions.home
        for (m, mention) in parsed.regionMentions.enumerated() where !ranges[m].isEmpty {
            // The first of the best: scores (agreeing mentions, inside the book's district, the book's own region,
            // official name) compared in that order.
            var best = (index: 0, score: (0, 0, 0, 0))
            for r in ranges[m] {
                let own = readings[r].prefix
                var agreeing = 0
                for o in ranges.indices where o != m && readings[ranges[o]].contains(where: { RegionContext.related(prefix: $0.prefix, prefix: own) }) {
                    agreeing += 1
                }
                let home = homePrefix.map { RegionContext.related(prefix: $0, prefix: own) ? 1 : 0 } ?? 0
                let ownRegion: Int = if case .region = readings[r].entry.target { 1 } else { 0 }
                let official = readings[r].entry.form == .official ? 1 : 0
                let score = (agreeing, home, ownRegion, official)
                if r == ranges[m].lowerBound || best.score < score { best = (r, score) }
            }
            let entry = readings[best.index].entry
            let code = regionCode(entry.target)
            // An ambiguous township name that nothing else supports (城关镇 alone) says nothing reliable.
            if ranges[m].count > 1 && best.score.0 == 0 && best.score.1 == 0 && code.count == 9 { continue }
            // A name with a county suffix, today's or a former one, is as explicit as the official name.
            let written = entry.form == .official || entry.form == .formerSuffix
            context.named.append(
                RegionContext.Named(name: mention.text, code: code, official: written && !mention.fuzzy, prefix: readings[best.index].prefix))
            if explaining, entry.form == .formerSuffix, case .division(let k) = entry.target {
                let note = "\(mention.text) read as \(divisions.divisions[Int(k)].name) (\(code)), its name since the county's conversion"
                context.readingNote = context.readingNote.map { $0 + "; " + note } ?? note
            }
            if explaining && ranges[m].count > 1 {
                let others = distinctCodes(readings[ranges[m]]) - 1
                if others > 0 {
                    let note = "admin reading: \(mention.text) as \(regionPrefix(code)) (\(code)), not \(others) other reading\(others == 1 ? "" : "s")"
                    context.readingNote = context.readingNote.map { $0 + "; " + note } ?? note
                }
            }
            switch entry.target {
            case .region(let k):
                let region = book.regions[Int(k)]
                if (context.deepestBookRegion?.code.count ?? 0) < region.code.count { context.deepestBookRegion = region }
            case .division(let k):
                let division = divisions.divisions[Int(k)]
                if (context.deepestDivision.map { divisions.divisions[$0].level } ?? 0) < division.level { context.deepestDivision = Int(k) }
                let region = bookRegionOfDivision[Int(k)]
                if region >= 0, (context.deepestBookRegion?.code.count ?? 0) < division.code.count {
                    context.deepestBookRegion = book.regions[Int(region)]
                }
            default: break
            }
        }
        return context
    }

    /// How many distinct codes `readings` name. Equal codes have equal prefixes, so codes are compared only where
    /// the prefixes are equal.
    private func distinctCodes(_ readings: ArraySlice<(entry: NameEntry, prefix: CodePrefix)>) -> Int {
        var count = 0
        for r in readings.indices {
            let repeated = readings[readings.startIndex..<r].contains {
                $0.prefix == readings[r].prefix && regionCode($0.entry.target) == regionCode(readings[r].entry.target)
            }
            if !repeated { count += 1 }
        }
        return count
    }

    /// The code of a region entry's target (a national division or a book region).
    private func regionCode(_ target: NameTarget) -> String {
        switch target {
        case .division(let k): divisions.divisions[Int(k)].code
        case .region(let k): book.regions[Int(k)].code
        default: preconditionFailure("only region readings have a code")
        }
    }

    /// The admin levels of an address (province, city, district, street/township, community) with codes, filled
    /// upward from the deepest level named: 大丰区 alone gives 江苏省, 盐城市, 大丰区.
    public func adminLevels(of text: String) -> [String: (name: String, code: String)] {
        let context = resolveRegions(parser.parse(text, regionsOnly: true), explaining: false)
        let depths = context.named.map(\.prefix.count)
        guard let deepestIndex = depths.indices.max(by: { depths[$0] < depths[$1] }) else { return [:] }
        let deepest = context.named[deepestIndex]
        var out: [String: (name: String, code: String)] = [:]
        var next: String? = deepest.code
        while let code = next {
            if let d = divisions.division(code: code) {
                out[Self.levelKey(d.level)] = (d.name, d.code)
                next = d.parentCode
            } else if let k = regionByCode[code] {
                let region = book.regions[k]
                let key = switch code.count { case 12: "community"; case 9: "street"; case 15: "unit_grid"; default: "district" }
                out[key] = (region.name, region.code)
                next = region.parentCode
            } else {
                break
            }
        }
        return out
    }
}

/// The code prefix and level of every region a name may read as (national divisions and the book's regions), so
/// that the parser can keep its readings inside the admin levels the text names.
struct RegionReadings: Sendable {
    /// Levels as the division list numbers them: 1 province, 2 prefecture, 3 county; 4 township or street, 5
    /// community or village, 6 unit grid (the book's regions by code length).
    static let township: UInt8 = 4

    private var divisionPrefixes: [CodePrefix] = []
    private var divisionLevels: [UInt8] = []
    private var regionPrefixes: [CodePrefix] = []
    private var regionLevels: [UInt8] = []
    /// The prefix of the book's district, where the text names no level at all.
    private(set) var home: CodePrefix?
    /// The distinct prefixes of the book's regions that do not lie inside ``home`` (its province and prefecture).
    private var outerBookPrefixes: [CodePrefix] = []

    init() {}

    init(divisions: AdminDivisions, book: AddressBook, home: String?) {
        divisionPrefixes = divisions.divisions.map { RegionContext.prefix($0.code) }
        divisionLevels = divisions.divisions.map { UInt8($0.level) }
        regionPrefixes = book.regions.map { RegionContext.prefix($0.code) }
        regionLevels = book.regions.map { region in
            switch region.code.count {
            case ...6: region.code.hasSuffix("0000") ? 1 : region.code.hasSuffix("00") ? 2 : 3
            case 9: 4
            case 12: 5
            default: 6
            }
        }
        self.home = home.map(RegionContext.prefix)
        if let homePrefix = self.home { outerBookPrefixes = Array(Set(regionPrefixes.filter { !homePrefix.contains($0) })) }
    }

    /// Whether some region of the book lies inside the levels `chain` names. A chain at county level or above that
    /// admits a region inside the book's district admits that district, so the district and the regions outside it
    /// are all there is to ask about.
    func bookRegionAdmitted(by chain: NamedChain) -> Bool {
        // Loops, not `contains(where: chain.admits)`: that closure would copy the chain at every name tried.
        if chain.admits(home: home) { return true }
        for prefix in outerBookPrefixes where chain.admits(prefix) { return true }
        return false
    }

    /// The ``RegionReach`` of a region entry's reading; none for roads, places and POIs.
    func reach(_ target: NameTarget) -> RegionReach {
        guard let (prefix, level) = reading(target) else { return .none }
        let kind: UInt8 = if case .region = target { RegionReach.bookRegion } else { RegionReach.division(level: level) }
        return RegionReach(provinces: prefix.provinceBit, kinds: kind)
    }

    /// The code prefix and level a region entry reads as; nil for roads, places and POIs.
    func reading(_ target: NameTarget) -> (prefix: CodePrefix, level: UInt8)? {
        switch target {
        case .division(let k): (divisionPrefixes[Int(k)], divisionLevels[Int(k)])
        case .region(let k): (regionPrefixes[Int(k)], regionLevels[Int(k)])
        default: nil
        }
    }
}

/// The province, prefecture and county levels a text has named so far, each with the codes it may read as: a later
/// region reading must lie inside (or contain) one reading of every level named (江苏省盐城市大丰区西安南路: 西安 is
/// not Xi'an there, and the text stays a road name).
struct NamedChain {
    /// The readings of every level named, level after level, in one array: the parser asks whether the chain
    /// admits a reading at every name it tries.
    private var readings: [CodePrefix] = []
    /// Where each level's readings end in ``readings``.
    private var ends: [Int] = []
    /// Where the level being added starts, and the province bits of its readings so far.
    private var levelStart = 0
    private var levelProvinces: UInt64 = 0

    var isEmpty: Bool { ends.isEmpty }

    /// Adds a reading of the level being named; ``endLevel()`` closes it.
    mutating func addReading(_ prefix: CodePrefix) {
        // A text names a few levels with a few readings each: room for them at once, not grown one by one.
        if readings.isEmpty { readings.reserveCapacity(8) }
        readings.append(prefix)
        levelProvinces |= prefix.provinceBit
    }

    /// Closes the level whose readings ``addReading(_:)`` added; without any, no level is named.
    mutating func endLevel() {
        guard readings.count > levelStart else { return }
        provinces &= levelProvinces
        if ends.isEmpty { ends.reserveCapacity(4) }
        ends.append(readings.count)
        levelStart = readings.count
        levelProvinces = 0
    }

    /// Whether a reading with this code prefix agrees with every level named.
    func admits(_ prefix: CodePrefix) -> Bool {
        var start = 0
        for end in ends {
            guard readings[start..<end].contains(where: { $0.related(prefix) }) else { return false }
            start = end
        }
        return true
    }

    /// Whether the book's district (`home`) agrees with the levels named (true when none are, or no home).
    func admits(home: CodePrefix?) -> Bool {
        guard let home else { return true }
        return admits(home)
    }

    /// ``CodePrefix/provinceBit`` of every province a reading the chain admits may lie in: those every level
    /// named has a reading in (all of them while none is named).
    private(set) var provinces: UInt64 = .max

    /// Where an admin reading the parser may read inside the chain lies: in ``provinces``, and while no level is
    /// named, a province, prefecture or county of the list or a region of the book (a township of the list only
    /// inside a named chain; AddressParser.admissibleFuzzy).
    var reach: RegionReach {
        let kinds = isEmpty ? RegionReach.division(level: 1) | RegionReach.division(level: 2) | RegionReach.division(level: 3) | RegionReach.bookRegion : .max
        return RegionReach(provinces: provinces, kinds: kinds)
    }
}

/// Where region readings may lie, coarsely, as bits: their provinces (``CodePrefix/provinceBit``) and their kinds,
/// a division of the list by level or a region of the book. A name's reach is that of all its region readings, a
/// chain's where the readings it admits lie: a name whose reach does not meet the chain's has no reading the chain
/// admits, and a lookup tells so without reading the name.
struct RegionReach: Sendable {
    var provinces: UInt64
    var kinds: UInt8

    static let none = RegionReach(provinces: 0, kinds: 0)
    static let bookRegion: UInt8 = 1 << 7

    /// The kind bit of a division of the list at `level` (1 province … 4 township).
    static func division(level: UInt8) -> UInt8 { 1 << min(level, 6) }

    /// Whether the two share a province and a kind: necessary for a reading of one to lie in the other.
    func meets(_ other: RegionReach) -> Bool { provinces & other.provinces != 0 && kinds & other.kinds != 0 }

    mutating func formUnion(_ other: RegionReach) {
        provinces |= other.provinces
        kinds |= other.kinds
    }
}

/// The significant digits of a region code as a number: a province's 320000 is 32, a prefecture's 320900 is 3209,
/// a county's 320904 all six digits; street, community and unit-grid codes are their own prefix. Two codes lie one
/// inside the other when the shorter prefix begins the longer. Numbers, not strings: the parser compares readings
/// at every name it meets.
struct CodePrefix: Hashable, Sendable {
    /// The significant digits, as a number.
    let value: UInt64
    /// How many digits that is.
    let digits: UInt8

    private static let powers: [UInt64] = (0...19).map { (0..<$0).reduce(UInt64(1)) { p, _ in p * 10 } }

    init(_ code: String) {
        var digits = Array(code.utf8.prefix(19))
        if digits.count == 6 {
            while digits.count > 2, digits[digits.count - 1] == UInt8(ascii: "0"), digits[digits.count - 2] == UInt8(ascii: "0") { digits.removeLast(2) }
        }
        value = digits.reduce(0) { $0 &* 10 &+ UInt64($1 &- UInt8(ascii: "0")) }
        self.digits = UInt8(digits.count)
    }

    var count: Int { Int(digits) }

    /// Whether `other` lies inside this prefix (or is it).
    func contains(_ other: CodePrefix) -> Bool {
        other.digits >= digits && other.value / Self.powers[Int(other.digits - digits)] == value
    }

    /// Whether one of the two lies inside the other.
    func related(_ other: CodePrefix) -> Bool { contains(other) || other.contains(self) }

    /// A bit for the province (the first two digits; every bit for a prefix of fewer): two related prefixes share
    /// it, so a set of these bits tells cheaply that a reading lies in none of some provinces. Provinces whose
    /// numbers are 64 apart share a bit, which only lets a few more readings through.
    var provinceBit: UInt64 {
        guard digits >= 2 else { return .max }
        return 1 << (value / Self.powers[Int(digits - 2)] & 63)
    }
}
