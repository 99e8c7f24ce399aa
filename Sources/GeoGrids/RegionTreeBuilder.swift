import GeoCore
import GeoStore

extension RegionTree {
    /// An administrative region as a source gives it: a row of the national division list, or a feature of a
    /// city's region layer.
    @MemberwiseInit
    public struct Division: Hashable, Sendable {
        public var code: String
        /// The parent the source declares (a division's parent code, a layer's `parent_code`).
        public var parentCode: String?
        public var name: String
        public var tier: RegionTier
        public var aliases: [String] = []
        public var point: Coordinate?
        public var bbox: BoundingBox?
        /// The `sort_order` the source gives, if any.
        public var sortOrder: Int?
        public var valid: Bool = true

        /// Reads a feature of a region layer of `tier`: `code` (of the tier's digits), `name`, and optionally
        /// `parent_code`, `aliases` (`{a/b}`, `a/b`, `a,b` or an array), `former_names` (`name@last day`),
        /// `sort_order` and `valid` (false, 0, 否, 无效 for an abolished region). nil without a code of the tier.
        public init?(feature: Feature, tier: RegionTier) {
            guard let code = feature.properties["code"]?.scalarText, let level = tier.codeLevel,
                (try? RegionCode(code, expecting: level)) != nil
            else { return nil }
            let properties = feature.properties
            var aliases = Self.names(properties["aliases"])
            aliases += Self.names(properties["former_names"]).map { String($0.split(separator: "@").first ?? "") }.filter { !$0.isEmpty }
            self.init(
                code: code, parentCode: properties["parent_code"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 },
                name: properties["name"]?.scalarText ?? "", tier: tier, aliases: aliases,
                point: feature.geometry.flatMap(Planar.interiorPoint(of:)), bbox: feature.geometry?.boundingBox,
                sortOrder: (properties["sort_order"]?.intValue).map(Int.init), valid: Self.flag(properties["valid"]) ?? true)
        }

        /// Names listed in a property: `{别名1/别名2}` as the region record writes them, `/`, `,`, `、` or `;`
        /// separated text, or an array.
        static func names(_ value: JSONValue?) -> [String] {
            switch value {
            case .array(let items)?: return items.compactMap(\.scalarText).filter { !$0.isEmpty }
            case .string(let text)?:
                let separators: Set<Character> = ["/", ",", "，", "、", ";", "；"]
                return text.trimmingCharacters(in: ["{", "}", " "]).split { separators.contains($0) }
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            default: return []
            }
        }

        /// A yes/no property: booleans, 1/0, true/false, 是/否, 有效/无效; nil for anything else.
        static func flag(_ value: JSONValue?) -> Bool? {
            switch value {
            case .bool(let b)?: return b
            case .int(let i)?: return i != 0
            case .string(let s)?:
                if ["1", "true", "yes", "是", "有效"].contains(s.lowercased()) { return true }
                if ["0", "false", "no", "否", "无效"].contains(s.lowercased()) { return false }
                return nil
            default: return nil
            }
        }
    }
}

/// Builds a ``RegionTree`` from the national division list, the city's region layers and its lookup families.
///
/// A code given by both the division list and a layer is one node: the layer's name, geometry, sort order and
/// validity, the list's name kept as an alias when it differs. A region hangs under the parent it declares when
/// that is a coarser node of the tree, else under the nearest coarser code its own code begins with. A family
/// polygon hangs under the polygon of its parent family that holds its interior point (and its box, if one does),
/// else under the finest region (unit grid, community, street, county) that holds its interior point and its box,
/// else under the finest region holding the point.
public struct RegionTreeBuilder {
    private var divisions: [RegionTree.Division] = []
    private var sources: [String] = []
    private var index: [String: Int] = [:]
    /// The city's region features by tier, for placing family polygons.
    private var regionFeatures: [RegionTier: [Feature]] = [:]

    public init() {}

