import Foundation
import GeoCore

/// How a forward geocode was resolved, from most to least precise.
public enum MatchType: String, Sendable, CaseIterable {
    /// A door plate in the book.
    case exactPlate = "exact_plate"
    /// A building plate (幢) of a compound.
    case buildingPlate = "building_plate"
    /// A component (部件) found by its 16-digit identifier.
    case component
    /// A door number absent from the book, placed along the road's centre line on the side of its parity.
    case interpolated
    /// A point of interest.
    case poi
    /// A compound, zone or other named place.
    case place
    /// The crossing of two roads (A路与B路交叉口), where their centre lines meet.
    case intersection
    /// A road without a number (a point on it).
    case street
    /// An admin area, community, village or unit grid.
    case region
}

/// One answer to a forward geocode.
public struct GeocodeResult: Hashable, Sendable {
    /// The standard address of the answer (江苏省盐城市大丰区丰华街道东风社区人民北路14号).
    public var label: String
    /// CGCS2000 longitude/latitude; nil for a region the book has no polygon for.
    public var coordinate: Coordinate?
    /// In [0, 1]: 1 for an exact plate named with its official name; lower for interpolation, aliases, former
    /// names, typos, contradicting admin levels and unexplained text.
    public var confidence: Double
    public var matchType: MatchType
    /// Codes of the answer: `province`, `city`, `district`, `street`, `community`, `unit_grid`.
    public var codes: [String: String]
    /// The book record matched (plate, building, POI, compound, road or region id/code).
    public var matchedID: String?
    /// Why the confidence is below 1, in words (`former name 解放北路 (until 1998-06-30)`, `near miss: 人民北路 read for the text`,
    /// `homophone 仁民被路 → 人民北路`).
    public var notes: [String]
}

/// How a ``Geocoder`` weighs what the book may not hold.
@MemberwiseInit
public struct GeocoderOptions: Hashable, Sendable {
    /// Whether the address book holds every road of its district (a complete road register, 地名地址库). Then a
    /// road written one character away from a book road (东华路 beside 东进路) is far likelier a typo than a road
    /// the book lacks, and a door number the book road has bears the reading out at plate level. Off (the default),
    /// such a near miss is as often a real road missing from the book, and needs a door number that few roads have
    /// (at most ``Geocoder/distinctiveNumberShare`` of them) or a named street or community holding the road:
    /// otherwise it answers the street. tools/geocode/README.md measures both: typos found against roads of other
    /// places wrongly answered with a plate.
    public var bookHasEveryRoad: Bool = false
}

/// Forward geocoding over one ``AddressBook`` (and optionally China's division list): parse, match each
/// combination of GB/T 30428.3, score. Immutable and `Sendable`: build it once, share it across requests.
public struct Geocoder: Sendable {
    public let book: AddressBook
    public let divisions: AdminDivisions
    public let options: GeocoderOptions
    let parser: AddressParser
    let frames: [RoadFrame]
    /// Plates by road index and number.
    let platesByRoad: [Int: [Int: [Int]]]
    /// The code prefixes of each plate's community and street, by plate index: a road answer inside a named street
    /// or community checks every plate of the road against them.
    let platePrefixes: [(community: CodePrefix?, street: CodePrefix?)]
    /// For each door number, the share of the book's roads with plates that have a plate of it (1号: most of them).
    let numberShare: [Int: Double]
    /// Building plates by compound index and number.
    let buildingsByPlace: [Int: [Int: Int]]
    let regionByCode: [String: Int]
    /// Components by their 16-digit identifier.
    let componentByCode: [String: Int]
    /// The 小类 name of every component class code in the book.
    let componentClassNames: [String: String]
    let placeByGate: [String: Int]
    /// Compounds by the road their gate plate is on.
    let placesByGateRoad: [String: [Int]]
    /// The district the book covers (its 6-digit code), preferred when a national name is ambiguous.
    let homeDistrict: String?
    let completionChildren: [Int32: [(Unicode.Scalar, Int32)]]
    /// ``regionPrefix(_:)`` of every region of the book below its unit grids, made once: every answer's label
    /// starts with one.
    let regionPrefixes: [String: String]
    /// ``ancestorCodes(ofDistrict:)`` of the book's districts, made once: every answer carries them.
    let districtAncestors: [String: [String: String]]
    /// ``divisionResult(_:)`` of every province, prefecture and county of the list, made once: an address
    /// elsewhere, most of what a city's intake gets from outside it, is answered with one of them. By division
    /// index, where each division finds its answer's index in ``divisionAnswers``; a township whose answer is its
    /// county's one level deeper finds -2 - the county's index there; -1: made on demand.
    let divisionAnswers: [GeocodeResult]
    let divisionAnswerIndex: [Int32]
    /// The book region of each division of the list with a code of the book (-1: none), by division index.
    let bookRegionOfDivision: [Int32]

