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
    var deepestBookRegion: AddressRegion?
    var deepestDivision: AdminDivision?

    /// The significant prefix of a code: 320000 → 32, 320900 → 3209; longer codes are their own prefix.
    static func prefix(_ code: String) -> Substring {
        var c = Substring(code)
        if c.count == 6 {
            while c.count > 2 && c.hasSuffix("00") { c = c.dropLast(2) }
        }
        return c
    }

    /// Whether two codes lie one inside the other.
    static func related(_ a: String, _ b: String) -> Bool {
        let pa = prefix(a), pb = prefix(b)
        return pa.hasPrefix(pb) || pb.hasPrefix(pa)
    }

    var communityCode: String? { named.first { $0.code.count == 12 }?.code }

    /// Whether the address is plainly somewhere else than `home`: it names, by official name, a division that
    /// neither contains nor lies in `home`, or names two such divisions that agree (广东河源).
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
        return codes.compactMap { $0 }.contains { code in named.allSatisfy { Self.prefix(code).hasPrefix(Self.prefix($0.code)) } }
    }
}

extension Geocoder {
    /// Picks one code per region mention: the reading that agrees with most other mentions, then one inside the
    /// book's district, then the book's own region, then the official name over a short form.
    func resolveRegions(_ parsed: ParsedAddress) -> RegionContext {
        var context = RegionContext()
        let readings: [[(code: String, entry: NameEntry)]] = parsed.regionMentions.map { mention in
            mention.entries.compactMap { entry in
                switch entry.target {
                case .division(let k): (divisions.divisions[Int(k)].code, entry)
                case .region(let k): (book.regions[Int(k)].code, entry)
                default: nil
                }
            }
        }
        for (m, mention) in parsed.regionMentions.enumerated() where !readings[m].isEmpty {
            func score(_ reading: (code: String, entry: NameEntry)) -> (Int, Int, Int, Int) {
                let agreeing = readings.enumerated().filter { $0.offset != m && $0.element.contains { RegionContext.related($0.code, reading.code) } }.count
                let home = homeDistrict.map { RegionContext.related($0, reading.code) ? 1 : 0 } ?? 0
                let own: Int = if case .region = reading.entry.target { 1 } else { 0 }
                let official = reading.entry.form == .official ? 1 : 0
                return (agreeing, home, own, official)
            }
            guard let best = readings[m].max(by: { score($0) < score($1) }) else { continue }
            // An ambiguous township name that nothing else supports (城关镇 alone) says nothing reliable.
            let s = score(best)
            if readings[m].count > 1 && s.0 == 0 && s.1 == 0 && best.code.count == 9 { continue }
            context.named.append(RegionContext.Named(name: mention.text, code: best.code, official: best.entry.form == .official && !mention.fuzzy))
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

    /// The admin levels of an address (province, city, district, street/township, community) with codes, filled
    /// upward from the deepest level named: 大丰区 alone gives 江苏省, 盐城市, 大丰区.
    public func adminLevels(of text: String) -> [String: (name: String, code: String)] {
        let context = resolveRegions(parser.parse(text))
        guard let deepest = context.named.max(by: { RegionContext.prefix($0.code).count < RegionContext.prefix($1.code).count }) else {
            return [:]
        }
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
