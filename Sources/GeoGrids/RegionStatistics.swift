import GeoCore

/// What a statistics question asks: which cases (a subtree, a time range, categories), grouped how (one tier of
/// the region tree, the polygons of a lookup family, a drawn polygon, or the asking node itself) and per which
/// period, counting cases and optionally summing a numeric property.
public struct StatisticsRequest: Sendable {
    /// The rows of the answer.
    public enum Grouping: Sendable {
        /// The regions of a tier under the node (by default the tier just below it).
        case tier(RegionTier)
        /// Each polygon of a lookup family (a case in two overlapping polygons counts in both).
        case family(FamilyIndex)
        /// One row for the cases inside a polygon.
        case polygon(Geometry)
    }

    /// Rows for the node's subordinates, the node itself, or both (本级, 下级, 本级及下级).
    public enum Scope: String, CaseIterable, Sendable {
        case below, `self`, both
    }

    /// The asking node of the tree: only cases in its subtree count; nil for every case.
    public var node: Int?
    /// nil: the tier just below the node.
    public var grouping: Grouping?
    public var scope: Scope
    /// nil: one span over the whole range.
    public var period: CalendarPeriod?
    /// The range [from, to), widened to whole periods; nil ends take the cases' earliest and latest times.
    public var from: Double?
    public var to: Double?
    public var categories: CategoryFilter?
    /// A numeric property to sum beside the counts.
    public var sumField: String?
    /// Whether regions (or family polygons) without a case in any period get rows too.
    public var includeEmpty: Bool

    public init(
        node: Int? = nil, grouping: Grouping? = nil, scope: Scope = .below, period: CalendarPeriod? = .month, from: Double? = nil,
        to: Double? = nil, categories: CategoryFilter? = nil, sumField: String? = nil, includeEmpty: Bool = true
    ) {
        self.node = node
        self.grouping = grouping
        self.scope = scope
        self.period = period
        self.from = from
        self.to = to
        self.categories = categories
        self.sumField = sumField
        self.includeEmpty = includeEmpty
    }
}

/// The answer: one row per group and period, with the period before (环比) and the same period a year before (同比).
public struct StatisticsTable: Sendable {
    public struct Period: Hashable, Sendable {
        public let label: String
        public let start: Double
        public let end: Double
    }

    /// A group of rows: a region, a family polygon, the drawn polygon, or the asking node.
    public struct Group: Hashable, Sendable {
        public let code: String
        public let name: String
        public let level: String
        public let family: String?
    }

    /// Counts (and sums) of one group in one period, with the two periods it is compared with.
    public struct Cell: Hashable, Sendable {
        public var count = 0
        public var sum = 0.0
        public var previousCount = 0
        public var previousSum = 0.0
        public var lastYearCount = 0
        public var lastYearSum = 0.0
    }

    public let period: CalendarPeriod?
    public let periods: [Period]
    public let groups: [Group]
    /// cells[group][period].
    public let cells: [[Cell]]
    /// Cases in the subtree, range and categories.
    public let total: Int
    /// Of those, the cases no group holds (a village's cases when grouping by unit grid, cases outside every
    /// family polygon).
    public let unassigned: Int
    public let sumField: String?
}