    /// Builds the indexes. `divisions` adds the national names (any province, prefecture, county, township);
    /// `pinyin` lets the book's names be matched by sound (仁民被路 for 人民北路) where no name is exact or one edit
    /// away. With the empty table homophones are not matched.
    public init(
        book: AddressBook, divisions: AdminDivisions = AdminDivisions([]), pinyin: PinyinTable = PinyinTable(), options: GeocoderOptions = GeocoderOptions()
    ) {
        self.book = book
        self.divisions = divisions
        self.options = options
        var trie = ScalarTrie()
        var fuzzy = FuzzyNameIndex()
        var homophones = HomophoneIndex(pinyin: pinyin)
        let home = book.regions.first { $0.code.count == 6 && !$0.code.hasSuffix("00") }?.code
        let regions = RegionReadings(divisions: divisions, book: book, home: home)
        func add(_ name: String, _ entry: NameEntry) {
            let key = AddressNormalizer.normalizedScalars(name)
            trie.insert(key, entry)
            // A road named by its number (204国道, 国道204) is found under the number the parser reads (G204).
            if case .road = entry.target, let number = AddressParser.roadNumber(key, at: 0), number.length == key.count, number.name != key {
                trie.insert(number.name, entry)
            }
            guard entry.form != .shortForm else { return }
            let reach = regions.reach(entry.target)
            fuzzy.insert(key, entry, reach: reach)
            // Only the book's own names are matched by sound: among 40,000 national division names, some town
            // elsewhere sounds like almost any unknown three-character name, and would be read for it.
            if case .division = entry.target { return }
            homophones.insert(key, entry, reach: reach)
        }
        let officialNames = Set(divisions.divisions.map(\.name))
        for (k, d) in divisions.divisions.enumerated() {
            add(d.name, NameEntry(target: .division(Int32(k)), form: .official))
            for short in AdminDivisions.shortForms(of: d) { add(short, NameEntry(target: .division(Int32(k)), form: .shortForm)) }
            // Exact only: a typo of an outdated name is too far from the text to read.
            for old in AdminDivisions.otherSuffixForms(of: d, officialNames: officialNames) {
                trie.insert(AddressNormalizer.normalizedScalars(old), NameEntry(target: .division(Int32(k)), form: .formerSuffix))
            }
        }
        func addNamed(_ target: NameTarget, _ name: String, _ aliases: [String], _ former: [FormerName]) {
            add(name, NameEntry(target: target, form: .official))
            for a in aliases { add(a, NameEntry(target: target, form: .alias)) }
            for f in former { add(f.name, NameEntry(target: target, form: .former)) }
        }
        var regionByCode: [String: Int] = [:]
        for (k, r) in book.regions.enumerated() {
            regionByCode[r.code] = k
            // Unit grids are found by code, not by name.
            if r.code.count < 15 { addNamed(.region(Int32(k)), r.name, r.aliases, r.formerNames) }
        }
        for (k, r) in book.roads.enumerated() { addNamed(.road(Int32(k)), r.name, r.aliases, r.formerNames) }
        var placeByGate: [String: Int] = [:]
        for (k, p) in book.places.enumerated() {
            addNamed(.place(Int32(k)), p.name, p.aliases, p.formerNames)
            if let gate = p.gateAddress { placeByGate[AddressNormalizer.normalize(gate)] = k }
        }
        for (k, p) in book.pois.enumerated() { addNamed(.poi(Int32(k)), p.name, p.aliases, []) }
        parser = AddressParser(trie: trie, fuzzy: fuzzy, homophones: homophones, regions: regions)
        completionChildren = trie.childLists()

        var frames = book.roads.map { RoadFrame(line: $0.line) }
        var platesByRoad: [Int: [Int: [Int]]] = [:]
        for (k, plate) in book.plates.enumerated() {
            platesByRoad[plate.road, default: [:]][plate.number, default: []].append(k)
            if plate.suffix.isEmpty { frames[plate.road].place(number: plate.number, at: plate.coordinate) }
        }
        for k in frames.indices { frames[k].finishPlacing() }
        self.frames = frames
        self.platesByRoad = platesByRoad
        platePrefixes = book.plates.map { ($0.communityCode.map(RegionContext.prefix), $0.streetCode.map(RegionContext.prefix)) }
        var roadsWithNumber: [Int: Int] = [:]
        for numbers in platesByRoad.values { for n in numbers.keys { roadsWithNumber[n, default: 0] += 1 } }
        numberShare = roadsWithNumber.mapValues { Double($0) / Double(max(platesByRoad.count, 1)) }
        var buildingsByPlace: [Int: [Int: Int]] = [:]
        for (k, b) in book.buildings.enumerated() { buildingsByPlace[b.place, default: [:]][b.number] = k }
        self.buildingsByPlace = buildingsByPlace
        self.regionByCode = regionByCode
        var componentByCode: [String: Int] = [:]
        var componentClassNames: [String: String] = [:]
        for (k, c) in book.components.enumerated() {
            if componentByCode[c.code] == nil { componentByCode[c.code] = k }
            if componentClassNames[c.classCode] == nil { componentClassNames[c.classCode] = c.name }
        }
        self.componentByCode = componentByCode
        self.componentClassNames = componentClassNames
        self.placeByGate = placeByGate
        var placesByGateRoad: [String: [Int]] = [:]
        let roadKeys = Set(book.roads.map { AddressNormalizer.normalize($0.name) })
        let roadByKey = Dictionary(book.roads.map { (AddressNormalizer.normalize($0.name), $0.name) }, uniquingKeysWith: { a, _ in a })
        for (k, place) in book.places.enumerated() {
            guard let gate = place.gateAddress.map(AddressNormalizer.normalize) else { continue }
            // The longest road name the gate plate starts with (工农北路171号 → 工农北路, not 工农路).
            let prefixes = (1...gate.count).map { String(gate.prefix($0)) }
            if let key = prefixes.last(where: roadKeys.contains), let road = roadByKey[key] {
                placesByGateRoad[road, default: []].append(k)
            }
        }
        self.placesByGateRoad = placesByGateRoad
        homeDistrict = home
        var divisionAnswers: [GeocodeResult] = []
        var divisionAnswerIndex = [Int32](repeating: -1, count: divisions.divisions.count)
        for (k, d) in divisions.divisions.enumerated() where d.level <= 3 {
            divisionAnswerIndex[k] = Int32(divisionAnswers.count)
            divisionAnswers.append(Self.divisionResult(d, divisions: divisions))
        }
        // A township's answer is its county's with its own name and code: the same chain one level deeper (where
        // chain(of:) reaches the division itself and its walk is not bounded) and, where the township has no point
        // of its own (the list has none), the county's point and notes.
        for (k, d) in divisions.divisions.enumerated() where divisionAnswerIndex[k] < 0 {
            guard divisions.index(of: d.code) == k, let parent = divisions.parent(ofIndex: k), divisionAnswerIndex[parent] >= 0,
                divisions.chainLength(fromIndex: parent, limit: 5) < 5, divisions.boundaries.point(of: d.code) == nil
            else { continue }
            divisionAnswerIndex[k] = -2 - divisionAnswerIndex[parent]
        }
        self.divisionAnswers = divisionAnswers
        self.divisionAnswerIndex = divisionAnswerIndex
        bookRegionOfDivision = divisions.divisions.map { regionByCode[$0.code].map(Int32.init) ?? -1 }
        regionPrefixes = Dictionary(
            book.regions.filter { $0.code.count < 15 }.map { ($0.code, Self.walkRegionPrefix($0.code, book: book, regionByCode: regionByCode, divisions: divisions)) },
            uniquingKeysWith: { a, _ in a })
        districtAncestors = Dictionary(
            Set(book.regions.map { String($0.code.prefix(6)) }).map { ($0, Self.ancestorCodes(ofDistrict: $0, book: book, regionByCode: regionByCode, divisions: divisions)) },
            uniquingKeysWith: { a, _ in a })
    }

