import ArgumentParser
import Foundation
import GeoCore
import GeoEngine
import GeoSampling
import GeoStore

/// Sample types drawn from thematic layers instead of the sample-point layer.
struct ThemeOptions: ParsableArguments {
    @Option(
        name: .customLong("theme"),
        help: "A sample type drawn from a thematic layer: TYPE=LAYER[:FILTER], e.g. 河道湖泊=rivers or 主次干道=roads:class=主干道|次干道 (repeatable); lines are cut into sections, polygons drawn whole.")
    var entries: [String] = []
    @Option(help: "Length in metres of the road and river sections drawn from line layers.") var section = 200.0

    func parsed() throws -> [ThematicLayer] { try entries.map { try ThematicLayer(parsing: $0) } }
}

/// `citygeo sample`: evaluation grids and the yearly draw, for the planners of the comprehensive evaluation.
struct SampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Evaluation grids and stratified draws (综合评价 field inspection).",
        subcommands: [SampleGridsCommand.self, SampleDrawCommand.self, SamplePointsCommand.self, SampleAssignCommand.self, SamplePlanCommand.self, SampleHistoryCommand.self])
}

/// Builds evaluation grids from the database's unit grids and A/B/C layer.
struct EvaluationGridSource: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Unit-grid layer.") var grids = "unit_grids"
    @Option(help: "Layer of A/B/C evaluation area classes (property `class`).") var classes = "eval_area_types"

    func build() async throws -> [EvaluationGrid] {
        try await SamplingInputs.evaluationGrids(from: try await database.open(), unitGrids: grids, classes: classes)
    }
}

struct SampleGridsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grids", abstract: "Evaluation grids: build them from unit grids, or check a layer of them.",
        subcommands: [SampleGridsBuildCommand.self, SampleGridsCheckCommand.self])
}

struct SampleGridsBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build evaluation grids (0.5-3 km², aiming at 1 km², within streets), classify and check them.")

    @OptionGroup var source: EvaluationGridSource
    @Option(help: "Build from a mapping CSV (unit_grid_code, eval_grid_code[, type, first_division_date, change_date, remarks]) instead of automatically.")
    var mapping: String?
    @Option(name: .shortAndLong, help: "Write the evaluation grids as GeoJSON.") var output: String?

    func run() async throws {
        let grids: [EvaluationGrid]
        if let mapping {
            let store = try await source.database.open()
            let unitGrids = try await store.features(in: source.grids).map(\.feature)
            grids = try EvaluationGridBuilder().build(mapping: try String(contentsOfFile: mapping, encoding: .utf8), unitGrids: unitGrids, engine: try GeometryEngine())
        } else {
            grids = try await source.build()
        }
        try report(grids)
        if let output {
            try Data(try GeoJSON.encodeBytes(FeatureCollection(grids.map(\.feature)))).write(to: URL(fileURLWithPath: output))
            print("written to \(output)")
        }
    }
}

struct SampleGridsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check an evaluation-grid GeoJSON file (property `code`): area 0.5-3 km², one piece, 12-digit codes.")

    @Argument(help: "Evaluation grids as GeoJSON.") var file: String

    func run() async throws {
        let features = try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: URL(fileURLWithPath: file)))).features
        let engine = try GeometryEngine()
        let grids = try features.enumerated().map { k, feature -> EvaluationGrid in
            let code = feature.properties["code"]?.stringValue ?? "#\(k)"
            let geometry = feature.geometry ?? .geometryCollection(GeometryCollection([]))
            return EvaluationGrid(
                code: code, streetCode: String(code.prefix(9)), memberCodes: [], areaSquareMetres: try engine.geodesicArea(geometry),
                areaClass: feature.properties["type"]?.stringValue, geometry: geometry)
        }
        try report(grids)
    }
}

/// Prints grids per class, the mean area and every problem; exits 1 when there is one.
private func report(_ grids: [EvaluationGrid]) throws {
    let problems = EvaluationGridBuilder().validate(grids)
    let byClass = Dictionary(grouping: grids, by: { $0.areaClass ?? "-" }).mapValues(\.count)
    print(TextTable.render(header: ["class", "evaluation grids"], rows: byClass.keys.sorted().map { [$0, String(byClass[$0]!)] }))
    let mean = grids.map(\.areaSquareMetres).reduce(0, +) / Double(max(1, grids.count)) / 1e6
    print("\(grids.count) evaluation grids, mean \((mean * 1000).rounded() / 1000) km²; \(problems.count) problems")
    for problem in problems { print("- \(problem.message)") }
    if !problems.isEmpty { throw ExitCode(1) }
}

