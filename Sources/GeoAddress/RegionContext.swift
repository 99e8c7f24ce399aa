/// The admin levels an address names, each resolved to one code: 朝阳区 is Beijing's when the address also says
/// 北京, 长春's when it says 吉林. Matches are checked against these codes (a door plate in another street than
/// the one named is still found, with a lower confidence: census tolerances allow 3 % wrong attributions).
struct RegionContext {
    struct Named {
        var name: String
        var code: String
        /// Written as the official name (广东省), not a short form or alias (广东).
        var official: Bool
    }

    var named: [Named] = []
    /// Which reading was taken where a name the text gives as an admin level still had several inside the levels
    /// named (朝阳区 of 北京 or of 长春): every answer carries it as a note.
    var readingNote: String?
    var deepestBookRegion: AddressRegion?
    var deepestDivision: AdminDivision?

    /// The significant prefix of a code (``CodePrefix``): 320000 → 32, 320900 → 3209.
    static func prefix(_ code: String) -> CodePrefix { CodePrefix(code) }

    /// Whether two codes lie one inside the other.
    static func related(_ a: String, _ b: String) -> Bool { related(prefix: prefix(a), prefix: prefix(b)) }

    /// ``related(_:_:)`` of two codes' prefixes.
    static func related(prefix pa: CodePrefix, prefix pb: CodePrefix) -> Bool { pa.related(pb) }

    var communityCode: String? { named.first { $0.code.count == 12 }?.code }

    /// Whether the address is plainly somewhere else than `home`: it names, by official name, a division that
    /// neither contains nor lies in `home`, or names two such divisions that agree (广东河源, 河南南阳镇平县). Its road
    /// names are then not ours, however close. (A lone short form may be the head of a name: 郓城北环路.)
    func isElsewhere(than home: String) -> Bool {
        let foreign = named.filter { $0.code.count == 6 && !Self.related($0.code, home) }
        if foreign.contains(where: \.official) { return true }
        return foreign.count >= 2 && foreign.dropFirst().allSatisfy { Self.related($0.code, foreign[0].code) }
    }

    /// The first named level that the answer's codes contradict.
    func conflict(with codes: [String: String]) -> String? {
        guard let deepest = codes["unit_grid"] ?? codes["community"] ?? codes["street"] ?? codes["district"] else { return nil }
        return named.first { !Self.related($0.code, deepest) }?.name
    }

    /// Whether any of `codes` lies within every named level.
    func contains(codes: [String?]) -> Bool {
        guard !named.isEmpty else { return false }
        return codes.compactMap { $0 }.contains { code in named.allSatisfy { Self.prefix($0.code).contains(Self.prefix(code)) } }
    }
}

extension Geocoder {
    /// Picks one code per region mention: the reading that agrees with most other mentions, then one inside the
    /// book's district, then the book's own region, then the official name over a short form. `explaining`: whether
    /// to write ``RegionContext/readingNote`` (an answer carries it; the admin levels alone do not).
    func resolveRegions(_ parsed: ParsedAddress, explaining: Bool = true) -> RegionContext {
        var context = RegionContext()
        // The region readings of each mention and their code prefixes, computed once: scoring compares every reading
        // with every other mention's readings, and a township name such as 城关镇 has dozens. A code is read only for
        // the reading taken.
        let readings: [[NameEntry]] = parsed.regionMentions.map { $0.entries.filter { parser.regions.reading($0.target) != nil } }
        let prefixes = readings.map { $0.map { parser.regions.reading($0.target)!.prefix } }
        let homePrefix = parser.regions.home
        for (m, mention) in parsed.regionMentions.enumerated() where !readings[m].isEmpty {
            let scores = readings[m].indices.map { r -> (Int, Int, Int, Int) in
                let own = prefixes[m][r]
                let agreeing = prefixes.indices.reduce(0) { count, o in
                    o != m && prefixes[o].contains { RegionContext.related(prefix: $0, prefix: own) } ? count + 1 : count
                }
                let home = homePrefix.map { RegionContext.related(prefix: $0, prefix: own) ? 1 : 0 } ?? 0
                let ownRegion: Int = if case .region = readings[m][r].target { 1 } else { 0 }
                let official = readings[m][r].form == .official ? 1 : 0
                return (agreeing, home, ownRegion, official)
            }
            // The first of the best, as `max(by:)` over the readings picked it.
            guard let bestIndex = scores.indices.max(by: { scores[$0] < scores[$1] }) else { continue }
            let best = (code: regionCode(readings[m][bestIndex].target), entry: readings[m][bestIndex])
            // An ambiguous township name that nothing else supports (城关镇 alone) says nothing reliable.
            let s = scores[bestIndex]
            if readings[m].count > 1 && s.0 == 0 && s.1 == 0 && best.code.count == 9 { continue }
            // A name with a county suffix, today's or a former one, is as explicit as the official name.
            let written = best.entry.form == .official || best.entry.form == .formerSuffix
            context.named.append(RegionContext.Named(name: mention.text, code: best.code, official: written && !mention.fuzzy))
            if explaining, best.entry.form == .formerSuffix, case .division(let k) = best.entry.target {
                let note = "\(mention.text) read as \(divisions.divisions[Int(k)].name) (\(best.code)), its name since the county's conversion"
                context.readingNote = context.readingNote.map { $0 + "; " + note } ?? note
            }
            let codes = explaining ? Set(readings[m].map { regionCode($0.target) }) : []
            if codes.count > 1 {
                let others = codes.count - 1
                let note = "admin reading: \(mention.text) as \(regionPrefix(best.code)) (\(best.code)), not \(others) other reading\(others == 1 ? "" : "s")"
                context.readingNote = context.readingNote.map { $0 + "; " + note } ?? note
            }
            switch best.entry.target {
            case .region(let k):
                let region = book.regions[Int(k)]
                if (context.deepestBookRegion?.code.count ?? 0) < region.code.count { context.deepestBookRegion = region }
            case .division(let k):
                let division = divisions.divisions[Int(k)]
                if (context.deepestDivision?.level ?? 0) < division.level { context.deepestDivision = division }
                if let k = regionByCode[division.code], (context.deepestBookRegion?.code.count ?? 0) < division.code.count {
                    context.deepestBookRegion = book.regions[k]
                }
            default: break
            }
        }
        return context
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
        let depths = context.named.map { RegionContext.prefix($0.code).count }
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
    var levels: [[CodePrefix]] = []

    var isEmpty: Bool { levels.isEmpty }

    /// Whether a reading with this code prefix agrees with every level named.
    func admits(_ prefix: CodePrefix) -> Bool {
        levels.allSatisfy { level in level.contains { $0.related(prefix) } }
    }

    /// Whether the book's district (`home`) agrees with the levels named (true when none are, or no home).
    func admits(home: CodePrefix?) -> Bool { home.map(admits) ?? true }
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
}