    /// Splits an address into its segments.
    public func parse(_ text: String) -> ParsedAddress { parser.parse(text) }

    // MARK: Forward geocoding

    /// Geocodes one address: the best `limit` answers, best first. Empty when nothing in the book matches.
    public func geocode(_ text: String, limit: Int = 5) -> [GeocodeResult] {
        let reading = parser.readNames(text, regionsOnly: false, elsewhereFirst: true)
        guard !reading.leftoversMayNameRegions(parser.regions) else { return match(parser.readLeftovers(reading), limit: limit) }
        // The leftover text can name no region, so the admin levels are known before it is read: an address plainly
        // elsewhere is answered with them alone, and the search of its leftover text for the book's names (most of a
        // parse) would be thrown away. The segments are not returned here, so that search is not made; nor was the
        // search for roads and places after the levels turned the book away (elsewhereFirst).
        let context = resolveRegions(reading.parsed)
        if let answer = elsewhereAnswer(reading.parsed, context) { return answer }
        // Not elsewhere after all (a short form of another county alone, 郓城北环路): the names skipped are read now.
        if reading.skippedNames { return match(parser.parse(text), limit: limit) }
        return match(parser.readLeftovers(reading), context: context, limit: limit)
    }

    /// ``geocode(_:limit:)`` with the segments the answers were matched from (parsed once).
    public func geocodeParsed(_ text: String, limit: Int = 5) -> (parsed: ParsedAddress, results: [GeocodeResult]) {
        let parsed = parser.parse(text)
        return (parsed, match(parsed, limit: limit))
    }

    /// The component with this 16-digit identifier, if the book has it.
    public func component(code: String) -> CityComponent? { componentByCode[code].map { book.components[$0] } }

    /// The 小类 name of a 10-digit component class code that components of the book carry (3209040103 → 雨水井盖).
    public func componentClassName(_ classCode: String) -> String? { componentClassNames[classCode] }

