import ArgumentParser
import Foundation
import GeoAddress
import GeoCore
import GeoGrids
import GeoStore

/// `citygeo regions`: the region tree (`/v1/regions`) and the lookup families (`/v1/families`).
struct RegionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regions", abstract: "The region tree: a node with its descendants, search by name, lookup families.",
        subcommands: [RegionsShowCommand.self, RegionsSearchCommand.self, RegionsFamilyCommand.self], defaultSubcommand: RegionsShowCommand.self)
}

/// Where the tree comes from: the store and China's division list.
struct RegionTreeOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(help: "China's division list (CSV: level,code,parent_code,name). Default: <data-root>/AddressBooks/national/divisions.csv if present.")
    var divisions: String?
    @Option(help: "Folder with AddressBooks/national/.") var dataRoot = "."

    /// The store and its tree.
    func load() async throws -> (any CityStore, RegionTree) {
        let store = try await database.open()
        let path = divisions ?? URL(fileURLWithPath: dataRoot).appendingPathComponent("AddressBooks/national/divisions.csv").path
        let list = divisions != nil || FileManager.default.fileExists(atPath: path) ? try AdminDivisions.load(from: URL(fileURLWithPath: path)) : AdminDivisions([])
        return (store, try await RegionTree.load(from: store, divisions: list.regionTreeDivisions))
    }
}

/// Prints nodes as a table (indented by depth below `baseDepth`) or as JSON.
private func printNodes(_ nodes: [Int], of tree: RegionTree, format: String, baseDepth: Int) throws {
    switch format {
    case "json": print(try JSON.encode(.array(nodes.map(tree.json))))
    case "table":
        let rows = nodes.map { k -> [String] in
            let node = tree.nodes[k]
            let indent = String(repeating: "  ", count: max(0, tree.depths[k] - baseDepth))
            return [indent + node.code, node.name, node.level, node.family ?? "", String(node.sortOrder), node.valid ? "" : "invalid", String(tree.children(of: k).count)]
        }
        print(TextTable.render(header: ["code", "name", "level", "family", "order", "valid", "children"], rows: rows))
    default: throw ValidationError("--format must be table or json, not \"\(format)\"")
    }
}

struct RegionsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "A node with its descendants to a depth (the roots without a code).",
        discussion: "Example: citygeo regions 320904 --depth 2; citygeo regions 320904001003 --family governance_grids")

    @OptionGroup var source: RegionTreeOptions
    @Argument(help: "A region code (6, 9, 12 or 15 digits), or a family polygon's code with --family.") var code: String?
    @Option(help: "The lookup family of the code.") var family: String?
    @Option(help: "How many levels below the node to list.") var depth = 1
    @Option(help: "table or json.") var format = "table"

    func run() async throws {
        let (_, tree) = try await source.load()
        guard let code else {
            try printNodes(tree.roots, of: tree, format: format, baseDepth: 1)
            return
        }
        guard let node = tree.node(code: code, family: family) else {
            throw ValidationError("the region tree has no \(family.map { "polygon \(code) of family \($0)" } ?? "region \(code)")")
        }
        let chain = tree.ancestors(of: node).map { "\(tree.nodes[$0].name) \(tree.nodes[$0].code)" }
        if format == "table", !chain.isEmpty { print(chain.joined(separator: " › ")) }
        let (descendants, truncated) = tree.descendants(of: node, depth: max(0, depth), limit: 200_000)
        try printNodes([node] + descendants, of: tree, format: format, baseDepth: tree.depths[node])
        if truncated { print("… truncated at 200,000 nodes") }
    }
}

struct RegionsSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Nodes by name or alias, best match first.")

    @OptionGroup var source: RegionTreeOptions
    @Argument(help: "A name, alias or part of one.") var query: String
    @Option(help: "Only nodes of this level (province … unit_grid, or a family kind).") var level: String?
    @Option(help: "Only nodes under this region code.") var within: String?
    @Option(help: "The most nodes to list.") var limit = 20
    @Option(help: "table or json.") var format = "table"

    func run() async throws {
        let (_, tree) = try await source.load()
        let under = try within.map { code in
            guard let node = tree.node(code: code) else { throw ValidationError("the region tree has no region \(code)") }
            return node
        }
        try printNodes(tree.search(query, level: level, within: under, limit: limit).map(\.node), of: tree, format: format, baseDepth: 99)
    }
}

struct RegionsFamilyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "family", abstract: "Lookup families: polygon layers looked up with /v1/locate and counted by /v1/stats.",
        subcommands: [RegionsFamilyListCommand.self, RegionsFamilyMarkCommand.self, RegionsFamilyUnmarkCommand.self],
        defaultSubcommand: RegionsFamilyListCommand.self)
}

struct RegionsFamilyListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The marked families.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try await database.open()
        let families = try await LookupFamilyRegistry.families(in: store)
        // Whether a family's polygons overlap is proven by building its index (a family that does not is looked up
        // at the cost of one lookup); "?" when its layer cannot be read.
        let indexes = PolygonFamilies(store: store, checkInterval: .seconds(60))
        var rows: [[String]] = []
        for family in families {
            let overlapping = await indexes.overlapping(of: family.layer).map { $0 ? "yes" : "no" } ?? "?"
            rows.append([family.layer, family.kind, family.codeField, family.nameField, family.parentFamily ?? "", family.inTree ? "yes" : "no", overlapping])
        }
        print(TextTable.render(header: ["layer", "kind", "code", "name", "inside", "in tree", "overlapping"], rows: rows))
    }
}