struct SampleDrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draw", abstract: "Draw evaluation grids per A/B/C class by city class (1: 3/2/3, 2: 2/2/2, 3: 2/1/2).")

    @OptionGroup var source: EvaluationGridSource
    @Option(help: "City class 1, 2 or 3.") var cityClass = 1
    @Option(help: "Seed of the draw (record it: the same seed and data give the same draw).") var seed: UInt64
    @Option(help: "Comma-separated evaluation-grid codes drawn in recent rounds, not to be drawn again.") var exclude = ""
    @Option(name: .shortAndLong, help: "Write the drawn grids as GeoJSON.") var output: String?

    func run() async throws {
        let grids = try await source.build()
        let excluded = Set(exclude.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let drawn = try StratifiedDraw.draw(grids, quota: try DrawQuota.cityClass(cityClass), seed: seed, excluded: excluded)
        let rows = drawn.map { [$0.areaClass ?? "-", $0.code, String(($0.areaSquareMetres / 1e4).rounded() / 100), String($0.memberCodes.count)] }
        print(TextTable.render(header: ["class", "evaluation grid", "km²", "unit grids"], rows: rows))
        print("city class \(cityClass), seed \(seed), \(grids.count) evaluation grids eligible before exclusions")
        if let output {
            try Data(try GeoJSON.encodeBytes(FeatureCollection(drawn.map(\.feature)))).write(to: URL(fileURLWithPath: output))
            print("written to \(output)")
        }
    }
}

struct SamplePlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Draw a whole field-inspection plan: evaluation grids by city class, sample points by type, inspector groups.",
        discussion: "Example: citygeo sample plan --seed 2026 --points 主次干道=6,背街小巷=4,公共厕所=2 --groups 3 --html plan.html --record")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "City class 1, 2 or 3.") var cityClass = 1
    @Option(help: "A custom quota table instead of the city class's, e.g. A=4,B=2,C=2.") var quota: String?
    @Option(help: "Seed of the draw.") var seed: UInt64
    @Option(help: "Sample points per type, e.g. 主次干道=6,背街小巷=4.") var points: String
    @Option(help: "Totals per type split among streets in proportion to their eligible points, e.g. 主次干道=10.") var pointsByStreet: String?
    @Option(help: "Inspector groups.") var groups = 2
    @Option(help: "Minimum distance between drawn points, metres.") var spacing = 0.0
    @Flag(help: "Give every street at least one point of each type while counts allow.") var coverStreets = false
    @Flag(help: "Draw points only inside the drawn evaluation grids.") var withinDrawnGrids = false
    @Option(help: "Do not repeat grids or points drawn in the last N recorded rounds.") var excludeRounds = 0
    @OptionGroup var themes: ThemeOptions
    @Flag(help: "Record this plan as the next round of the history.") var record = false
    @Option(name: .shortAndLong, help: "GeoJSON of the plan.") var output: String?
    @Option(help: "CSV of the plan.") var csv: String?
    @Option(help: "HTML page with a map of the plan.") var html: String?

    func run() async throws {
        let store = try await database.open()
        let inputs = try await SamplingInputs.load(from: store, themes: try themes.parsed(), sectionMetres: themes.section)
        let excluded = try await SamplingHistory.recent(excludeRounds, in: store)
        var rules = SamplePointRules(
            countsPerType: try SamplingInputs.parseCounts(points), minimumSpacingMetres: spacing, coverEveryStreet: coverStreets,
            excludedIDs: excluded)
        let totals: [String: Int] = try pointsByStreet.map { try SamplingInputs.parseCounts($0) } ?? [:]
        for (type, total) in totals {
            rules.countsPerTypeAndStreet[type] = SamplePointRules.proportional(total: total, type: type, among: inputs.candidates)
        }
        let plan = try SamplingPlan.make(
            evaluationGrids: inputs.evaluationGrids, candidates: inputs.candidates, cityClass: cityClass, pointRules: rules,
            pointsWithinDrawnGrids: withinDrawnGrids, inspectorGroups: groups, seed: seed, excludedGrids: excluded,
            inputChecksums: inputs.checksums, quota: try quota.map { try DrawQuota.parse($0) })
        let rows = plan.grids.map { ["评价网格", $0.code, $0.areaClass ?? "", ""] }
            + plan.groups.flatMap { group in group.points.map { ["评价点位", $0.id, $0.type, "第\(group.number)组"] } }
        print(TextTable.render(header: ["kind", "code", "class/type", "group"], rows: rows))
        for group in plan.groups { print("group \(group.number): \(group.points.count) points, route ≈ \(Int(group.routeMetres)) m") }
        print("seed \(seed), city class \(cityClass), inputs " + inputs.checksums.keys.sorted().map { "\($0) \(inputs.checksums[$0]!)" }.joined(separator: ", "))
        if let output { try Data(try GeoJSON.encodeBytes(plan.geoJSON())).write(to: URL(fileURLWithPath: output)) }
        if let csv { try Data(plan.csv().utf8).write(to: URL(fileURLWithPath: csv)) }
        if let html { try Data(plan.html(roads: try await SamplingInputs.roads(from: store)).utf8).write(to: URL(fileURLWithPath: html)) }
        if record { print("recorded as round \(try await SamplingHistory.record(plan, in: store))") }
    }
}