    /// The answers to `parsed`; `context` is its ``resolveRegions(_:explaining:)`` when the caller has made it.
    private func match(_ parsed: ParsedAddress, context: RegionContext? = nil, limit: Int) -> [GeocodeResult] {
        // A component identifier is the whole address: its component, or nothing. A class code alone names a
        // kind of component (every 雨水井盖 of the district), not a place: no answer.
        if let code = parsed.componentCode {
            guard let k = componentByCode[code], limit > 0 else { return [] }
            return [componentResult(book.components[k])]
        }
        if parsed.componentClassCode != nil { return [] }
        let context = context ?? resolveRegions(parsed)
        if let answer = elsewhereAnswer(parsed, context) { return answer }
        var results: [GeocodeResult] = []
        if let code = parsed.code, let k = regionByCode[code] {
            results.append(regionResult(book.regions[k], confidence: 1, notes: []))
        }
        results += roadCandidates(parsed, context: context)
        if let crossing = parsed.crossing { results += intersectionCandidates(parsed, crossing: crossing) }
        results += placeCandidates(parsed, context: context)
        let pois = poiCandidates(parsed, context: context)
        if pois.onNamedRoad {
            // Road (+ number) + shop: the plate or road answers are the shop's surroundings, not the shop.
            for k in results.indices { results[k].confidence *= 0.95 }
        }
        results += pois.results
        if results.isEmpty, let region = context.deepestBookRegion {
            results.append(regionResult(region, confidence: 0.5, notes: []))
        } else if results.isEmpty, let division = context.deepestDivision {
            results.append(divisionResult(division))
        }

        // Unexplained text lowers every answer a little: the address said more than the match used.
        let remarkPenalty = parsed.remark.unicodeScalars.count >= 2 ? 0.95 : 1.0
        for k in results.indices {
            results[k].confidence *= remarkPenalty
            if remarkPenalty < 1 { results[k].notes.append("unmatched text \(parsed.remark)") }
            if let conflict = context.conflict(with: results[k].codes) {
                results[k].confidence *= 0.85
                results[k].notes.append("the address names \(conflict), the match lies elsewhere")
            }
            if let direction = parsed.direction, let c = results[k].coordinate {
                // 南侧50米 moves the point; 附近, 对面, 门口, 东北角 … give no distance, so the point stays the match's.
                if let bearing = direction.bearing, let distance = direction.distanceMetres {
                    results[k].coordinate = Self.offset(c, bearing: bearing, metres: distance)
                    results[k].label += direction.text
                    results[k].notes.append("moved \(Self.metres(distance)) toward \(Int(bearing))° (\(direction.text))")
                } else {
                    results[k].notes.append("\(direction.text): no distance given, the point is the match's")
                }
            }
            if let reading = context.readingNote { results[k].notes.append(reading) }
            results[k].confidence = (results[k].confidence * 1000).rounded() / 1000
        }
        var seen = Set<String>()
        results = results.filter { seen.insert("\($0.matchType.rawValue)|\($0.matchedID ?? $0.label)").inserted }
        // Ties keep the order candidates were made in (the parser's best reading first).
        let ordered = results.enumerated().sorted { a, b in
            if a.element.confidence != b.element.confidence { return a.element.confidence > b.element.confidence }
            if Self.rank(a.element.matchType) != Self.rank(b.element.matchType) { return Self.rank(a.element.matchType) < Self.rank(b.element.matchType) }
            return a.offset < b.offset
        }
        return ordered.prefix(max(limit, 0)).map(\.element)
    }

    /// The answer to an address in another province, city or county (广东河源…), which is not in this book however
    /// close its road names are to ours: only its admin levels (empty without a division). nil for an address that
    /// is not plainly elsewhere.
    private func elsewhereAnswer(_ parsed: ParsedAddress, _ context: RegionContext) -> [GeocodeResult]? {
        guard let home = parser.regions.home else { return nil }
        let note: String?
        if context.isElsewhere(than: home) {
            note = context.readingNote
        } else if let county = parsed.unknownCounty, !context.named.contains(where: { $0.prefix.count >= 6 }) {
            // A county the division list does not have (青石县), and no known county or township named: not the book's either.
            note = "the address names \(county), a county the division list does not have: only the levels named are known"
        } else {
            return nil
        }
        guard let division = context.deepestDivision else { return [] }
        var answer = divisionResult(division)
        if let note { answer.notes.append(note) }
        return [answer]
    }


    static func rank(_ type: MatchType) -> Int { MatchType.allCases.firstIndex(of: type) ?? 99 }

    /// A distance for a note: whole metres, or kilometres with one decimal from 1 km.
    static func metres(_ m: Double) -> String { m >= 1000 ? String(format: "%.1f km", m / 1000) : "\(Int(m.rounded())) m" }

