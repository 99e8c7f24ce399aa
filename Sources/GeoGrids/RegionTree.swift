import GeoCore

/// The tiers of the administrative region tree, coarsest first: 省 → 地市州 → 区县 → 镇街 → 村社 → 单元网格.
public enum RegionTier: Int, CaseIterable, Comparable, Sendable {
    case province = 1, prefecture, county, street, community, unitGrid

    public static func < (a: RegionTier, b: RegionTier) -> Bool { a.rawValue < b.rawValue }

    /// The name in answers and parameters: `province`, `prefecture`, `county`, `street`, `community`, `unit_grid`.
    public var name: String {
        switch self {
        case .province: "province"
        case .prefecture: "prefecture"
        case .county: "county"
        case .street: "street"
        case .community: "community"
        case .unitGrid: "unit_grid"
        }
    }

    /// The tier named `name` (``name``; `district` is read as `county`).
    public init?(name: String) {
        if name == "district" { self = .county; return }
        guard let tier = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = tier
    }

    /// The tier of a GB/T 30428.3 code level (a 6-digit code of a city's own layers is its county).
    public init(_ level: RegionLevel) {
        switch level {
        case .district: self = .county
        case .street: self = .street
        case .community: self = .community
        case .unitGrid: self = .unitGrid
        }
    }

    /// The code level of the tier; nil for province and prefecture, whose 6-digit codes are not
    /// GB/T 30428.3 region codes of a city.
    public var codeLevel: RegionLevel? {
        switch self {
        case .province, .prefecture: nil
        case .county: .district
        case .street: .street
        case .community: .community
        case .unitGrid: .unitGrid
        }
    }
}

/// One node of the region tree: an administrative region (from the national division list, the city's layers, or
/// both) or a polygon of a lookup family hanging under the region that holds it.
public struct RegionNode: Hashable, Sendable {
    public var code: String
    /// The family layer of a family polygon; nil for an administrative region.
    public var family: String?
    public var name: String
    /// The administrative tier; nil for a family polygon.
    public var tier: RegionTier?
    /// The family's kind (governance_grid …) for a family polygon.
    public var kind: String?
    /// The place among its siblings: the `sort_order` property, else the rank of its code (from 1).
    public var sortOrder: Int
    /// False for a region a layer marks invalid (`valid` false, 0 or 否).
    public var valid: Bool
    public var bbox: BoundingBox?
    /// A point inside the region (a division's representative point).
    public var point: Coordinate?
    public var aliases: [String]
    /// Where it comes from: `divisions`, a layer name, or both joined by `+`.
    public var source: String

    /// `province` … `unit_grid`, or the family's kind.
    public var level: String { tier?.name ?? kind ?? "family" }
}

/// The region tree: province → prefecture → county → town/street → community/village → unit grid, from China's
/// division list joined with the city's own layers, with the polygons of lookup families (governance grids ⊃ micro
/// grids, responsibility, work and evaluation grids) hanging under the node that holds them.
///
/// Nodes are addressed by index; ``node(code:family:)`` finds one by its code (and family).
public struct RegionTree: Sendable {
    public let nodes: [RegionNode]
    /// Per node, its parent's index (nil for a root) and its children in order (regions by sort order, then each
    /// family's polygons).
    private let parents: [Int?]
    private let childLists: [[Int]]
    /// Per node, 1 for a root.
    public let depths: [Int]
    /// The nodes without a parent, in code order.
    public let roots: [Int]
    private let byKey: [String: Int]

    init(nodes: [RegionNode], parents: [Int?]) {
        var children = [[Int]](repeating: [], count: nodes.count)
        for (k, parent) in parents.enumerated() { if let parent { children[parent].append(k) } }
        func order(_ a: Int, _ b: Int) -> Bool {
            let x = nodes[a], y = nodes[b]
            return (x.family ?? "", x.sortOrder, x.code) < (y.family ?? "", y.sortOrder, y.code)
        }
        for k in children.indices where children[k].count > 1 { children[k].sort(by: order) }
        let roots = parents.indices.filter { parents[$0] == nil }.sorted(by: order)
        var depths = [Int](repeating: 0, count: nodes.count)
        var queue = roots
        for root in roots { depths[root] = 1 }
        var head = 0
        while head < queue.count {
            let k = queue[head]
            head += 1
            for child in children[k] {
                depths[child] = depths[k] + 1
                queue.append(child)
            }
        }
        var byKey: [String: Int] = [:]
        for (k, node) in nodes.enumerated() { byKey[Self.key(code: node.code, family: node.family)] = k }
        self.nodes = nodes
        self.parents = parents
        self.childLists = children
        self.depths = depths
        self.roots = roots
        self.byKey = byKey
    }

