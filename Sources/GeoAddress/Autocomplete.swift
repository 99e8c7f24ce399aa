import GeoCore

/// One autocomplete suggestion.
public struct Suggestion: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case region, road, place, poi, plate
    }

    /// The name or plate as the book writes it.
    public var text: String
    /// The standard address with its admin prefix.
    public var label: String
    public var kind: Kind
    public var id: String
    public var coordinate: Coordinate?
}

extension Geocoder {
    /// Suggestions for what a person has typed so far, best first: names of the book (POIs, compounds, roads,
    /// regions, official before alias), then national divisions; after a full road name followed by digits,
    /// that road's plates whose number starts with them (人民北路1 → 人民北路1号, 人民北路10号 …).
    public func autocomplete(_ prefix: String, limit: Int = 10) -> [Suggestion] {
        let p = AddressNormalizer.normalizedScalars(prefix)
        guard !p.isEmpty, limit > 0 else { return [] }
        if let plates = plateCompletions(p, limit: limit) { return plates }

        var scored: [(rank: (Int, Int, Int), suggestion: Suggestion)] = []
        var seen = Set<NameTarget>()
        for (name, entries) in parser.trie.completions(of: p, limit: limit * 8, childrenOf: completionChildren) {
            for entry in entries.sorted(by: { $0.form < $1.form }) where entry.form != .shortForm && seen.insert(entry.target).inserted {
                guard let suggestion = suggestion(for: entry.target) else { continue }
                let kindRank: Int =
                    switch suggestion.kind {
                    case .poi: 0
                    case .place: 1
                    case .road: 2
                    case .plate: 3
                    case .region: 4
                    }
                let national: Int = if case .division = entry.target { 1 } else { 0 }
                scored.append(((national, name.count, kindRank), suggestion))
            }
        }
        scored.sort { a, b in a.rank != b.rank ? a.rank < b.rank : a.suggestion.id < b.suggestion.id }
        return scored.prefix(limit).map(\.suggestion)
    }

    private func suggestion(for target: NameTarget) -> Suggestion? {
        switch target {
        case .division(let k):
            let d = divisions.divisions[Int(k)]
            return Suggestion(text: d.name, label: divisions.chain(of: d.code).map(\.name).joined(), kind: .region, id: d.code, coordinate: nil)
        case .region(let k):
            let r = book.regions[Int(k)]
            return Suggestion(text: r.name, label: regionPrefix(r.code), kind: .region, id: r.code, coordinate: r.labelPoint)
        case .road(let k):
            let r = book.roads[Int(k)]
            let street = r.streetCodes.count == 1 ? r.streetCodes.first : nil
            return Suggestion(
                text: r.name, label: regionPrefix(street ?? homeDistrict) + r.name, kind: .road, id: r.id,
                coordinate: frames[Int(k)].point(measure: frames[Int(k)].length / 2, offset: 0))
        case .place(let k):
            let p = book.places[Int(k)]
            return Suggestion(text: p.name, label: regionPrefix(p.communityCode ?? p.streetCode) + p.name, kind: .place, id: p.id, coordinate: p.labelPoint)
        case .poi(let k):
            let p = book.pois[Int(k)]
            return Suggestion(text: p.name, label: regionPrefix(p.communityCode ?? p.streetCode) + p.name, kind: .poi, id: p.id, coordinate: p.coordinate)
        }
    }

    /// Plates of the road named at the start of `p` whose number starts with the digits after it; nil when `p`
    /// is not a road name followed by digits.
    private func plateCompletions(_ p: [Unicode.Scalar], limit: Int) -> [Suggestion]? {
        guard let (length, entries) = parser.trie.prefixes(of: p, from: 0).last(where: { item in
            item.entries.contains { if case .road = $0.target { true } else { false } }
        }), length < p.count else { return nil }
        let rest = p[length...]
        guard rest.allSatisfy(AddressNormalizer.isDigit) || (rest.last == "号" && rest.dropLast().allSatisfy(AddressNormalizer.isDigit)) else {
            return nil
        }
        let digits = String(scalars: rest.filter(AddressNormalizer.isDigit))
        var out: [Suggestion] = []
        for entry in entries {
            guard case .road(let k) = entry.target, let byNumber = platesByRoad[Int(k)] else { continue }
            let road = book.roads[Int(k)]
            let numbers = byNumber.keys.filter { String($0).hasPrefix(digits) }.sorted { (String($0).count, $0) < (String($1).count, $1) }
            for n in numbers {
                for index in byNumber[n]!.sorted(by: { book.plates[$0].suffix < book.plates[$1].suffix }) {
                    let plate = book.plates[index]
                    let text = Self.plateLabel(road.name, n, plate.suffix)
                    out.append(
                        Suggestion(
                            text: text, label: regionPrefix(plate.communityCode ?? plate.streetCode) + text, kind: .plate, id: plate.id,
                            coordinate: plate.coordinate))
                }
                if out.count >= limit { break }
            }
        }
        return Array(out.prefix(limit))
    }
}