    /// The point `metres` from `c` toward `bearing` degrees (local tangent plane; exact to centimetres within a
    /// kilometre).
    static func offset(_ c: Coordinate, bearing: Double, metres: Double) -> Coordinate {
        let radians = bearing * .pi / 180
        let (perDegreeX, perDegreeY) = RoadFrame.metresPerDegree(atLatitude: c.y)
        return Coordinate(x: c.x + metres * sin(radians) / perDegreeX, y: c.y + metres * cos(radians) / perDegreeY)
    }

    /// The confidence factor of a name one edit from the one written (a typo).
    static let nearMissFactor = 0.8
    /// The largest share of the book's roads having a door number for which that number bears out a weak near
    /// miss (tools/geocode/README.md: the trade-off between one-character typos and roads of other places), unless
    /// ``GeocoderOptions/bookHasEveryRoad``.
    public static let distinctiveNumberShare = 0.2
    /// The confidence factor of a name that sounds like the one written (同音字), below ``nearMissFactor``.
    static let homophoneFactor = 0.75

    /// The penalty and note of how a name was written.
    func formFactor(_ mention: NameMention, _ entry: NameEntry, officialName: String, former: [FormerName]) -> (Double, [String]) {
        var factor = 1.0
        var notes: [String] = []
        if let written = mention.homophoneOf {
            // A homophone is a weaker reading than one wrong character: every character may differ.
            factor *= Self.homophoneFactor
            let alias = mention.text == AddressNormalizer.normalize(officialName) ? "" : " (\(officialName))"
            notes.append("homophone \(written) → \(mention.text)\(alias)")
        } else if mention.fuzzy {
            factor *= Self.nearMissFactor
            notes.append("near miss: \(officialName) read for the text")
        }
        if entry.form == .former {
            factor *= 0.95
            let until = former.first { AddressNormalizer.normalize($0.name) == mention.text }?.until ?? ""
            notes.append("former name \(mention.text)\(until.isEmpty ? "" : " (until \(until))"), now \(officialName)")
        }
        return (factor, notes)
    }

    private func roadCandidates(_ parsed: ParsedAddress, context: RegionContext) -> [GeocodeResult] {
        var out: [GeocodeResult] = []
        for mention in parsed.roadMentions {
            let roads = mention.entries.compactMap { e -> (Int, NameEntry)? in
                if case .road(let k) = e.target { return (Int(k), e) } else { return nil }
            }
            // An alias shared by two roads (通榆路 for 通榆东路 and 通榆西路) is ambiguous: each answer pays for it.
            let ambiguity = roads.count > 1 ? 0.9 : 1.0
            for (k, entry) in roads {
                let road = book.roads[k]
                var (factor, notes) = formFactor(mention, entry, officialName: road.name, former: road.formerNames)
                factor *= ambiguity
                // A road read for other text (a near miss, a homophone) answers at plate level only where the rest
                // of the address bears it out: 西安南路71号 is not 南环路71号 because both have a 71.
                if let foreign = parsed.foreignNames.first, parsed.placeMentions.isEmpty && parsed.poiMentions.isEmpty {
                    out.append(streetResult(road: k, context: context, factor: factor, notes: notes + ["the address names \(foreign), another county: street level only"]))
                    continue
                }
                if mention.fuzzy, !corroborates(road: k, number: parsed.doorNumber, weak: mention.weak, context: context) {
                    if parsed.placeMentions.isEmpty && parsed.poiMentions.isEmpty {
                        let detail = parsed.doorNumber.map { n in
                            platesByRoad[k]?[n] == nil ? "no plate \(n)号 on it" : "\(n)号 is on \(Int(((numberShare[n] ?? 0) * 100).rounded())) % of the book's roads"
                        } ?? "no number"
                        out.append(streetResult(road: k, context: context, factor: factor, notes: notes + ["\(road.name) not borne out (\(detail), not in a named street or community): street level only"]))
                    }
                    continue
                }
                if let number = parsed.doorNumber {
                    // Road + number (+ building): a compound gate on this plate leads to its building.
                    if let building = parsed.building,
                        let place = placeByGate[AddressNormalizer.normalize("\(road.name)\(number)号")],
                        let b = buildingsByPlace[place]?[building]
                    {
                        out.append(buildingResult(b, parsed: parsed, confidence: factor, notes: notes))
                        continue
                    }
                    out.append(plateResult(road: k, number: number, suffix: parsed.doorSuffix, parsed: parsed, factor: factor, notes: notes))
                } else if let building = parsed.building, let place = gatePlace(onRoad: road.name, building: building) {
                    // Road + building: the one compound on this road that has such a building.
                    out.append(buildingResult(place, parsed: parsed, confidence: 0.9 * factor, notes: notes))
                } else if parsed.placeMentions.isEmpty && parsed.poiMentions.isEmpty {
                    out.append(streetResult(road: k, context: context, factor: factor, notes: notes))
                }
            }
        }
        return out
    }