    static func key(code: String, family: String?) -> String { family.map { $0 + ":" + code } ?? code }

    /// The number of nodes.
    public var count: Int { nodes.count }

    /// The node of an administrative code, or of a family polygon's code.
    public func node(code: String, family: String? = nil) -> Int? { byKey[Self.key(code: code, family: family)] }

    public func parent(of node: Int) -> Int? { parents[node] }

    /// The children of a node in order.
    public func children(of node: Int) -> [Int] { childLists[node] }

    /// The ancestors of a node, root first, without the node.
    public func ancestors(of node: Int) -> [Int] {
        var chain: [Int] = []
        var next = parents[node]
        while let k = next {
            chain.append(k)
            next = parents[k]
        }
        return chain.reversed()
    }

    /// The node itself or its nearest ancestor of `tier`; nil when the chain has none.
    public func ancestor(of node: Int, at tier: RegionTier) -> Int? {
        var next: Int? = node
        while let k = next {
            if let own = nodes[k].tier {
                if own == tier { return k }
                if own < tier { return nil }
            }
            next = parents[k]
        }
        return nil
    }

    /// Whether `node` is `ancestor` or lies under it.
    public func isWithin(_ node: Int, _ ancestor: Int) -> Bool {
        var next: Int? = node
        while let k = next {
            if k == ancestor { return true }
            next = parents[k]
        }
        return false
    }

    /// The descendants of a node down to `depth` levels below it, depth first in order (each node before its
    /// children), family polygons only of the families `includesFamily` accepts; at most `limit` of them, with
    /// `truncated` true when more were left out.
    public func descendants(
        of node: Int, depth: Int, limit: Int, includesFamily: (String) -> Bool = { _ in true }
    ) -> (nodes: [Int], truncated: Bool) {
        var result: [Int] = []
        var stack: [(node: Int, level: Int)] = childLists[node].reversed().map { ($0, 1) }
        while let (k, level) = stack.popLast() {
            if let family = nodes[k].family, !includesFamily(family) { continue }
            guard result.count < limit else { return (result, true) }
            result.append(k)
            if level < depth { stack += childLists[k].reversed().map { ($0, level + 1) } }
        }
        return (result, false)
    }

    /// Every node of `tier` (administrative) under `node` (or anywhere when nil), in tree order.
    public func nodes(at tier: RegionTier, under node: Int?) -> [Int] {
        var result: [Int] = []
        var stack: [Int] = (node.map { [$0] } ?? roots).reversed()
        while let k = stack.popLast() {
            guard let own = nodes[k].tier else { continue }
            if own == tier {
                result.append(k)
            } else if own < tier {
                stack += childLists[k].reversed()
            }
        }
        return result
    }

    /// How a search matched a node, best first.
    public enum MatchKind: Int, Comparable, Sendable {
        case name, alias, namePrefix, aliasPrefix, nameContains, aliasContains

        public static func < (a: MatchKind, b: MatchKind) -> Bool { a.rawValue < b.rawValue }
    }

    /// Nodes whose name or an alias is, begins with, or contains `query` (case-insensitive), best match first,
    /// then shallower, then by code; only of `level` (a tier name or a family kind) and under `within` when given.
    public func search(_ query: String, level: String? = nil, within: Int? = nil, limit: Int) -> [(node: Int, match: MatchKind)] {
        let needle = query.lowercased()
        guard !needle.isEmpty, limit > 0 else { return [] }
        var found: [(node: Int, match: MatchKind)] = []
        for (k, node) in nodes.enumerated() {
            if let level, node.level != level { continue }
            guard let match = Self.match(needle, node) else { continue }
            if let within, !isWithin(k, within) { continue }
            found.append((k, match))
        }
        found.sort { a, b in
            (a.match, depths[a.node], nodes[a.node].code, nodes[a.node].family ?? "") < (b.match, depths[b.node], nodes[b.node].code, nodes[b.node].family ?? "")
        }
        return Array(found.prefix(limit))
    }

    private static func match(_ needle: String, _ node: RegionNode) -> MatchKind? {
        let name = node.name.lowercased()
        if name == needle { return .name }
        let aliases = node.aliases.map { $0.lowercased() }
        if aliases.contains(needle) { return .alias }
        if name.hasPrefix(needle) { return .namePrefix }
        if aliases.contains(where: { $0.hasPrefix(needle) }) { return .aliasPrefix }
        if name.contains(needle) { return .nameContains }
        if aliases.contains(where: { $0.contains(needle) }) { return .aliasContains }
        return nil
    }
}