struct SampleHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List the recorded rounds of draws.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let rounds = try await SamplingHistory.rounds(in: try await database.open())
        print(TextTable.render(header: ["round", "grids and points"], rows: rounds.map { [String($0.round), String($0.items.count)] }))
    }
}

struct SamplePointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "points", abstract: "Draw inspection sample points per type (and per street in proportion), with spacing and coverage rules.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Seed of the draw.") var seed: UInt64
    @Option(help: "Sample points per type, e.g. 主次干道=6,背街小巷=4.") var points = ""
    @Option(help: "Totals per type split among streets in proportion to their eligible points, e.g. 主次干道=10.") var pointsByStreet: String?
    @Option(help: "Minimum distance between drawn points, metres.") var spacing = 0.0
    @Flag(help: "Give every street at least one point of each type while counts allow.") var coverStreets = false
    @Option(help: "Do not repeat points drawn in the last N recorded rounds.") var excludeRounds = 0
    @OptionGroup var themes: ThemeOptions
    @Option(name: .shortAndLong, help: "Write the points as GeoJSON.") var output: String?

    func run() async throws {
        let store = try await database.open()
        guard try await store.layer(named: "sample_points") != nil else { throw ValidationError("no layer named \"sample_points\"") }
        let layerPoints = try await store.features(in: "sample_points").map(\.feature)
        let candidates = try await SamplingInputs.sites(points: layerPoints, themes: try themes.parsed(), sectionMetres: themes.section, store: store)
            .candidates
        var rules = SamplePointRules(
            countsPerType: points.isEmpty ? [:] : try SamplingInputs.parseCounts(points), minimumSpacingMetres: spacing,
            coverEveryStreet: coverStreets, excludedIDs: try await SamplingHistory.recent(excludeRounds, in: store))
        let totals: [String: Int] = try pointsByStreet.map { try SamplingInputs.parseCounts($0) } ?? [:]
        for (type, total) in totals { rules.countsPerTypeAndStreet[type] = SamplePointRules.proportional(total: total, type: type, among: candidates) }
        let drawn = try SamplePointDraw.draw(candidates, rules: rules, seed: seed)
        print(TextTable.render(header: ["id", "type", "name", "street", "grid"], rows: drawn.map { [$0.id, $0.type, $0.name, $0.streetCode, $0.gridCode ?? ""] }))
        if let output { try Data(try GeoJSON.encodeBytes(FeatureCollection(drawn.map(pointFeature)))).write(to: URL(fileURLWithPath: output)) }
    }
}

struct SampleAssignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Split sample points (GeoJSON with id, type, street_code) among inspector groups by sectors.")

    @Argument(help: "Sample points as GeoJSON (e.g. from `citygeo sample points -o`).") var file: String
    @Option(help: "Inspector groups.") var groups = 2
    @Option(name: .shortAndLong, help: "Write the points with their `group` as GeoJSON.") var output: String?

    func run() async throws {
        let features = try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: URL(fileURLWithPath: file)))).features
        let points = features.compactMap(SamplePointCandidate.init(feature:))
        guard points.count == features.count else { throw ValidationError("\(features.count - points.count) features lack a point, id, type or street_code") }
        let assigned = try InspectorAssignment.assign(points, groups: groups)
        for group in assigned { print("group \(group.number): \(group.points.count) points, route ≈ \(Int(group.routeMetres)) m: " + group.points.map(\.id).joined(separator: " ")) }
        if let output {
            let out = assigned.flatMap { group in group.points.map { point -> Feature in
                var feature = pointFeature(point)
                feature.properties["group"] = .int(Int64(group.number))
                return feature
            } }
            try Data(try GeoJSON.encodeBytes(FeatureCollection(out))).write(to: URL(fileURLWithPath: output))
        }
    }
}

/// A drawn point as a GeoJSON feature with the properties `SamplePointCandidate(feature:)` reads back.
private func pointFeature(_ point: SamplePointCandidate) -> Feature {
    var properties: [String: JSONValue] = [
        "id": .string(point.id), "type": .string(point.type), "street_code": .string(point.streetCode),
        "grid_code": point.gridCode.map(JSONValue.string) ?? .null,
    ]
    properties.merge(point.details) { own, _ in own }
    return Feature(id: .string(point.id), geometry: point.geometry ?? .point(Point(point.position)), properties: properties)
}