    /// Whether the rest of an address bears out a fuzzy reading of road `k`: the door number is a plate of it, or
    /// every street or community the address names holds it. For a weak near miss (as often another real road as a
    /// typo) the number counts only when few roads have it: a 1号 is on most roads and says nothing, a 230号 on few;
    /// in a book that holds every road, a near miss is a typo and any number of the road counts.
    private func corroborates(road k: Int, number: Int?, weak: Bool, context: RegionContext) -> Bool {
        if let number, platesByRoad[k]?[number] != nil,
            !weak || options.bookHasEveryRoad || (numberShare[number] ?? 0) <= Self.distinctiveNumberShare
        {
            return true
        }
        let named = context.named.map(\.code).filter { $0.count == 9 || $0.count == 12 }
        guard !named.isEmpty else { return false }
        let road = book.roads[k]
        return named.allSatisfy { code in
            if code.count == 9 { return road.streetCodes.contains(code) }
            return platesByRoad[k]?.values.contains { $0.contains { book.plates[$0].communityCode == code } } ?? false
        }
    }

    /// The building `number` of the single compound whose gate is on `road`.
    private func gatePlace(onRoad road: String, building: Int) -> Int? {
        let hits = (placesByGateRoad[road] ?? []).compactMap { buildingsByPlace[$0]?[building] }
        return hits.count == 1 ? hits[0] : nil
    }

    private func plateResult(road k: Int, number: Int, suffix: String, parsed: ParsedAddress, factor: Double, notes: [String]) -> GeocodeResult {
        let road = book.roads[k]
        let plates = platesByRoad[k]?[number] ?? []
        if let exact = plates.first(where: { book.plates[$0].suffix == suffix }) ?? (suffix.isEmpty ? nil : plates.first(where: { book.plates[$0].suffix.isEmpty })) {
            let plate = book.plates[exact]
            let suffixFactor = plate.suffix == suffix ? 1.0 : 0.9
            var notes = notes
            if suffixFactor < 1 { notes.append("plate \(number)\(suffix) not in the book; \(number)号 used") }
            return GeocodeResult(
                label: regionPrefix(plate.communityCode ?? plate.streetCode) + Self.plateLabel(road.name, number, plate.suffix) + detail(parsed),
                coordinate: plate.coordinate, confidence: factor * suffixFactor, matchType: .exactPlate,
                codes: codes(grid: plate.gridCode, community: plate.communityCode, street: plate.streetCode), matchedID: plate.id,
                notes: notes)
        }
        let (point, how) = frames[k].interpolate(number)
        let base: Double =
            switch how {
            case .bracketed: 0.85
            case .extrapolated: 0.7
            case .fromOtherSide: 0.65
            case .defaults: 0.5
            }
        // The community and grid of an interpolated point are those of the nearest plate on the same side.
        let neighbour = nearestPlate(onRoad: k, to: number)
        return GeocodeResult(
            label: regionPrefix(neighbour?.communityCode ?? neighbour?.streetCode) + Self.plateLabel(road.name, number, suffix) + detail(parsed),
            coordinate: point, confidence: base * factor, matchType: .interpolated,
            codes: codes(grid: nil, community: neighbour?.communityCode, street: neighbour?.streetCode ?? road.streetCodes.first),
            matchedID: road.id, notes: notes + ["\(number)号 interpolated along \(road.name)"])
    }

    private func nearestPlate(onRoad k: Int, to number: Int) -> DoorPlate? {
        guard let byNumber = platesByRoad[k] else { return nil }
        let best = byNumber.keys.min { a, b in
            let da = (abs(a - number), (a - number) & 1), db = (abs(b - number), (b - number) & 1)
            return da.1 != db.1 ? da.1 < db.1 : da.0 != db.0 ? da.0 < db.0 : a < b
        }
        return best.flatMap { byNumber[$0]?.first }.map { book.plates[$0] }
    }

    static func plateLabel(_ road: String, _ number: Int, _ suffix: String) -> String {
        suffix.hasPrefix("-") ? "\(road)\(number)\(suffix)号" : "\(road)\(number)号\(suffix)"
    }

    /// Unit and room, which the book does not locate but the label keeps.
    private func detail(_ parsed: ParsedAddress) -> String {
        var text = ""
        if let unit = parsed.unit { text += "\(unit)单元" }
        if let room = parsed.room { text += "\(room)室" }
        return text
    }

    private func streetResult(road k: Int, context: RegionContext, factor: Double, notes: [String]) -> GeocodeResult {
        let road = book.roads[k]
        // The middle of the road's plates inside the named street/community; else the middle of the line.
        // Only a named street or community picks plates: without one the road's (at scale 27, thousands) are not
        // gathered at all.
        var chosen: [DoorPlate] = []
        if !context.named.isEmpty, let byNumber = platesByRoad[k] {
            for plates in byNumber.values {
                for p in plates where context.contains(community: platePrefixes[p].community, street: platePrefixes[p].street) { chosen.append(book.plates[p]) }
            }
        }
        var point = frames[k].point(measure: frames[k].length / 2, offset: 0)
        var street = road.streetCodes.first
        var community: String?
        if !chosen.isEmpty {
            // The median plate by measure (ties by id, so that the answer does not hang on the plates' hash order)
            // gives the point and its street.
            let measured = chosen.map { (measure: frames[k].project($0.coordinate).measure, plate: $0) }
                .sorted { ($0.measure, $0.plate.id) < ($1.measure, $1.plate.id) }
            let median = measured[measured.count / 2]
            point = frames[k].point(measure: median.measure, offset: 0)
            street = median.plate.streetCode
            community = context.communityCode.flatMap { c in chosen.contains { $0.communityCode == c } ? c : nil }
        }
        return GeocodeResult(
            label: regionPrefix(community ?? street) + road.name, coordinate: point, confidence: 0.6 * factor, matchType: .street,
            codes: codes(grid: nil, community: community, street: street), matchedID: road.id, notes: notes)
    }