struct RegionsFamilyMarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mark", abstract: "Mark a polygon layer as a lookup family.",
        discussion: "Kinds: \(LookupFamily.knownKinds.keys.sorted().map { "\($0) (\(LookupFamily.knownKinds[$0]!.title))" }.joined(separator: ", ")), or a word of your own.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The polygon layer.") var layer: String
    @Option(help: "What its polygons are, e.g. governance_grid.") var kind: String
    @Option(help: "The property holding each polygon's code.") var codeField = "code"
    @Option(help: "The property holding each polygon's name.") var nameField = "name"
    @Option(help: "The family whose polygons hold these (微网格 inside 一般网格).") var parentFamily: String?
    @Option(help: "Whether the polygons hang in the region tree (default: yes for grid kinds).") var inTree: Bool?

    func run() async throws {
        let store = try await database.open()
        let family = LookupFamily(layer: layer, kind: kind, codeField: codeField, nameField: nameField, parentFamily: parentFamily, inTree: inTree)
        try await LookupFamilyRegistry.mark(family, in: store)
        await recordCommandLineWrite(store, command: "regions family mark", detail: "\(layer) as \(kind)")
        print("\(layer) is a lookup family of kind \(kind)\(family.inTree ? ", hanging in the region tree" : "")")
    }
}

struct RegionsFamilyUnmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unmark", abstract: "Stop looking a layer up (its features stay).")
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The family's layer.") var layer: String

    func run() async throws {
        let store = try await database.open()
        try await LookupFamilyRegistry.unmark(layer, in: store)
        await recordCommandLineWrite(store, command: "regions family unmark", detail: layer)
        print("\(layer) is no longer a lookup family")
    }
}

/// `citygeo stats`: `/v1/stats` from the command line.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Cases per region (or family polygon) and period, with 环比 and 同比.",
        discussion: "Example: citygeo stats --node 320904 --period month --from 2026-01-01 --to 2027-01-01 --category 市容环境 --format csv")

    @OptionGroup var source: RegionTreeOptions
    @Option(help: "The point layer of cases.") var layer = "cases"
    @Option(help: "The asking region: only its cases count; rows one level below it by default.") var node: String?
    @Option(help: "Rows per region of this level instead (county, street, community, unit_grid …).") var level: String?
    @Option(help: "Rows per polygon of this lookup family instead.") var family: String?
    @Option(help: "below, self or both (本级/下级).") var scope = "below"
    @Option(help: "day, week, month, quarter, year or all.") var period = "month"
    @Option(help: "Start (inclusive), widened to its period's start.") var from: String?
    @Option(help: "End (exclusive).") var to: String?
    @Option(help: "Category names or paths (大类/小类/子类), alternatives separated by |.") var category: String?
    @Option(help: "Category-code prefixes, alternatives separated by |.") var categoryCode: String?
    @Option(help: "A numeric property to sum.") var sum: String?
    @Flag(inversion: .prefixedNo, help: "Rows for regions without cases.") var empty = true
    @Option(help: "table, csv or json.") var format = "table"

    func run() async throws {
        let (store, tree) = try await source.load()
        guard try await store.layer(named: layer) != nil else { throw ValidationError("no layer named \"\(layer)\"") }
        let cases = CaseStatisticsIndex(features: try await store.features(in: layer), locator: try await GridLocator.load(from: store))
        var request = StatisticsRequest(categories: nil, sumField: sum, includeEmpty: empty)
        if let node {
            guard let k = tree.node(code: node) else { throw ValidationError("the region tree has no region \(node)") }
            request.node = k
        }
        guard let scope = StatisticsRequest.Scope(rawValue: scope) else { throw ValidationError("--scope must be below, self or both") }
        request.scope = scope
        if period == "all" {
            request.period = nil
        } else {
            guard let value = CalendarPeriod(rawValue: period) else { throw ValidationError("--period must be day, week, month, quarter, year or all") }
            request.period = value
        }
        request.from = try from.map { try TimeText.seconds($0, field: "from") }
        request.to = try to.map { try TimeText.seconds($0, field: "to") }
        let filter = try CategoryFilter(category: category, codes: categoryCode)
        request.categories = filter.isEmpty ? nil : filter
        if let level {
            guard let tier = RegionTier(name: level) else { throw ValidationError("--level must be one of \(RegionTier.allCases.map(\.name).joined(separator: ", "))") }
            request.grouping = .tier(tier)
        } else if let family {
            request.grouping = .family(try await PolygonFamilies(store: store, checkInterval: .seconds(60)).index(of: family))
        }
        let table = try RegionStatistics.compute(request, cases: cases, tree: tree)
        switch format {
        case "json": print(try JSON.encode(table.json()))
        case "csv": FileHandle.standardOutput.write(Data(table.csv()))
        case "table":
            func change(_ value: StatisticsTable.Change?) -> String {
                guard let value else { return "" }
                return "\(value.change >= 0 ? "+" : "")\(value.change)" + (value.rate.map { String(format: " (%+.1f%%)", $0 * 100) } ?? "")
            }
            let rows = table.rows.map { row in
                [row.group.code, row.group.name, row.period.label, String(row.count)] + (row.sum.map { [String($0)] } ?? [])
                    + [change(row.monthOnMonth), change(row.yearOnYear)]
            }
            print(TextTable.render(header: ["code", "name", "period", "count"] + (sum == nil ? [] : ["sum"]) + ["环比", "同比"], rows: rows))
            print("\(table.total) cases in range\(table.unassigned > 0 ? ", \(table.unassigned) in no row" : ""); \(cases.skipped) features without a point or time")
        default: throw ValidationError("--format must be table, csv or json, not \"\(format)\"")
        }
    }
}
