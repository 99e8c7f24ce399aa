import ArgumentParser
import Foundation
import GeoCore
import GeoEngine
import GeoGrids
import GeoStore

/// `citygeo grid check|locate|stats`: the unit-grid tools of a census or case-intake team.
struct GridCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid", abstract: "Unit grids: quality checks, point location, area statistics.",
        subcommands: [GridCheckCommand.self, GridLocateCommand.self, GridStatsCommand.self])
}

/// Layer names shared by the grid commands.
struct GridLayerOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Unit-grid layer.") var grids = "unit_grids"
    @Option(help: "Community layer.") var communities = "communities"

    func load(_ store: any CityStore, _ name: String) async throws -> [Feature] {
        guard try await store.layer(named: name) != nil else {
            throw ValidationError("no layer named \"\(name)\" in \(database.database); import one with `citygeo import`")
        }
        return try await store.features(in: name).map(\.feature)
    }
}

struct GridCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a unit-grid layer: invalid rings, overlaps, gaps, slivers, grids crossing their community, codes.")

    @OptionGroup var layers: GridLayerOptions
    @Option(help: "Write the problems as GeoJSON to this file.") var problems: String?
    @Option(help: "Gaps and overlaps below this many m² are ignored.") var tolerance = 0.5
    @Option(help: "Grids below this many m² are slivers.") var sliverArea = 1_000.0

    func run() async throws {
        let store = try await layers.database.open()
        let grids = try await layers.load(store, layers.grids)
        let communities = try await layers.load(store, layers.communities)
        var checker = GridQualityChecker()
        checker.areaTolerance = tolerance
        checker.sliverArea = sliverArea
        let report = try checker.check(unitGrids: grids, communities: communities, engine: try GeometryEngine())
        print(TextTable.render(header: ["problem", "count"], rows: report.problemCounts.map { [$0.kind.rawValue, String($0.count)] }))
        print("")
        for problem in report.problems.prefix(20) { print("- \(problem.kind.rawValue): \(problem.message)") }
        if report.problems.count > 20 { print("… and \(report.problems.count - 20) more") }
        let stats = report.overall
        print("\n\(stats.count) valid unit grids: total \(metres(stats.totalArea)) m², mean \(metres(stats.meanArea)) m², min \(metres(stats.minimumArea)) m², max \(metres(stats.maximumArea)) m²")
        if let problems {
            try Data(try GeoJSON.encodeBytes(report.problemFeatures)).write(to: URL(fileURLWithPath: problems))
            print("problems written to \(problems)")
        }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }
}