    private func placeCandidates(_ parsed: ParsedAddress, context: RegionContext) -> [GeocodeResult] {
        var out: [GeocodeResult] = []
        for mention in parsed.placeMentions {
            for entry in mention.entries {
                guard case .place(let index) = entry.target else { continue }
                let k = Int(index)
                let place = book.places[k]
                let (factor, notes) = formFactor(mention, entry, officialName: place.name, former: place.formerNames)
                // Place + building, or place + number (a number inside a compound is its building).
                if let number = parsed.building ?? parsed.doorNumber, let b = buildingsByPlace[k]?[number] {
                    out.append(buildingResult(b, parsed: parsed, confidence: factor, notes: notes))
                    continue
                }
                var placeNotes = notes
                if parsed.building != nil || parsed.doorNumber != nil { placeNotes.append("building not in the book; the compound is given") }
                out.append(
                    GeocodeResult(
                        label: regionPrefix(place.communityCode ?? place.streetCode) + place.name, coordinate: place.labelPoint,
                        confidence: (parsed.building != nil ? 0.7 : 0.8) * factor, matchType: .place,
                        codes: codes(grid: nil, community: place.communityCode, street: place.streetCode), matchedID: place.id,
                        notes: placeNotes))
            }
        }
        return out
    }

    private func buildingResult(_ b: Int, parsed: ParsedAddress, confidence: Double, notes: [String]) -> GeocodeResult {
        let building = book.buildings[b]
        let place = book.places[building.place]
        let community = building.gridCode.map { String($0.prefix(12)) } ?? place.communityCode
        return GeocodeResult(
            label: regionPrefix(community) + "\(place.name)\(building.number)幢" + detail(parsed), coordinate: building.coordinate,
            confidence: confidence, matchType: .buildingPlate,
            codes: codes(grid: building.gridCode, community: community, street: community.map { String($0.prefix(9)) } ?? place.streetCode),
            matchedID: building.id, notes: notes)
    }

    /// POI answers, and whether one of them stands on the road the address names (road + shop front): then
    /// the shop, not the plate, is what the address means.
    private func poiCandidates(_ parsed: ParsedAddress, context: RegionContext) -> (results: [GeocodeResult], onNamedRoad: Bool) {
        var out: [GeocodeResult] = []
        var onNamedRoad = false
        let namedRoads = Set(parsed.roadMentions.flatMap { m in
            m.entries.compactMap { e -> String? in if case .road(let r) = e.target { book.roads[Int(r)].name } else { nil } }
        })
        for mention in parsed.poiMentions {
            let pois = mention.entries.filter { if case .poi = $0.target { true } else { false } }
            // A chain's branches share a name: without a road or plate, each is only a guess.
            let ambiguity = pois.count > 1 ? 0.9 : 1.0
            for entry in pois {
                guard case .poi(let index) = entry.target else { continue }
                let poi = book.pois[Int(index)]
                var (factor, notes) = formFactor(mention, entry, officialName: poi.name, former: [])
                var base = 0.95 * ambiguity
                if let own = poi.roadName, !namedRoads.isEmpty {
                    if namedRoads.contains(own) && (parsed.doorNumber == nil || parsed.doorNumber == poi.number) {
                        base = 1
                        onNamedRoad = true
                    } else {
                        factor *= 0.8
                        notes.append("\(poi.name) is on \(own)\(poi.number.map { "\($0)号" } ?? ""), not \(parsed.road ?? "")")
                    }
                }
                out.append(
                    GeocodeResult(
                        label: regionPrefix(poi.communityCode ?? poi.streetCode) + poi.name, coordinate: poi.coordinate,
                        confidence: base * factor, matchType: .poi,
                        codes: codes(grid: poi.gridCode, community: poi.communityCode, street: poi.streetCode), matchedID: poi.id, notes: notes))
            }
        }
        return (out, onNamedRoad)
    }

    private func componentResult(_ component: CityComponent) -> GeocodeResult {
        let community = component.gridCode.map { String($0.prefix(12)) }
        return GeocodeResult(
            label: regionPrefix(community) + (component.road ?? "") + "\(component.name) \(component.code)", coordinate: component.coordinate,
            confidence: 1, matchType: .component, codes: codes(grid: component.gridCode, district: String(component.code.prefix(6))),
            matchedID: component.code, notes: [])
    }