    /// Adds the national division list (its townships are the street tier).
    public mutating func add(divisions list: [RegionTree.Division]) {
        for division in list { add(division, source: "divisions") }
    }

    /// Adds a city's region layer of `tier` (features without a code of that tier are left out; the count of
    /// those is returned).
    @discardableResult
    public mutating func add(regions features: [Feature], tier: RegionTier, layer: String) -> Int {
        var left = 0
        for feature in features {
            guard let division = RegionTree.Division(feature: feature, tier: tier) else {
                left += 1
                continue
            }
            add(division, source: layer)
        }
        if tier >= .county { regionFeatures[tier, default: []] += features }
        return left
    }

    private mutating func add(_ division: RegionTree.Division, source: String) {
        guard let k = index[division.code] else {
            index[division.code] = divisions.count
            divisions.append(division)
            sources.append(source)
            return
        }
        // A second source of the same code: the later (a city's layer) describes the region, the earlier's name
        // stays an alias.
        var merged = division
        let earlier = divisions[k]
        var aliases = division.aliases
        for name in [earlier.name] + earlier.aliases where name != division.name && !aliases.contains(name) { aliases.append(name) }
        merged.aliases = aliases
        merged.parentCode = division.parentCode ?? earlier.parentCode
        merged.point = division.point ?? earlier.point
        merged.bbox = division.bbox ?? earlier.bbox
        divisions[k] = merged
        sources[k] = sources[k] == source ? source : sources[k] + "+" + source
    }

    /// The tree, with the polygons of `families` (each with its layer's features) hung in it.
    public func build(families: [(family: LookupFamily, features: [StoredFeature])] = []) -> RegionTree {
        var nodes = divisions.enumerated().map { k, division in
            RegionNode(
                code: division.code, family: nil, name: division.name, tier: division.tier, kind: nil, sortOrder: division.sortOrder ?? 0,
                valid: division.valid, bbox: division.bbox, point: division.point, aliases: division.aliases, source: sources[k])
        }
        var explicitSort = divisions.map { $0.sortOrder != nil }
        var parents = divisions.map { parentIndex(of: $0) }
        fillMissingBoxes(&nodes, parents: parents)

        let locator = GridLocator(
            districts: regionFeatures[.county] ?? [], streets: regionFeatures[.street] ?? [], communities: regionFeatures[.community] ?? [],
            unitGrids: regionFeatures[.unitGrid] ?? [])
        var placedFamilies: [String: (first: Int, polygons: PolygonIndex)] = [:]
        for (family, features) in Self.parentsFirst(families) {
            let first = nodes.count
            var codes = Set<String>()
            var geometries: [Geometry?] = []
            for stored in features {
                guard let geometry = stored.feature.geometry, let box = geometry.boundingBox, let point = Planar.interiorPoint(of: geometry) else { continue }
                let code = stored.feature.properties[family.codeField]?.scalarText ?? stored.feature.id?.text ?? String(stored.fid)
                guard codes.insert(code).inserted else { continue }
                var parent: Int?
                if let placed = family.parentFamily.flatMap({ placedFamilies[$0] }) {
                    let holders = placed.polygons.locateAll(point).map { placed.first + $0 }
                    parent = holders.first { Self.box(nodes[$0].bbox, holds: box) } ?? holders.first
                }
                nodes.append(
                    RegionNode(
                        code: code, family: family.layer, name: stored.feature.properties[family.nameField]?.scalarText ?? "", tier: nil,
                        kind: family.kind, sortOrder: (stored.feature.properties["sort_order"]?.intValue).map(Int.init) ?? 0,
                        valid: RegionTree.Division.flag(stored.feature.properties["valid"]) ?? true, bbox: box, point: point,
                        aliases: RegionTree.Division.names(stored.feature.properties["aliases"]), source: family.layer))
                explicitSort.append(stored.feature.properties["sort_order"]?.intValue != nil)
                parents.append(parent ?? regionParent(holding: point, box: box, locator: locator, nodes: nodes))
                geometries.append(geometry)
            }
            placedFamilies[family.layer] = (first, PolygonIndex(geometries))
        }
        Self.rankSortOrders(&nodes, parents: parents, explicit: explicitSort)
        return RegionTree(nodes: nodes, parents: parents)
    }

