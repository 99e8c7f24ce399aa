/// A direction phrase of an address (东侧50米, 西南约30米, 旁): where the place is relative to what the rest of
/// the address names.
public struct DirectionPhrase: Hashable, Sendable {
    /// The phrase as normalised (`东侧50米`).
    public var text: String
    /// Compass bearing in degrees (0 north, 90 east) for 东/南/西/北 and their combinations; nil for 旁, 对面 ….
    public var bearing: Double?
    /// The distance in metres, when the phrase gives one.
    public var distanceMetres: Double?
}

/// A name the parser found, with what it may refer to.
struct NameMention: Hashable, Sendable {
    var text: String
    var entries: [NameEntry]
    /// Not an exact hit: one edit away from the name in the index (a typo) or a homophone of it.
    var fuzzy: Bool
    /// For a homophone, the text as written (仁民被路 when the name is 人民北路); nil otherwise.
    var homophoneOf: String? = nil
    /// A near miss by one character replaced with another of a different sound (芦宾路 for 迎宾路): as often another
    /// real name as a typo, so a door number alone does not bear it out.
    var weak = false
}

/// An address split into the segments of GB/T 30428.3: regions [市|区/县|街道/镇/乡|社区/村], street, door
/// number, building, unit, room, place or POI, direction and remark. Names are as written after normalisation.
public struct ParsedAddress: Hashable, Sendable {
    public var normalized: String
    /// Division and region names in the order written (any level, possibly misplaced).
    public var regionNames: [String] = []
    public var road: String?
    public var doorNumber: Int?
    /// `甲`, `-1` …, or "".
    public var doorSuffix: String = ""
    public var place: String?
    public var building: Int?
    public var unit: Int?
    public var room: String?
    public var floor: Int?
    public var poi: String?
    public var direction: DirectionPhrase?
    /// A 6/9/12/15-digit region or unit-grid code given as the address.
    public var code: String?
    /// A 16-digit component identifier (部件编码, GB/T 30428.2) given as the whole address, with any spaces
    /// and dashes removed.
    public var componentCode: String?
    /// A 10-digit component class code (district + 大类 + 小类) given as the whole address: a kind of
    /// component, not a place.
    public var componentClassCode: String?
    /// Text the parser could not place (free description, unknown names).
    public var remark: String = ""
    /// The two roads of an intersection (A路与B路交叉口), as read; nil when the address names none.
    public var intersection: [String]?

    var regionMentions: [NameMention] = []
    var roadMentions: [NameMention] = []
    var placeMentions: [NameMention] = []
    var poiMentions: [NameMention] = []
    /// Names of provinces, prefectures or counties outside the levels the text names (郓城 in
    /// 江苏省盐城市大丰区郓城北环路): the road after one is more likely that place's than the book's.
    var foreignNames: [String] = []
    /// Names recognised only by their suffix (e.g. an unknown 建国路), by kind.
    var unknownRoad: String?
    var unknownPlace: String?
    /// A county recognised only by its suffix, not in the division list (青石县): the text is then in some county
    /// the book is not, unless it also names a known county.
    var unknownCounty: String?
    /// For an intersection, the readings of each of its two roads: ranges of ``roadMentions`` (empty for a road
    /// the book does not have).
    var crossing: RoadCrossing?
}

/// The two roads of an intersection: the readings of each in ``ParsedAddress/roadMentions``.
struct RoadCrossing: Hashable, Sendable {
    var first: Range<Int>
    var second: Range<Int>
}

/// Splits normalised address text into segments, using the names the index knows and, for names it does not,
/// the suffixes of GB/T 30428.3 (路/街/巷…, 省/市/区/县/镇/乡/村…, 小区/花园/苑…).
struct AddressParser: Sendable {
    let trie: ScalarTrie
    let fuzzy: FuzzyNameIndex
    /// Consulted only where no name is exact or one edit away.
    let homophones: HomophoneIndex
    /// The code and level of every region reading, for the chain of admin levels the text names.
    let regions: RegionReadings

    static let roadSuffixes: [[Unicode.Scalar]] = ["大道", "大街", "胡同", "公路", "路", "街", "巷", "弄", "里", "道", "条", "线"].map(scalars)
    static let adminSuffixes: [[Unicode.Scalar]] = ["特别行政区", "自治区", "自治州", "自治县", "居委会", "街道", "社区", "地区", "省", "市", "盟", "区", "县", "旗", "镇", "乡", "村"].map(scalars)
    static let placeSuffixes: [[Unicode.Scalar]] = ["小区", "花园", "新村", "家园", "公寓", "大厦", "广场", "苑", "园", "城", "湾", "庭", "府", "邸"].map(scalars)
    /// Characters after which a short form (大丰, 盐城) is the start of a longer name, not an admin level.
    static let nameContinuations = ScalarSet("路街巷道弄里村镇乡园苑湾城府桥河湖港庄")
    /// Of ``nameContinuations``, those that end a road's name right there (大丰路): after a parent level (盐城大丰庄台路)
    /// the others more often start the next name.
    static let roadEndings = ScalarSet("路街巷道弄里")
    /// The road endings that never follow a compound or POI as other words do (道 as in 道口, 里 as in 小区里 may).
    static let roadNameEndings = ScalarSet("路街巷弄")
    /// Direction characters: a road with one more or one fewer (南环西路, 南环路) is another road.
    static let directionCharacters = ScalarSet("东西南北中")
    /// Direction words with their bearing (nil for 旁, 对面 …), as scalars: the parser tries them at every
    /// position no name starts at.
    static let directionWords: [([Unicode.Scalar], Double?)] = ([
        ("东南", 135), ("东北", 45), ("西南", 225), ("西北", 315), ("东", 90), ("南", 180), ("西", 270), ("北", 0),
        ("对面", nil), ("附近", nil), ("隔壁", nil), ("旁边", nil), ("旁", nil), ("前", nil), ("后", nil), ("左", nil), ("右", nil),
        ("内", nil), ("外", nil), ("上", nil), ("下", nil), ("相邻", nil), ("门口", nil),
    ] as [(String, Double?)]).map { (scalars($0.0), $0.1) }
    /// The first characters of ``directionWords``.
    static let directionWordStarts = ScalarSet(String(String.UnicodeScalarView(directionWords.map { $0.0[0] })))
    /// Distance units and their metres.
    static let distanceUnits: [([Unicode.Scalar], Double)] = [("米", 1.0), ("M", 1.0), ("公里", 1000.0), ("千米", 1000.0), ("KM", 1000.0)]
        .map { (scalars($0.0), $0.1) }
    /// The longest distance a direction phrase may give (东侧约50米 is typical); 100 km is beyond any of them.
    static let maximumDirectionMetres = 100_000.0
    static let directionSideWords = ["方向", "侧", "边", "面", "方", "向", "头", "角"].map(scalars)
    /// Words after two roads that make them an intersection (A路与B路交叉口), longest first. 口 alone (A路与B路口)
    /// counts only after a joiner.
    static let crossingWords: [[Unicode.Scalar]] = ["十字路口", "交叉路口", "交叉口", "交汇处", "交汇口", "交会处", "交叉处", "交界处", "交口", "路口", "口"].map(scalars)
    /// Characters that join the two roads of an intersection. 与 always; the others (和平路, 及第路 are names too)
    /// only in a text that has a crossing word.
    static let crossingJoiners = ScalarSet("与和及跟同")
    /// Road classes by the word that follows (204国道) or precedes (国道204) their number, with the letter of the
    /// canonical road number (G204).
    static let roadClasses: [([Unicode.Scalar], Unicode.Scalar)] = [("国道", "G"), ("省道", "S"), ("县道", "X"), ("乡道", "Y")].map { (scalars($0.0), $0.1) }
    static let roadClassLetters = ScalarSet("GSXY")
    static let roadClassWordStarts = ScalarSet("国省县乡")
    static let doorSuffixes = ScalarSet("甲乙丙丁")
    /// How many readings of a misspelt name are passed to the matcher.
    static let maximumNearMisses = 4

