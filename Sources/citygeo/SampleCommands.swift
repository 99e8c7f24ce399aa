import ArgumentParser
import Foundation
import GeoCore
import GeoEngine
import GeoSampling
import GeoStore

/// `citygeo sample`: evaluation grids and the yearly draw, for the planners of the comprehensive evaluation.
struct SampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Evaluation grids and stratified draws (综合评价 field inspection).",
        subcommands: [SampleGridsCommand.self, SampleDrawCommand.self])
}

/// Builds evaluation grids from the database's unit grids and A/B/C layer.
struct EvaluationGridSource: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Unit-grid layer.") var grids = "unit_grids"
    @Option(help: "Layer of A/B/C evaluation area classes (property `class`).") var classes = "eval_area_types"

    func build() async throws -> [EvaluationGrid] {
        let store = try SpatialStore(path: database.database)
        for name in [grids, classes] where try await store.layer(named: name) == nil {
            throw ValidationError("no layer named \"\(name)\" in \(database.database)")
        }
        let unitGrids = try await store.features(in: grids).map(\.feature)
        let builder = EvaluationGridBuilder()
        var result = try builder.build(unitGrids: unitGrids, engine: try GeometryEngine())
        builder.assignClasses(&result, unitGrids: unitGrids, classes: try await store.features(in: classes).map(\.feature))
        return result
    }
}

struct SampleGridsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grids", abstract: "Build evaluation grids (0.5-3 km², aiming at 1 km², within streets) and check them.")

    @OptionGroup var source: EvaluationGridSource
    @Option(name: .shortAndLong, help: "Write the evaluation grids as GeoJSON.") var output: String?

    func run() async throws {
        let grids = try await source.build()
        let problems = EvaluationGridBuilder().validate(grids)
        let byClass = Dictionary(grouping: grids, by: { $0.areaClass ?? "-" }).mapValues(\.count)
        print(TextTable.render(header: ["class", "evaluation grids"], rows: byClass.keys.sorted().map { [$0, String(byClass[$0]!)] }))
        let mean = grids.map(\.areaSquareMetres).reduce(0, +) / Double(max(1, grids.count)) / 1e6
        print("\(grids.count) evaluation grids, mean \((mean * 1000).rounded() / 1000) km²; \(problems.count) problems")
        for problem in problems { print("- \(problem.message)") }
        if let output {
            try Data(try GeoJSON.encodeBytes(FeatureCollection(grids.map(\.feature)))).write(to: URL(fileURLWithPath: output))
            print("written to \(output)")
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
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