    private func regionResult(_ region: AddressRegion, confidence: Double, notes: [String]) -> GeocodeResult {
        let level = region.code.count
        var codes = codes(
            grid: level == 15 ? region.code : nil, community: level >= 12 ? String(region.code.prefix(12)) : nil,
            street: level >= 9 ? String(region.code.prefix(9)) : nil)
        if level == 6 { codes = self.codes(district: region.code) }
        let label = level == 15 ? regionPrefix(String(region.code.prefix(12))) + region.code : regionPrefix(region.code)
        return GeocodeResult(
            label: label, coordinate: region.labelPoint, confidence: confidence * (level >= 12 ? 0.9 : 0.8), matchType: .region, codes: codes,
            matchedID: region.code, notes: notes)
    }

    /// The answer for the division at index `k` of the list.
    private func divisionResult(_ k: Int) -> GeocodeResult {
        let made = Int(divisionAnswerIndex[k])
        if made >= 0 { return divisionAnswers[made] }
        guard made <= -2 else { return Self.divisionResult(divisions.divisions[k], divisions: divisions) }
        // A township: its county's answer, one level deeper.
        var answer = divisionAnswers[-2 - made]
        let township = divisions.divisions[k]
        answer.label += township.name
        answer.codes[Self.levelKey(township.level)] = township.code
        answer.matchedID = township.code
        return answer
    }

    /// The answer for a division of the list: its admin levels and representative point (a division's answer
    /// depends on its code alone).
    private static func divisionResult(_ division: AdminDivision, divisions: AdminDivisions) -> GeocodeResult {
        let chain = divisions.chain(of: division.code)
        var codes: [String: String] = [:]
        for d in chain { codes[levelKey(d.level)] = d.code }
        var notes = ["outside the address book: only the admin levels are known"]
        // The point of the division's outline, or of its county for a township (the list has no township
        // outlines): a case still lands on a map, in the right county.
        let point = divisions.point(of: division.code)
        if let point, let named = divisions.division(code: point.code) {
            notes.append("representative point of \(named.name) (\(point.code))")
        }
        return GeocodeResult(
            label: chain.map(\.name).joined(), coordinate: point?.coordinate, confidence: 0.3, matchType: .region, codes: codes,
            matchedID: division.code, notes: notes)
    }

    static func levelKey(_ level: Int) -> String {
        switch level {
        case 1: "province"
        case 2: "city"
        case 3: "district"
        default: "street"
        }
    }

    // MARK: Codes and labels

    /// The codes of an answer, completed upward (community → street → district → city → province).
    func codes(grid: String? = nil, community: String? = nil, street: String? = nil, district: String? = nil) -> [String: String] {
        var out: [String: String] = [:]
        if let grid { out["unit_grid"] = grid }
        if let c = community ?? grid.map({ String($0.prefix(12)) }) { out["community"] = c }
        let s = street ?? out["community"].map { String($0.prefix(9)) }
        if let s { out["street"] = s }
        if let d = district ?? s.map({ String($0.prefix(6)) }) {
            out["district"] = d
            for (key, code) in districtAncestors[d] ?? Self.ancestorCodes(ofDistrict: d, book: book, regionByCode: regionByCode, divisions: divisions) {
                out[key] = code
            }
        }
        return out
    }

    /// The `province` and `city` codes above a district, from the national list or else the book.
    static func ancestorCodes(ofDistrict d: String, book: AddressBook, regionByCode: [String: Int], divisions: AdminDivisions) -> [String: String] {
        var out: [String: String] = [:]
        for ancestor in divisions.chain(of: d) where ancestor.level < 3 { out[Self.levelKey(ancestor.level)] = ancestor.code }
        if out["city"] == nil, let k = regionByCode[d], let parent = book.regions[k].parentCode { out["city"] = parent }
        if out["province"] == nil, let city = out["city"] { out["province"] = String(city.prefix(2)) + "0000" }
        return out
    }

    /// The names of a region and its ancestors, province first (江苏省盐城市大丰区丰华街道东风社区).
    func regionPrefix(_ code: String?) -> String {
        guard let code else { return "" }
        return regionPrefixes[code] ?? Self.walkRegionPrefix(code, book: book, regionByCode: regionByCode, divisions: divisions)
    }

    /// ``regionPrefix(_:)`` by walking up the book's regions, then the national list.
    static func walkRegionPrefix(_ code: String, book: AddressBook, regionByCode: [String: Int], divisions: AdminDivisions) -> String {
        var names: [String] = []
        var next: String? = code
        while let c = next {
            if let k = regionByCode[c] {
                names.append(book.regions[k].name)
                next = book.regions[k].parentCode
            } else if let d = divisions.division(code: c) {
                names.append(d.name)
                next = d.parentCode
            } else {
                break
            }
        }
        return names.reversed().joined()
    }
}