/// Counts and sums of a case layer per region and period (statistics by 区 / 镇街 / 社区 / 网格, by family polygon,
/// by a drawn area; per day, week, month, quarter, year; 环比 and 同比).
public enum RegionStatistics {
    /// Answers `request` over `cases` placed in `tree`. Throws `invalid_argument` naming the parameter at fault
    /// (`from`, `level`, `sum`, `node`) and `batch_too_large` when the table would pass `maximumCells`.
    public static func compute(
        _ request: StatisticsRequest, cases: CaseStatisticsIndex, tree: RegionTree, maximumCells: Int = 2_000_000
    ) throws -> StatisticsTable {
        let (periods, spans) = try periodsAndSpans(request, cases: cases)
        var (groups, slots) = try groupsAndSlots(request, cases: cases, tree: tree)
        let sums: [Double]?
        if let field = request.sumField {
            guard let column = cases.numbers(field) else {
                throw GeoError(code: .invalidArgument, message: "no case has a number in \"\(field)\" to sum", location: "sum")
            }
            sums = column
        } else {
            sums = nil
        }
        guard groups.count * periods.count <= maximumCells else {
            throw GeoError(
                code: .batchTooLarge,
                message: "\(groups.count) groups × \(periods.count) periods is over \(maximumCells) rows; ask a coarser level or period, or a shorter range",
                location: "level")
        }
        let passes = cases.categoryPaths.map { path in request.categories.map { $0.matches(path) } ?? true }

        // Counts per group and span over every span the comparisons need.
        var counts = [Int](repeating: 0, count: groups.count * spans.starts.count)
        var totals = [Double](repeating: 0, count: sums == nil ? 0 : groups.count * spans.starts.count)
        var inSubtree = [Int](repeating: 0, count: spans.starts.count)
        var held = [Int](repeating: 0, count: spans.starts.count)
        var found: [Int] = []
        for span in spans.starts.indices {
            try GeoError.throwIfCancelled()
            let first = cases.firstCase(atOrAfter: spans.starts[span])
            let end = cases.firstCase(atOrAfter: span + 1 < spans.starts.count ? spans.starts[span + 1] : spans.end)
            for k in first..<end where passes[Int(cases.categories[k])] && slots.inSubtree(k) {
                slots.groups(ofCase: k, into: &found)
                inSubtree[span] += 1
                if !found.isEmpty { held[span] += 1 }
                for group in found {
                    counts[group * spans.starts.count + span] += 1
                    if let sums, !sums[k].isNaN { totals[group * spans.starts.count + span] += sums[k] }
                }
            }
        }

        var cells = [[StatisticsTable.Cell]](repeating: [], count: groups.count)
        for g in groups.indices {
            cells[g] = periods.indices.map { p in
                let span = spans.requested[p], base = g * spans.starts.count
                var cell = StatisticsTable.Cell(count: counts[base + span], sum: sums == nil ? 0 : totals[base + span])
                if let previous = spans.previous[p] {
                    cell.previousCount = counts[base + previous]
                    cell.previousSum = sums == nil ? 0 : totals[base + previous]
                }
                if let lastYear = spans.lastYear[p] {
                    cell.lastYearCount = counts[base + lastYear]
                    cell.lastYearSum = sums == nil ? 0 : totals[base + lastYear]
                }
                return cell
            }
        }
        var keep = groups.indices.map { _ in true }
        if !request.includeEmpty {
            keep = cells.map { row in row.contains { $0.count > 0 } }
        }
        let total = spans.requested.reduce(0) { $0 + inSubtree[$1] }
        let assigned = spans.requested.reduce(0) { $0 + held[$1] }
        return StatisticsTable(
            period: request.period, periods: periods, groups: groups.indices.filter { keep[$0] }.map { groups[$0] },
            cells: cells.indices.filter { keep[$0] }.map { cells[$0] }, total: total, unassigned: total - assigned, sumField: request.sumField)
    }

    /// The spans counted: consecutive periods from the earliest one a comparison needs to the end of the range,
    /// and for each requested period its span, the span before it and the span a year before it.
    struct Spans {
        var starts: [Double]
        var end: Double
        var requested: [Int]
        var previous: [Int?]
        var lastYear: [Int?]
    }