    static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }
    static func string(_ s: ArraySlice<Unicode.Scalar>) -> String { String(scalars: s) }

    static func isHan(_ s: Unicode.Scalar) -> Bool { (s.value >= 0x3400 && s.value <= 0x9FFF) || (s.value >= 0xF900 && s.value <= 0xFAFF) }

    /// Splits `text` into its segments. With `regionsOnly` (the admin levels are all that is asked for), names that
    /// can be no region are not looked for by near miss or sound: they are read as unknown names of the same length,
    /// so the regions read are the same; `normalized` and `remark` are then left empty.
    func parse(_ text: String, regionsOnly: Bool = false) -> ParsedAddress {
        readLeftovers(readNames(text, regionsOnly: regionsOnly))
    }

    /// A parse up to its leftover text: what ``readNames(_:regionsOnly:)`` read left to right, and what
    /// ``readLeftovers(_:)`` needs to finish it.
    struct NameReading {
        /// The segments read so far (all of them for a component code).
        var parsed: ParsedAddress
        var text: [Unicode.Scalar]
        var regionsOnly: Bool
        /// The text no name or number explained, in order, and its runs (ranges of ``text``).
        var remark: [Unicode.Scalar] = []
        var unmatchedRuns: [Range<Int>] = []
        /// A province or prefecture was read: county short forms are safe.
        var sawParent = false
        /// The province, prefecture and county the text has named: every later region reading lies inside.
        var chain = NamedChain()
        /// A component code or class code is the whole text: there are no leftovers.
        var isComponentCode = false
        /// Names that can be no region were read as unknown names, as `regionsOnly` reads them, because the levels
        /// named admitted no region of the book (see `elsewhereFirst` of ``AddressParser/readNames(_:regionsOnly:elsewhereFirst:)``).
        var skippedNames = false

        /// Whether ``AddressParser/readLeftovers(_:)`` may still read a region (and so change the admin levels):
        /// only a region of the book is read in leftover text, inside the levels named. When it may not, the regions
        /// read so far are all the parse will have.
        func leftoversMayNameRegions(_ regions: RegionReadings) -> Bool {
            !isComponentCode && regions.bookRegionAdmitted(by: chain)
        }
    }

    /// The first part of ``parse(_:regionsOnly:)``: the names, numbers, directions and crossings of the text, left
    /// to right.
    ///
    /// With `elsewhereFirst`, once the levels named admit no region of the book, names that can be no region are
    /// read as `regionsOnly` reads them (unknown names of the same length, not looked for by near miss or sound),
    /// and ``NameReading/skippedNames`` says so: such a text is most often elsewhere, answered with its admin
    /// levels alone, which are the same either way. A caller that needs those names reads the text again without.
    /// Only where no name of the indexes is both a region and a road, place or POI: a near miss of such a name read
    /// for a road would name a region as well.
    func readNames(_ text: String, regionsOnly: Bool, elsewhereFirst: Bool = false) -> NameReading {
        let s = AddressNormalizer.normalizedScalars(text)
        // The normalised text is written by readLeftovers: a reading answered from its regions alone does not need it.
        var out = ParsedAddress(normalized: "")
        // Most texts name a few regions: room for them at once, not grown one by one.
        out.regionMentions.reserveCapacity(4)
        out.regionNames.reserveCapacity(4)
        let mayRead = elsewhereFirst && !fuzzy.namesMixRegions && !homophones.namesMixRegions
        var skippedNames = false
        if let digits = Self.componentDigits(s) {
            if digits.count == 16 { out.componentCode = digits } else { out.componentClassCode = digits }
            return NameReading(parsed: out, text: s, regionsOnly: regionsOnly, isComponentCode: true)
        }
        var remark: [Unicode.Scalar] = []
        var unmatchedRuns: [Range<Int>] = []
        // Where the run of text no name explained started (nil: none is open). A run is always one range of the text:
        // every token flushes it, and the one character skipped without (a joiner after a road) follows a token.
        var runStart: Int?
        var sawParent = false  // a province or prefecture before: county short forms become safe
        // The province, prefecture and county the text has named so far: every later region reading lies inside.
        var chain = NamedChain()
        var i = 0
        func flushRun() {
            guard let start = runStart else { return }
            unmatchedRuns.append(start..<i)
            remark += s[start..<i]
            runStart = nil
        }
        // The length of a province, prefecture or county name at `i` outside the chain (known() finds it).
        var foreignLength = 0
        // Every road read so far (its readings in roadMentions, empty for one the book does not have), with where
        // it was written: the last two make an intersection when a crossing word follows them.
        var roadTokens: [(readings: Range<Int>, name: String, start: Int, end: Int)] = []
        var unknownRoads = 0
        lazy var hasCrossingWord = Self.containsCrossingWord(s)
        // The names starting at each position, each position walked once.
        var names = NameStarts(s)
        // The names starting at a position, one buffer for every position (see known()).
        var candidates: [(length: Int, node: Int32)] = []
        candidates.reserveCapacity(8)
        while i < s.count {
            foreignLength = 0
            let tokenStart = i, readingsBefore = out.roadMentions.count, unknownBefore = unknownRoads
            defer {
                if out.roadMentions.count > readingsBefore || unknownRoads > unknownBefore {
                    roadTokens.append((readingsBefore..<out.roadMentions.count, Self.string(s[tokenStart..<i]), tokenStart, i))
                }
            }
            if let last = roadTokens.last, last.end == i {
                // A joiner between two roads (A路与B路) is no text of its own; one that starts a name (和平巷) is that name.
                if Self.crossingJoiners.contains(s[i]), s[i] == "与" || hasCrossingWord, trie.names(startingAt: i, in: &names).isEmpty {
                    i += 1
                    continue
                }
                if let length = crossingWord(s, at: i, after: roadTokens) {
                    flushRun()
                    let (a, b) = (roadTokens[roadTokens.count - 2], roadTokens[roadTokens.count - 1])
                    out.crossing = RoadCrossing(first: a.readings, second: b.readings)
                    out.intersection = [a.name, b.name]
                    i += length
                    continue
                }
            }
            if let (length, number) = Self.roadNumber(s, at: i) {
                // G204, 204国道, 国道204: a road by its number, found under the canonical number (G204).
                flushRun()
                let entries = trie.entries(of: number).filter { if case .road = $0.target { true } else { false } }
                if entries.isEmpty {
                    let text = Self.string(number[...])
                    if out.unknownRoad == nil { out.unknownRoad = text }
                    remark += s[i..<(i + length)]
                    unknownRoads += 1
                } else {
                    assign(NameMention(text: Self.string(number[...]), entries: entries, fuzzy: false), into: &out, sawParent: &sawParent, chain: &chain)
                }
                i += length
                continue
            }
            // A few names start with a number (二号卜乡 → 2号卜乡): a known name wins over a door number.
            if let (length, mention) = known(s, at: i, sawParent: sawParent, chain: chain, foreign: &foreignLength, names: &names, candidates: &candidates) {
                flushRun()
                assign(mention, into: &out, sawParent: &sawParent, chain: &chain)
                i += length
                continue
            }
            if AddressNormalizer.isDigit(s[i]) || (s[i].value >= 0x41 && s[i].value <= 0x5A), let consumed = number(s, at: i, into: &out) {
                flushRun()
                i += consumed
                continue
            }
            if foreignLength > 0 { out.foreignNames.append(Self.string(s[i..<(i + foreignLength)])) }
            if i > 0, let (length, phrase) = direction(s, at: i) {
                flushRun()
                // A phrase with a distance (东侧50米) outranks a bare one written with it (门口), which stays text.
                if out.direction?.distanceMetres == nil || phrase.distanceMetres != nil {
                    out.direction = phrase
                } else {
                    remark += s[i..<(i + length)]
                }
                i += length
                continue
            }
            if let (length, kind) = suffixed(s, at: i), kind != .admin || !exactNameEnds(inside: (i + 1)..<(i + length), names: &names) {
                let name = Array(s[i..<(i + length)])
                let skipsNames = !regionsOnly && kind != .admin && mayRead && !regions.bookRegionAdmitted(by: chain)
                if skipsNames { skippedNames = true }
                let lookUp = (!regionsOnly && !skipsNames) || kind == .admin
                // An admin run is looked up only where a region name may be one edit from it (see
                // FuzzyNameIndex.mayHaveRegionNearMiss): most runs ending in 区 or 市 are not (仙林校区, 超市).
                // Two written characters grow into no region or place (isWeakNearMiss): only a road is looked up.
                let nearMissLookUp = lookUp && (kind == .road || name.count > 2)
                    && (kind != .admin || fuzzy.mayHaveRegionNearMiss(of: name, startsAName: { trie.startsAName($0) }))
                // Every near miss is kept, best first: 人华南路 may be 人民南路 or 裕华南路, and only the door number
                // (which of them has it) can tell.
                // A place or POI read through a weak near miss has nothing to bear it out (大丰城 is not 大丰站).
                // An admin reading must lie inside the levels named (admissibleFuzzy): names of other provinces, and
                // townships before a level is named, are not compared at all.
                let reach = kind == .admin ? chain.reach : nil
                // A weak near miss comes after the others (花院巷: 花园巷, one character of the same sound, before 书院巷):
                // where the door number bears both out, the answers tie and keep this order.
                let found = (nearMissLookUp ? fuzzy.nearMisses(of: name[...], kinds: kind.entryKinds, reach: reach) : []).compactMap { admissibleFuzzy($0, written: name, kind: kind, chain: chain) }
                    .map { (name: $0.0, entries: $0.1, weak: isWeakNearMiss(name, $0.0)) }
                    .filter { kindMatches($0.entries, kind) && (kind == .road || !$0.weak) }
                let misses = (found.filter { !$0.weak } + found.filter(\.weak)).prefix(Self.maximumNearMisses)
                if !misses.isEmpty {
                    flushRun()
                    for miss in misses {
                        assign(
                            NameMention(text: Self.string(miss.name[...]), entries: miss.entries, fuzzy: true, weak: miss.weak), into: &out,
                            sawParent: &sawParent, chain: &chain)
                    }
                    i += length
                    continue
                }
                // No name within one edit: one that sounds the same (仁民被路 → 人民北路), again every reading.
                // Only the book's names are matched by sound: an admin one only where the levels named admit a region
                // of the book.
                let soundLookUp = lookUp && (kind != .admin || regions.bookRegionAdmitted(by: chain))
                let sounds = (soundLookUp ? homophones.homophones(of: name, kinds: kind.entryKinds) : []).compactMap { admissibleFuzzy($0, written: name, kind: kind, chain: chain) }
                    .filter { kindMatches($0.1, kind) }.prefix(Self.maximumNearMisses)
                if !sounds.isEmpty {
                    flushRun()
                    let written = Self.string(name[...])
                    for sound in sounds {
                        assign(
                            NameMention(text: Self.string(sound.0[...]), entries: sound.1, fuzzy: true, homophoneOf: written), into: &out, sawParent: &sawParent,
                            chain: &chain)
                    }
                    i += length
                    continue
                }
                if kind == .admin, out.unknownCounty == nil, Self.isUnknownCounty(name, before: i + length < s.count ? s[i + length] : nil) {
                    out.unknownCounty = Self.string(name[...])
                }
                if kind != .admin {
                    flushRun()
                    let text = Self.string(name[...])
                    if kind == .road { unknownRoads += 1 }
                    if kind == .road {
                        if out.unknownRoad == nil { out.unknownRoad = text }
                    } else if out.unknownPlace == nil {
                        out.unknownPlace = text
                    }
                    remark += name
                    i += length
                    continue
                }
            }
            if runStart == nil { runStart = i }
            i += 1
        }
        flushRun()
        return NameReading(
            parsed: out, text: s, regionsOnly: regionsOnly, remark: remark, unmatchedRuns: unmatchedRuns, sawParent: sawParent, chain: chain,
            skippedNames: skippedNames)
    }

    /// The second part of ``parse(_:regionsOnly:)``: near misses and homophones in the text no name explained, then
    /// the whole text as one name.
    func readLeftovers(_ reading: NameReading) -> ParsedAddress {
        var out = reading.parsed
        let (s, regionsOnly) = (reading.text, reading.regionsOnly)
        if !regionsOnly { out.normalized = Self.string(s[...]) }
        guard !reading.isComponentCode else { return out }
        var (remark, sawParent, chain) = (reading.remark, reading.sawParent, reading.chain)
        // Typos in names without a telling suffix (桂花园 for 桂花苑): a leftover run one edit from a known name.
        // Then homophones of such names (孙继火国店 for 孙记火锅店), only where no near miss was found.
        // For the admin levels alone, leftover text can hold only the book's own regions, which lie inside the book's
        // district: none to look for in a text that names levels elsewhere.
        let leftovers = regionsOnly && !chain.admits(home: regions.home) ? [] : reading.unmatchedRuns
        for range in leftovers where range.count >= FuzzyNameIndex.minimumLength - 1 {
            let leftover = Array(s[range])
            let mention: NameMention
            let explained: [Unicode.Scalar]
            if let best = bestNearMiss(in: leftover, chain: chain) {
                mention = NameMention(text: Self.string(best.0[...]), entries: best.1, fuzzy: true)
                explained = leftover
            } else if let best = bestHomophone(in: leftover, chain: chain) {
                mention = NameMention(text: Self.string(best.name[...]), entries: best.entries, fuzzy: true, homophoneOf: Self.string(best.written[...]))
                explained = best.written
            } else {
                continue
            }
            assign(mention, into: &out, sawParent: &sawParent, chain: &chain)
            let explainedText = Self.string(explained[...])
            var remarkText = Self.string(remark[...])
            if let range = remarkText.range(of: explainedText) { remarkText.removeSubrange(range) }
            remark = Self.scalars(remarkText)
        }
        // A whole address that sounds like one name, which the pieces above could not reach: a homophone inside
        // a region or road that the name contains (大奉区白驹镇中心小学, 华联超市(璺峰东路店)) splits the text at
        // that region or road. Only where no road, place or POI was written exactly. The pieces are then parts of
        // the name, not admin levels or roads of their own (大奉区 is one edit from Beijing's 大兴区 as well).
        // Not where the text names levels elsewhere: the book's names are not read into another county's text.
        let exactNames = (out.roadMentions + out.placeMentions + out.poiMentions).contains { !$0.fuzzy }
        if !exactNames, chain.admits(home: regions.home), let whole = homophones.homophones(of: s).first {
            let normalized = Self.string(s[...])
            var named = ParsedAddress(normalized: normalized)
            var noParent = false
            var noChain = NamedChain()
            assign(
                NameMention(text: Self.string(whole.0[...]), entries: whole.1, fuzzy: true, homophoneOf: normalized), into: &named, sawParent: &noParent,
                chain: &noChain)
            return named
        }
        if !regionsOnly { out.remark = Self.string(remark[...]) }
        return out
    }

    /// The best near miss of a leftover run or of its sub-runs (at least three characters, at most one longer than
    /// the longest name: a sub-run per start and length is quadratic in the run, too many for long text).
    /// Weak near misses (one character of another sound) are not read in leftover text: nothing else in it can
    /// bear them out (大丰城东… is not the POI 大丰站).
    private func bestNearMiss(in run: [Unicode.Scalar], chain: NamedChain) -> ([Unicode.Scalar], [NameEntry])? {
        func best(_ slice: ArraySlice<Unicode.Scalar>) -> ([Unicode.Scalar], [NameEntry])? {
            // Most sub-runs hit nothing: the written text is copied only for those that do.
            // A national division is never read in leftover text (admissibleInLeftover): names of one alone are skipped.
            let hits = fuzzy.nearMisses(of: slice, kinds: .other)
            guard !hits.isEmpty else { return nil }
            let written = Array(slice)
            // A loop, not a lazy chain: its closures would copy the parser for every sub-run.
            for hit in hits where !isWeakNearMiss(written, hit.0) {
                if let admitted = admissibleInLeftover(hit, chain: chain) { return admitted }
            }
            return nil
        }
        if let hit = best(run[...]) { return hit }
        return Self.firstSubRun(of: run, longest: min(run.count - 1, fuzzy.longestNameLength + 1), shortest: 3, best)
    }

    /// The longest homophone of a leftover run or of its sub-runs (at least three characters, no longer than the
    /// longest name), with the text it was read from. Only what sounds like a whole name is explained: the rest
    /// of the run stays in the remark.
    private func bestHomophone(in run: [Unicode.Scalar], chain: NamedChain) -> (name: [Unicode.Scalar], entries: [NameEntry], written: [Unicode.Scalar])? {
        guard !homophones.isEmpty else { return nil }
        let longest = min(run.count, homophones.longestNameLength)
        return Self.firstSubRun(of: run, longest: longest, shortest: FuzzyNameIndex.minimumLength) { slice in
            // No name of that length, no copy of the text.
            guard homophones.holdsNames(ofLength: slice.count) else { return nil }
            let written = Array(slice)
            for hit in homophones.homophones(of: written) {
                if let admitted = admissibleInLeftover(hit, chain: chain) { return (admitted.0, admitted.1, written) }
            }
            return nil
        }
    }

    /// Whether `name` is a weak reading of `written`: one character replaced with another that shares no reading
    /// in a stem of two, a direction character more or less at an end of the stem, or a name grown from two
    /// written characters (北路 is no more 北环路 than 北京路).
    func isWeakNearMiss(_ written: [Unicode.Scalar], _ name: [Unicode.Scalar]) -> Bool {
        if written.count <= 2 { return true }
        if abs(written.count - name.count) == 1 {
            let (longer, shorter) = written.count > name.count ? (written, name) : (name, written)
            let k = shorter.indices.first { longer[$0] != shorter[$0] } ?? shorter.count
            // A doubled character (东东进路) is a slip of the keyboard, not another direction.
            let doubled = (k > 0 && longer[k - 1] == longer[k]) || (k + 1 < longer.count && longer[k + 1] == longer[k])
            // Another road has its direction at either end of the stem (南环西路 beside 南环路, 西环路); one inside
            // the stem (通西榆路) names no road: a slip.
            let atAnEnd = k == 0 || longer[(k + 1)...].dropLast().allSatisfy(Self.directionCharacters.contains)
            return Self.directionCharacters.contains(longer[k]) && !doubled && atAnEnd
        }
        guard written.count == name.count else { return false }
        let differing = zip(written, name).filter { $0.0 != $0.1 }
        guard differing.count == 1, let (a, b) = differing.first, !homophones.pinyin.soundAlike(a, b) else { return false }
        // A stem of two characters (迎宾路, 工农南路 without its direction) keeps only one of them: another name as
        // likely as a typo. A longer stem keeps enough for the door number to decide.
        let stem = name.dropLast().filter { !Self.directionCharacters.contains($0) }
        return stem.count <= 2
    }

    /// A fuzzy reading of text without a telling suffix (五公祠内, 黄河三峡内, 交叉口东北角): never a national
    /// division, whose thousands of town names are each one edit from some landmark or phrase; a region of the
    /// book only inside the levels the text names. nil when nothing of the reading remains.
    private func admissibleInLeftover(_ hit: ([Unicode.Scalar], [NameEntry]), chain: NamedChain) -> ([Unicode.Scalar], [NameEntry])? {
        let entries = Self.kept(hit.1) { entry in
            switch entry.target {
            case .division: false
            case .region: regions.reading(entry.target).map { chain.admits($0.prefix) } ?? false
            default: true
            }
        }
        return entries.map { (hit.0, $0) }
    }

    /// The entries `keep` keeps: the list itself when it keeps all of them (most names), nil when it keeps none
    /// (most fuzzy readings of a township name elsewhere), a new list only otherwise.
    private static func kept(_ entries: [NameEntry], _ keep: (NameEntry) -> Bool) -> [NameEntry]? {
        guard entries.contains(where: keep) else { return nil }
        return entries.allSatisfy(keep) ? entries : entries.filter(keep)
    }

    /// A fuzzy reading (near miss or homophone) of a name written with a suffix (甲山村, 盐成市, 人华南路): an admin
    /// reading keeps the written suffix (甲山村 is no 甲山镇), lies inside the levels named so far, and a township
    /// or village is read fuzzily only inside a chain the text has named (or, with none, in the book's own
    /// district). nil when nothing of the reading remains.
    private func admissibleFuzzy(_ hit: ([Unicode.Scalar], [NameEntry]), written: [Unicode.Scalar], kind: SuffixKind, chain: NamedChain) -> ([Unicode.Scalar], [NameEntry])? {
        let sameSuffix = hit.0.last == written.last
        let entries = Self.kept(hit.1) { entry in
            guard let reading = regions.reading(entry.target) else { return true }
            guard kind != .admin || sameSuffix, chain.admits(reading.prefix) else { return false }
            if reading.level < RegionReadings.township { return true }
            if case .region = entry.target { return true }
            return !chain.isEmpty
        }
        return entries.map { (hit.0, $0) }
    }

    /// The first hit of `lookup` over the sub-runs of `run` from `longest` down to `shortest` characters, longest
    /// first, then leftmost.
    private static func firstSubRun<Hit>(
        of run: [Unicode.Scalar], longest: Int, shortest: Int, _ lookup: (ArraySlice<Unicode.Scalar>) -> Hit?
    ) -> Hit? {
        guard longest >= shortest else { return nil }
        for length in stride(from: longest, through: shortest, by: -1) {
            for start in 0...(run.count - length) {
                if let hit = lookup(run[start..<(start + length)]) { return hit }
            }
        }
        return nil
    }

    enum SuffixKind {
        case road, admin, place

        /// The kinds of entry a name read by this suffix may be (``kindMatches(_:_:)``): near misses and homophones
        /// of other kinds are not looked at.
        var entryKinds: EntryKinds {
            switch self {
            case .road: .road
            case .admin: .regions
            case .place: [.place, .poi]
            }
        }
    }
    static let suffixGroups: [([[Unicode.Scalar]], SuffixKind)] = [(roadSuffixes, .road), (adminSuffixes, .admin), (placeSuffixes, .place)]
    /// The last characters of every suffix.
    static let suffixEndings = ScalarSet(String(String.UnicodeScalarView(suffixGroups.flatMap { $0.0.compactMap(\.last) })))

    private func kindMatches(_ entries: [NameEntry], _ kind: SuffixKind) -> Bool {
        entries.contains { entry in
            switch (entry.target, kind) {
            case (.road, .road), (.division, .admin), (.region, .admin), (.place, .place), (.poi, .place): true
            default: false
            }
        }
    }

    /// Whether a national division name (full or short) starts at `i`.
    /// Short forms count only when an official name follows them (江苏镇江京口区), so that 朝阳阳西路 (a typo) does
    /// not read as two short forms.
    private func divisionStarts(at i: Int, names: inout NameStarts, depth: Int = 0) -> Bool {
        guard i < names.text.count else { return false }
        for k in trie.names(startingAt: i, in: &names) {
            let (length, node) = names[k]
            let kinds = trie.kinds(atNode: node)
            if kinds.contains(.division) || (kinds.contains(.divisionShortForm) && depth == 0 && divisionStarts(at: i + length, names: &names, depth: 1)) {
                return true
            }
        }
        return false
    }

    /// The longest known name at `i` that reads as a name there. `foreign` is set to the length of the longest
    /// province, prefecture or county name at `i` that the chain turned away (郓城 in 江苏省盐城市大丰区郓城北环路).
    /// `candidates` is scratch space, kept by the caller so that no array is made per position.
    private func known(
        _ s: [Unicode.Scalar], at i: Int, sawParent: Bool, chain: NamedChain, foreign: inout Int, names: inout NameStarts,
        candidates: inout [(length: Int, node: Int32)]
    ) -> (Int, NameMention)? {
        candidates.removeAll(keepingCapacity: true)
        for k in trie.names(startingAt: i, in: &names) { candidates.append(names[k]) }
        guard !candidates.isEmpty else { return nil }
        candidates.reverse()
        // 济南市中区 is 济南 + 市中区, not 济南市 + 中区: among division names, prefer the longest one that another
        // division follows when the longest one is followed by none. (A name whose kinds hold no `other` has
        // division entries only.)
        if candidates.count > 1, trie.kinds(atNode: candidates[0].node).isDisjoint(with: .other),
            !divisionStarts(at: i + candidates[0].length, names: &names),
            let split = candidates.indices.dropFirst().first(where: { k in
                divisionStarts(at: i + candidates[k].length, names: &names) && !trie.kinds(atNode: candidates[k].node).isDisjoint(with: [.division, .divisionShortForm])
            })
        {
            candidates.insert(candidates.remove(at: split), at: 0)
        }
        for (length, node) in candidates {
            let entries = trie.entries(atNode: node)
            let next = i + length < s.count ? s[i + length] : nil
            // Asked once per name, not once per short form under it (朝阳 is a short form of several districts).
            var followed: Bool?
            func followedByDivision() -> Bool {
                if let followed { return followed }
                let answer = divisionStarts(at: i + length, names: &names)
                followed = answer
                return answer
            }
            func isUsable(_ entry: NameEntry) -> Bool {
                // A compound or POI name run into 路, 街, 巷 or 弄 is the head of a road named after it (政府街路, 人民公园路):
                // the road, known or not, is what the text gives.
                switch entry.target {
                case .place, .poi: if let next, Self.roadNameEndings.contains(next) { return false }
                default: break
                }
                // A region outside the levels already named is not read here (河南南阳…: 南阳镇 of another county).
                if let reading = regions.reading(entry.target), !chain.admits(reading.prefix) {
                    if case .division = entry.target, reading.level < RegionReadings.township, length >= 2 { foreign = max(foreign, length) }
                    return false
                }
                // Short forms (盐城, 大丰) and region aliases (草堰 for 草堰镇) are often the head of a longer name.
                let regionAlias: Bool = if case .region = entry.target { entry.form == .alias } else { false }
                guard entry.form == .shortForm || regionAlias else { return true }
                // 江苏镇江, 阳泉城区: a known admin name right after makes the short form a level of its own.
                if followedByDivision() { return true }
                if let next, Self.nameContinuations.contains(next) {
                    // 盐城大丰庄台路: a county short form under a prefecture already named is that county.
                    guard !Self.roadEndings.contains(next), !chain.isEmpty, entry.form == .shortForm,
                        let reading = regions.reading(entry.target), reading.level == 3
                    else { return false }
                    return true
                }
                if let next, Self.isHan(next), length == 2, !sawParent || regionAlias {
                    // A two-character short form followed by more name text is usually part of that name, unless a
                    // name follows that agrees with it (盐城大丰); a level elsewhere does not (拉萨贡嘎国际机场: 贡嘎 is
                    // 山南's).
                    guard next != "省" && next != "市" else { return true }
                    let own = regions.reading(entry.target)?.prefix
                    return trie.names(startingAt: i + length, in: &names).contains { k in
                        trie.entries(atNode: names[k].node).contains { e in
                            guard let own, let other = regions.reading(e.target) else { return true }
                            return RegionContext.related(prefix: own, prefix: other.prefix)
                        }
                    }
                }
                return true
            }
            // Most names keep every entry: their list is then passed on as it is, not copied.
            let usable = entries.allSatisfy(isUsable) ? entries : entries.filter(isUsable)
            if !usable.isEmpty {
                return (length, NameMention(text: Self.string(s[i..<(i + length)]), entries: usable, fuzzy: false))
            }
        }
        return nil
    }

    private func assign(_ mention: NameMention, into out: inout ParsedAddress, sawParent: inout Bool, chain: inout NamedChain) {
        // Provinces, prefectures and counties fix the chain; townships and villages are read inside it.
        for entry in mention.entries {
            if let reading = regions.reading(entry.target), reading.level < RegionReadings.township { chain.addReading(reading.prefix) }
        }
        chain.endLevel()
        // A name may be several kinds at once (a road and a POI); every reading is kept for the matcher.
        var isRegion = false, isRoad = false, isPlace = false, isPOI = false
        for entry in mention.entries {
            switch entry.target {
            case .division, .region: isRegion = true
            case .road: isRoad = true
            case .place: isPlace = true
            case .poi: isPOI = true
            }
        }
        if isRegion {
            out.regionNames.append(mention.text)
            out.regionMentions.append(mention)
            sawParent = true
        }
        if isRoad {
            if out.road == nil { out.road = mention.text }
            out.roadMentions.append(mention)
        }
        if isPlace {
            if out.place == nil { out.place = mention.text }
            out.placeMentions.append(mention)
        }
        if isPOI {
            if out.poi == nil { out.poi = mention.text }
            out.poiMentions.append(mention)
        }
    }

    /// Whether a known name starts inside `range` and ends with it (州博乐市 holds 博乐市): an admin level is then read
    /// exactly where it starts, not the run before it as a near miss of the whole (exact names are never typos).
    /// Roads and places keep the longer reading: a POI's name that holds a road (易捷便利(白驹路店)) is matched whole.
    private func exactNameEnds(inside range: Range<Int>, names: inout NameStarts) -> Bool {
        range.contains { j in trie.names(startingAt: j, in: &names).contains { names[$0].length == range.upperBound - j } }
    }

    /// Whether the text has a word that makes two roads an intersection (口 alone aside): only then are 和, 及 …
    /// joiners (和平路 is a name).
    static func containsCrossingWord(_ s: [Unicode.Scalar]) -> Bool {
        s.indices.contains { i in
            (s[i] == "交" || s[i] == "路") && crossingWords.dropLast().contains { AddressNormalizer.hasPrefix(s, $0, at: i) }
        }
    }

    /// The length of a crossing word at `i` that makes the last two roads read an intersection: they were written
    /// one right after the other, or with a joiner between them (口 alone needs the joiner: A路与B路口).
    private func crossingWord(_ s: [Unicode.Scalar], at i: Int, after roads: [(readings: Range<Int>, name: String, start: Int, end: Int)]) -> Int? {
        guard roads.count >= 2, let word = Self.crossingWords.first(where: { AddressNormalizer.hasPrefix(s, $0, at: i) }) else { return nil }
        let (a, b) = (roads[roads.count - 2], roads[roads.count - 1])
        let joined = b.start == a.end + 1 && Self.crossingJoiners.contains(s[a.end])
        guard joined || (b.start == a.end && word.count > 1) else { return nil }
        return word.count
    }

    /// A road by its number at `i`: a class letter and digits (G204, S226), digits and a class word (204国道,
    /// 975县道 once the normaliser has read 九七五), or a class word and digits (国道204, 省道S226), with an optional
    /// 线. The canonical name is the letter and the digits (G204); nil for anything else (a door number, S1号楼).
    static func roadNumber(_ s: [Unicode.Scalar], at i: Int) -> (length: Int, name: [Unicode.Scalar])? {
        let first = s[i]
        guard AddressNormalizer.isDigit(first) || roadClassLetters.contains(first) || roadClassWordStarts.contains(first) else { return nil }
        // Inside a longer code (AG204, 12G3) it is no road number.
        if i > 0, AddressNormalizer.isDigit(s[i - 1]) || (s[i - 1].value >= 0x41 && s[i - 1].value <= 0x5A) { return nil }
        var k = i
        var letter: Unicode.Scalar?
        let classFirst = roadClasses.first { AddressNormalizer.hasPrefix(s, $0.0, at: i) }
        if let classFirst {
            letter = classFirst.1
            k += classFirst.0.count
        }
        if k < s.count, roadClassLetters.contains(s[k]) {
            guard letter == nil || letter == s[k] else { return nil }
            letter = s[k]
            k += 1
        }
        let digitsStart = k
        while k < s.count, AddressNormalizer.isDigit(s[k]) { k += 1 }
        let digitsEnd = k
        guard digitsEnd > digitsStart, digitsEnd - digitsStart <= 4 else { return nil }
        if classFirst == nil, let classAfter = roadClasses.first(where: { AddressNormalizer.hasPrefix(s, $0.0, at: k) }) {
            guard letter == nil || letter == classAfter.1 else { return nil }
            letter = classAfter.1
            k += classAfter.0.count
        } else if classFirst == nil {
            // A letter and digits alone: not when they run on into letters or count something (S1号楼, X2幢).
            guard letter != nil else { return nil }
            if k < s.count, (s[k].value >= 0x41 && s[k].value <= 0x5A) || "号幢室层单楼栋座弄米-".unicodeScalars.contains(s[k]) { return nil }
        }
        guard let letter else { return nil }
        if k < s.count, s[k] == "线" { k += 1 }
        var digits = s[digitsStart..<digitsEnd]
        while digits.count > 1, digits.first == "0" { digits = digits.dropFirst() }
        return (k - i, [letter] + digits)
    }

    /// Words that may stand before a component code (部件编码：3209040101000123).
    static let componentPrefixes: [[Unicode.Scalar]] = ["部件标识码", "部件编码", "部件编号", "部件代码", "部件号", "部件", "标识码", "编码"].map(scalars)

    /// The digits of a text that is nothing but a component identifier (16 digits) or class code (10 digits),
    /// optionally after one of ``componentPrefixes``, with dashes between digit groups. Both must have a 大类
    /// of 01–06 and a 小类 of 01–99 (digits 7–10); anything else is not read as a component code.
    static func componentDigits(_ s: [Unicode.Scalar]) -> String? {
        var start = 0
        if let prefix = componentPrefixes.first(where: { AddressNormalizer.hasPrefix(s, $0, at: 0) }) { start = prefix.count }
        var digits: [Unicode.Scalar] = []
        for k in start..<s.count {
            if AddressNormalizer.isDigit(s[k]) {
                digits.append(s[k])
            } else if s[k] != "-" {
                return nil
            }
        }
        guard digits.count == 16 || digits.count == 10 else { return nil }
        let category = Int(string(digits[6..<8])) ?? 0
        let subclass = Int(string(digits[8..<10])) ?? 0
        guard (1...6).contains(category), subclass >= 1 else { return nil }
        return string(digits[...])
    }

    /// A number and its suffix at `i` (door number, building, unit, room, floor, distance or a code).
    private func number(_ s: [Unicode.Scalar], at i: Int, into out: inout ParsedAddress) -> Int? {
        var end = i
        while end < s.count && (AddressNormalizer.isDigit(s[end]) || (s[end].value >= 0x41 && s[end].value <= 0x5A)) { end += 1 }
        let digits = Self.string(s[i..<end])
        var suffix = ""
        // 12-1号
        if end + 1 < s.count, s[end] == "-", AddressNormalizer.isDigit(s[end + 1]) {
            var k = end + 1
            while k < s.count && AddressNormalizer.isDigit(s[k]) { k += 1 }
            if k < s.count && s[k] == "号" {
                suffix = Self.string(s[end..<k])
                end = k
            }
        }
        let next = end < s.count ? s[end] : nil
        let value = Int(digits)
        switch next {
        case "号", "弄":
            guard let value else { return nil }
            var consumed = end + 1 - i
            if end + 1 < s.count, Self.doorSuffixes.contains(s[end + 1]) {
                suffix = String(s[end + 1])
                consumed += 1
            }
            if out.doorNumber == nil {
                out.doorNumber = value
                out.doorSuffix = suffix
            } else if out.building == nil {
                out.building = value
            }
            return consumed
        case "幢":
            guard let value else { return nil }
            out.building = value
            return end + 1 - i
        case "室":
            out.room = digits
            return end + 1 - i
        case "层":
            out.floor = value
            return end + 1 - i
        case "单":
            guard end + 1 < s.count, s[end + 1] == "元", let value else { return nil }
            out.unit = value
            return end + 2 - i
        default:
            guard let value else { return nil }
            if next == nil || !Self.isHan(next!) {
                if [6, 9, 12, 15].contains(digits.count) && out.code == nil && digits.count == end - i {
                    out.code = digits
                    return end - i
                }
                // A bare number after a road: its door number (人民北路14).
                if out.doorNumber == nil && (out.road != nil || out.unknownRoad != nil) && next == nil {
                    out.doorNumber = value
                    return end - i
                }
            }
            return nil
        }
    }

    /// A direction phrase at `i`: a direction word, optional 侧/边/方向…, optional 约 and a distance.
    private func direction(_ s: [Unicode.Scalar], at i: Int) -> (Int, DirectionPhrase)? {
        // Asked at every position no name starts at, and most characters start no direction word.
        guard Self.directionWordStarts.contains(s[i]) else { return nil }
        for (w, bearing) in Self.directionWords {
            guard AddressNormalizer.hasPrefix(s, w, at: i) else { continue }
            var k = i + w.count
            for side in Self.directionSideWords where AddressNormalizer.hasPrefix(s, side, at: k) {
                k += side.count
                break
            }
            if k < s.count && (s[k] == "约" || s[k] == "大") { k += 1 }
            if k + 1 < s.count && s[k] == "约" { k += 1 }
            var distance: Double?
            var d = k
            while d < s.count && (AddressNormalizer.isDigit(s[d]) || s[d] == ".") { d += 1 }
            if d > k, let value = Double(Self.string(s[k..<d])) {
                for (u, factor) in Self.distanceUnits where AddressNormalizer.hasPrefix(s, u, at: d) {
                    // A longer "distance" (up to infinity from 400 digits) is no walk from a door and would move the
                    // answer off the map, or to NaN: then the number is not read as the phrase's distance.
                    if value * factor <= Self.maximumDirectionMetres {
                        distance = value * factor
                        d += u.count
                    }
                    break
                }
                if distance != nil { k = d }
            }
            // A bare word is a direction only at the end or before a distance, so 东进路 stays a name.
            let hadSide = k > i + w.count
            guard distance != nil || k == s.count || (hadSide && bearing != nil) || (bearing == nil && (k == s.count || hadSide)) else {
                continue
            }
            return (k - i, DirectionPhrase(text: Self.string(s[i..<k]), bearing: bearing, distanceMetres: distance))
        }
        return nil
    }

    /// An unknown name recognised by its suffix: the shortest run of Han characters (2–12) ending in one.
    /// Whether an admin run that reads as no known name is a county: two or more characters before 县, and no
    /// county institution after it (县城, 县委, 县衙, 县府, 县志, 县道, 县级). Not 市, 区 or 旗, which end too many
    /// other words (超市, 校区, 红旗).
    static func isUnknownCounty(_ name: [Unicode.Scalar], before next: Unicode.Scalar?) -> Bool {
        guard name.count >= 3, name.last == "县" else { return false }
        return next.map { !countyInstitutions.contains($0) } ?? true
    }

    static let countyInstitutions = ScalarSet("城委衙府志道级")

    private func suffixed(_ s: [Unicode.Scalar], at i: Int) -> (Int, SuffixKind)? {
        var end = i + 1
        while end < s.count && end - i < 12 && Self.isHan(s[end]) {
            end += 1
            let length = end - i
            // Most characters end no suffix: the groups are compared only where one may end.
            guard length >= 2, Self.suffixEndings.contains(s[end - 1]) else { continue }
            for (suffixes, kind) in Self.suffixGroups {
                for suffix in suffixes where suffix.count < length && AddressNormalizer.hasPrefix(s, suffix, at: end - suffix.count) {
                    // 街道 is an admin suffix, not the road suffix 街 followed by 道.
                    if kind == .road && suffix.count == 1 && suffix[0] == "街" && end < s.count && s[end] == "道" { continue }
                    // A compound's word run into 路, 街, 巷 or 弄 (学府路, 新城街, 花园巷) heads a road's name, as a known
                    // compound's name does there (see known()): the road is what the text gives. So does one whose
                    // last character is written twice (学府府路), a slip of the keyboard.
                    if kind == .place && end < s.count && (Self.roadNameEndings.contains(s[end]) || s[end] == s[end - 1]) { continue }
                    return (length, kind)
                }
            }
        }
        return nil
    }
}