struct GridStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Unit-grid census statistics: count and area per community and overall.")

    @OptionGroup var layers: GridLayerOptions
    @Option(help: "table, csv or json.") var format = "table"

    func run() async throws {
        let store = try await layers.database.open()
        let grids = try await layers.load(store, layers.grids)
        var byCommunity: [String: [Double]] = [:]
        for grid in grids {
            guard let code = grid.properties["code"]?.stringValue, let geometry = grid.geometry else { continue }
            byCommunity[String(code.prefix(12)), default: []].append(EllipsoidalMeasure.area(of: geometry))
        }
        let rows = byCommunity.keys.sorted().map { code -> [String] in
            let areas = byCommunity[code]!
            return [code, String(areas.count), metres(areas.reduce(0, +) / Double(areas.count)), metres(areas.min()!), metres(areas.max()!), metres(areas.reduce(0, +))]
        }
        let header = ["community", "grids", "mean_m2", "min_m2", "max_m2", "total_m2"]
        switch format {
        case "table": print(TextTable.render(header: header, rows: rows))
        case "csv": print(([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n"))
        case "json":
            print(try JSON.encode(.array(rows.map { row in .object(Dictionary(uniqueKeysWithValues: zip(header, row.map { JSONValue.string($0) }))) })))
        default: throw ValidationError("--format must be table, csv or json, not \"\(format)\"")
        }
        let all = byCommunity.values.flatMap { $0 }
        if format == "table", !all.isEmpty {
            print("")
            print("\(all.count) unit grids in \(byCommunity.count) communities; managed area \(metres(all.reduce(0, +))) m², mean \(metres(all.reduce(0, +) / Double(all.count))) m²")
        }
    }
}

struct GridLocateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locate",
        abstract: "Locate points in district, street, community, unit grid and responsibility grids.",
        discussion: "Either one point (--lon/--lat) or a CSV file with lon and lat columns (--input); the CSV answer adds the codes.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Longitude.") var lon: Double?
    @Option(help: "Latitude.") var lat: Double?
    @Option(help: "CSV file with lon/lat columns (header row).") var input: String?
    @Option(help: "Coordinate system of the input: cgcs2000, wgs84, gcj02 or bd09.") var crs = "cgcs2000"
    @Option(help: "Lookup families to locate in too: all, or layer names separated by commas.") var families: String?

    func run() async throws {
        let system = try CRS.parse(crs)
        let store = try await database.open()
        let locator = try await GridLocator.load(from: store)
        var familyIndexes: [FamilyIndex] = []
        if let families { familyIndexes = try await PolygonFamilies(store: store, checkInterval: .seconds(60)).indexes(named: families) }
        if let lon, let lat {
            let position = CRS.convert(Coordinate(x: lon, y: lat), from: system, to: .cgcs2000)
            let location = locator.locate(position)
            let rows = [
                ("district", location.district), ("street", location.street), ("community", location.community), ("unit grid", location.unitGrid),
            ].map { [$0.0, $0.1?.code ?? "-", $0.1?.name ?? ""] }
            print(TextTable.render(header: ["level", "code", "name"], rows: rows))
            if !location.responsibilityGrids.isEmpty {
                print("responsibility grids: " + location.responsibilityGrids.map { "\($0.code) \($0.name)" }.joined(separator: ", "))
            }
            for family in familyIndexes {
                let hits = family.containing(position).map { family.hit($0) }
                print("\(family.family.layer) (\(family.family.kind)): " + (hits.isEmpty ? "-" : hits.map { "\($0.code) \($0.name)" }.joined(separator: ", ")))
            }
        } else if let input {
            try locateFile(input, locator: locator, families: familyIndexes, crs: system)
        } else {
            throw ValidationError("give --lon and --lat, or --input FILE.csv")
        }
    }

    private func locateFile(_ path: String, locator: GridLocator, families: [FamilyIndex], crs: CRS) throws {
        var records = try CSVReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        guard !records.isEmpty else { throw ValidationError("\(path) is empty") }
        let headerFields = records.removeFirst().fields
        let header = headerFields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let lonColumn = header.firstIndex(where: { ["lon", "lng", "longitude", "x"].contains($0) }),
            let latColumn = header.firstIndex(where: { ["lat", "latitude", "y"].contains($0) })
        else { throw ValidationError("\(path) needs lon and lat columns; its header is \(header.joined(separator: ","))") }
        print(
            CSVWriter.line(headerFields + ["district_code", "street_code", "community_code", "unit_grid_code"] + families.map { $0.family.layer + "_codes" }),
            terminator: "")
        for record in records {
            let cells = record.fields
            guard cells.count > max(lonColumn, latColumn), let x = Double(cells[lonColumn].trimmingCharacters(in: .whitespaces)),
                let y = Double(cells[latColumn].trimmingCharacters(in: .whitespaces))
            else {
                throw ValidationError("\(path) line \(record.line): lon/lat are not numbers")
            }
            let position = CRS.convert(Coordinate(x: x, y: y), from: crs, to: .cgcs2000)
            let location = locator.locate(position)
            // Codes of every family polygon holding the point, separated by / as region records list aliases.
            let familyCodes = families.map { family in family.containing(position).map { family.codes[$0] }.joined(separator: "/") }
            print(
                CSVWriter.line(cells + [location.district, location.street, location.community, location.unitGrid].map { $0?.code ?? "" } + familyCodes),
                terminator: "")
        }
    }
}

private func metres(_ value: Double) -> String { String(Int(value.rounded())) }