    static func periodsAndSpans(_ request: StatisticsRequest, cases: CaseStatisticsIndex) throws -> ([StatisticsTable.Period], Spans) {
        guard let range = cases.timeRange ?? (request.from.flatMap { from in request.to.map { from...$0 } }) else {
            return ([], Spans(starts: [], end: 0, requested: [], previous: [], lastYear: []))
        }
        let from = request.from ?? range.lowerBound
        // Without an end, the range reaches past the last case.
        let to = request.to ?? range.upperBound.nextUp
        guard from < to else {
            throw GeoError(code: .invalidArgument, message: "the time range is empty: from must be before to", location: "from")
        }
        guard let period = request.period else {
            let only = StatisticsTable.Period(label: TimeText.format(from) + "/" + TimeText.format(to), start: from, end: to)
            return ([only], Spans(starts: [from], end: to, requested: [0], previous: [nil], lastYear: [nil]))
        }
        let (starts, end) = period.starts(from: from, to: to)
        guard starts.count <= 100_000 else {
            throw GeoError(code: .invalidArgument, message: "\(starts.count) periods of a \(period.rawValue) are too many; use a longer period", location: "period")
        }
        let earliest = min(period.shifted(starts[0], by: -1), period.sameLastYear(starts[0]))
        let (all, _) = period.starts(from: earliest, to: end)
        let position = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, $0) })
        let requested = starts.map { position[$0]! }
        let periods = starts.indices.map { k in
            StatisticsTable.Period(label: period.label(of: starts[k]), start: starts[k], end: k + 1 < starts.count ? starts[k + 1] : end)
        }
        return (
            periods,
            Spans(
                starts: all, end: end, requested: requested, previous: requested.map { $0 > 0 ? $0 - 1 : nil },
                lastYear: starts.map { position[period.sameLastYear($0)] })
        )
    }

    /// Where each case counts: the groups holding it, and whether it lies in the asking node's subtree.
    struct Slots {
        let cases: CaseStatisticsIndex
        /// Per region code, its group (or -1); empty when groups are not regions.
        var regionGroup: [Int32] = []
        /// Per region code, whether it lies in the subtree; empty when every case counts.
        var regionInSubtree: [Bool] = []
        /// The node's own row (scope self or both).
        var nodeGroup: Int?
        var family: FamilyIndex?
        var polygon: PolygonIndex?
        /// The first group of the family's polygons or of the drawn polygon (after the node's own row).
        var firstShapeGroup = 0
        private var scratch: [Int] = []

        init(cases: CaseStatisticsIndex) { self.cases = cases }

        func inSubtree(_ k: Int) -> Bool {
            guard !regionInSubtree.isEmpty else { return true }
            let region = Int(cases.regions[k])
            return region >= 0 && regionInSubtree[region]
        }

        /// Replaces `found` with the groups case `k` counts in.
        mutating func groups(ofCase k: Int, into found: inout [Int]) {
            found.removeAll(keepingCapacity: true)
            if let nodeGroup { found.append(nodeGroup) }
            if let family {
                family.containing(cases.positions[k], into: &scratch)
                for polygon in scratch { found.append(firstShapeGroup + polygon) }
            } else if let polygon {
                if polygon.locate(cases.positions[k]) != nil { found.append(firstShapeGroup) }
            } else if !regionGroup.isEmpty {
                let region = Int(cases.regions[k])
                if region >= 0, regionGroup[region] >= 0 { found.append(Int(regionGroup[region])) }
            }
        }
    }

    /// The groups of the answer and where each case counts.
    static func groupsAndSlots(
        _ request: StatisticsRequest, cases: CaseStatisticsIndex, tree: RegionTree
    ) throws -> ([StatisticsTable.Group], Slots) {
        var slots = Slots(cases: cases)
        var groups: [StatisticsTable.Group] = []
        let node = request.node
        let regionNodes = cases.regionCodes.map { tree.node(code: $0) }
        if let node {
            slots.regionInSubtree = regionNodes.map { $0.map { tree.isWithin($0, node) } ?? false }
        }
        if request.scope != .below {
            slots.nodeGroup = 0
            groups.append(
                node.map { group(tree, $0) } ?? StatisticsTable.Group(code: "", name: "全部", level: "all", family: nil))
            if request.scope == .self { return (groups, slots) }
        }
        switch request.grouping {
        case .family(let family)?:
            slots.family = family
            slots.firstShapeGroup = groups.count
            groups += family.codes.indices.map { k in
                StatisticsTable.Group(code: family.codes[k], name: family.names[k], level: family.family.kind, family: family.family.layer)
            }
        case .polygon(let geometry)?:
            slots.polygon = PolygonIndex([geometry])
            slots.firstShapeGroup = groups.count
            groups.append(StatisticsTable.Group(code: "polygon", name: "", level: "polygon", family: nil))
        case .tier(let tier)?:
            try addRegionGroups(tier: tier, node: node, tree: tree, regionNodes: regionNodes, groups: &groups, slots: &slots)
        case nil:
            try addRegionGroups(
                tier: try tierBelow(node, in: tree), node: node, tree: tree, regionNodes: regionNodes, groups: &groups, slots: &slots)
        }
        return (groups, slots)
    }

    /// The tier just below a node: that of its first administrative child (a county's streets, a province's
    /// prefectures, or its counties where it has no prefectures); counties when there is no node.
    static func tierBelow(_ node: Int?, in tree: RegionTree) throws -> RegionTier {
        guard let node else { return .county }
        guard let tier = tree.children(of: node).compactMap({ tree.nodes[$0].tier }).min() else {
            throw GeoError(
                code: .invalidArgument, message: "\(tree.nodes[node].level) \(tree.nodes[node].code) has no regions below it; ask scope=self",
                location: "node")
        }
        return tier
    }

    private static func addRegionGroups(
        tier: RegionTier, node: Int?, tree: RegionTree, regionNodes: [Int?], groups: inout [StatisticsTable.Group], slots: inout Slots
    ) throws {
        if let node, let own = tree.nodes[node].tier, own >= tier {
            throw GeoError(
                code: .invalidArgument, message: "level \(tier.name) is not below \(own.name) \(tree.nodes[node].code)", location: "level")
        }
        var groupOf: [Int: Int32] = [:]
        for member in tree.nodes(at: tier, under: node) {
            groupOf[member] = Int32(groups.count)
            groups.append(group(tree, member))
        }
        slots.regionGroup = regionNodes.map { regionNode in
            regionNode.flatMap { tree.ancestor(of: $0, at: tier) }.flatMap { groupOf[$0] } ?? -1
        }
    }

    private static func group(_ tree: RegionTree, _ k: Int) -> StatisticsTable.Group {
        let node = tree.nodes[k]
        return StatisticsTable.Group(code: node.code, name: node.name, level: node.level, family: node.family)
    }
}