    /// The declared parent when it is a coarser node, else the nearest coarser node the code begins with.
    private func parentIndex(of division: RegionTree.Division) -> Int? {
        if let declared = division.parentCode, let k = index[declared], divisions[k].tier < division.tier { return k }
        var code = division.code
        while code.count > 6 {
            code.removeLast(3)
            if let k = index[code], divisions[k].tier < division.tier { return k }
        }
        return nil
    }

    /// Gives regions without a box of their own (provinces, prefectures, townships of the list) the union of
    /// their children's boxes, finest first.
    private func fillMissingBoxes(_ nodes: inout [RegionNode], parents: [Int?]) {
        let order = nodes.indices.sorted { (nodes[$0].tier?.rawValue ?? 0) > (nodes[$1].tier?.rawValue ?? 0) }
        var derived = nodes.map { $0.bbox == nil }
        for k in order {
            guard let box = nodes[k].bbox, let parent = parents[k], derived[parent] else { continue }
            nodes[parent].bbox = nodes[parent].bbox.map { $0.union(box) } ?? box
            derived[parent] = true
        }
    }

    /// The finest region holding a family polygon's interior point whose box holds the polygon's box; else the
    /// finest holding the point; nil outside every region.
    private func regionParent(holding point: Coordinate, box: BoundingBox, locator: GridLocator, nodes: [RegionNode]) -> Int? {
        let location = locator.locate(point)
        let chain = [location.unitGrid, location.community, location.street, location.district].compactMap { $0.flatMap { index[$0.code] } }
        return chain.first { Self.box(nodes[$0].bbox, holds: box) } ?? chain.first
    }

    /// Whether `outer` holds `inner`, give or take 1e-7 degrees (about a centimetre) of rounding.
    static func box(_ outer: BoundingBox?, holds inner: BoundingBox) -> Bool {
        guard let outer else { return false }
        let slack = 1e-7
        return inner.minX >= outer.minX - slack && inner.minY >= outer.minY - slack && inner.maxX <= outer.maxX + slack
            && inner.maxY <= outer.maxY + slack
    }

    /// Families ordered so that each comes after the family it hangs in; a family whose parent is missing or in a
    /// cycle hangs from the regions.
    static func parentsFirst(_ families: [(family: LookupFamily, features: [StoredFeature])]) -> [(LookupFamily, [StoredFeature])] {
        var remaining = families.sorted { $0.family.layer < $1.family.layer }
        var placed = Set<String>()
        var ordered: [(LookupFamily, [StoredFeature])] = []
        while !remaining.isEmpty {
            let ready = remaining.firstIndex { entry in
                entry.family.parentFamily.map { placed.contains($0) || !families.contains { $0.family.layer == entry.family.parentFamily } } ?? true
            }
            var (family, features) = remaining.remove(at: ready ?? 0)
            if ready == nil { family.parentFamily = nil }
            placed.insert(family.layer)
            ordered.append((family, features))
        }
        return ordered
    }

    /// Siblings without a `sort_order` of their own are ranked by code from 1 within their family.
    static func rankSortOrders(_ nodes: inout [RegionNode], parents: [Int?], explicit: [Bool]) {
        var groups: [String: [Int]] = [:]
        for k in nodes.indices where !explicit[k] {
            groups[(parents[k].map(String.init) ?? "root") + "|" + (nodes[k].family ?? ""), default: []].append(k)
        }
        for members in groups.values {
            for (rank, k) in members.sorted(by: { nodes[$0].code < nodes[$1].code }).enumerated() { nodes[k].sortOrder = rank + 1 }
        }
    }
}
