import ArgumentParser
import Foundation
import GeoCore
import GeoFences
import GeoStore

/// `citygeo fence import|list|replay`: electronic fences for vehicle monitors.
struct FenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fence", abstract: "Electronic fences: import definitions, list them, replay trajectories through the rules.",
        subcommands: [FenceImportCommand.self, FenceListCommand.self, FenceReplayCommand.self])
}

/// Fences from a GeoJSON file (a FeatureCollection or one Feature).
private func readFences(_ path: String) throws -> [Fence] {
    let features = try GeoJSON.decodeFeatures(Array(try Data(contentsOf: URL(fileURLWithPath: path)))).features
    return try features.enumerated().map { k, feature in
        do {
            return try Fence(feature: feature)
        } catch let error as GeoError {
            throw GeoError(code: error.code, message: "\(path) feature \(k): \(error.message)", location: "features[\(k)].\(error.location ?? "")")
        }
    }
}

struct FenceImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Store fences from GeoJSON Features (properties: id, role, corridorWidthMetres, radiusMetres, speedLimitKmh, schedule, appliesTo).")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "GeoJSON file.") var file: String

    func run() async throws {
        let fences = try readFences(file)
        let store = try await database.open()
        let persistence = FencePersistence(store)
        var created = 0
        var replaced = 0
        for var fence in fences {
            // A fence imported again is a new version of it.
            if let old = try await persistence.fence(id: fence.id) {
                fence.version = old.version + 1
                replaced += 1
            } else {
                fence.version = 1
                created += 1
            }
            try await persistence.save(fence)
        }
        await recordCommandLineWrite(store, command: "citygeo fence import", detail: "\(created) fences created, \(replaced) replaced")
        print("\(created) fences created, \(replaced) replaced in \(database.database)")
    }
}

struct FenceListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The stored fences.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "table or geojson.") var format = "table"

    func run() async throws {
        let fences = try await FencePersistence(try await database.open()).fences()
        if format == "geojson" {
            print(try GeoJSON.encode(FeatureCollection(fences.map(\.feature))))
            return
        }
        print(TextTable.render(
            header: ["id", "name", "kind", "role", "version", "applies_to"],
            rows: fences.map { f in
                let who = f.appliesTo.isAll ? "all" : (f.appliesTo.vehicles + f.appliesTo.groups.map { "group:\($0)" } + f.appliesTo.classes.map { "class:\($0)" }).joined(separator: " ")
                return [f.id, f.name, f.kind.rawValue, f.role?.rawValue ?? "", String(f.version), who]
            }))
    }
}

struct FenceReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a trajectory CSV (vehicle_id, time, lon, lat[, speed_kmh, heading]) through the fence rules and print the events.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Trajectory CSV.") var trajectory: String
    @Option(help: "Fences from this GeoJSON file instead of the database.") var fences: String?
    @Option(help: "Vehicle registry CSV (id, class[, group]); ids not in it are reported as unknown.") var vehicles: String?
    @Option(help: "Hysteresis band in metres.") var hysteresisMetres = 10.0
    @Option(help: "Hysteresis time in seconds.") var hysteresisSeconds = 30.0
    @Option(help: "Fixes are reordered within this many seconds.") var reorderSeconds = 30.0
    @Option(help: "Over-speed must last this many seconds.") var overSpeedSeconds = 30.0
    @Option(help: "A stop this long outside disposal sites is suspected dumping (seconds).") var dumpingSeconds = 600.0
    @Option(help: "table, csv or json.") var format = "table"
    @Flag(help: "Also store the events in the database.") var save = false

    func run() async throws {
        let definitions: [Fence] =
            if let fences { try readFences(fences) } else { try await FencePersistence(try await database.open()).fences() }
        var registry: VehicleRegistry?
        if let vehicles {
            let rows = try CSVReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: vehicles)))).dropFirst()
            registry = VehicleRegistry(rows.compactMap { row in
                let cells = row.fields.map { $0.trimmingCharacters(in: .whitespaces) }
                guard cells.count >= 2, !cells[0].isEmpty else { return nil }
                return Vehicle(id: cells[0], vehicleClass: cells[1], group: cells.count > 2 && !cells[2].isEmpty ? cells[2] : nil)
            })
        }
        let positions = try TrackParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: trajectory))))
        let settings = FenceRuleSettings(
            hysteresisMetres: hysteresisMetres, hysteresisSeconds: hysteresisSeconds, reorderWindowSeconds: reorderSeconds,
            overSpeedSeconds: overSpeedSeconds, dumpingStopSeconds: dumpingSeconds)
        var evaluator = FenceEvaluator(fences: definitions, registry: registry, settings: settings)
        var emitted = evaluator.ingest(positions)
        emitted += evaluator.flush()
        // The last snapshot of each event: closed ones, and those still open at the end of the trajectory.
        var last: [String: FenceEvent] = [:]
        for e in emitted { last[e.id] = e }
        let events = last.values.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        if save { try await FencePersistence(try await database.open()).save(events) }

        let counters = evaluator.state.counters
        switch format {
        case "json":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(events), as: UTF8.self))
        case "csv":
            print("id,kind,vehicle_id,fence_id,start,end,dwell_s,max_speed_kmh,max_distance_m")
            for e in events { print(Self.row(e).joined(separator: ",")) }
        default:
            print(TextTable.render(
                header: ["kind", "vehicle", "fence", "start", "end", "dwell_s", "max_kmh", "max_m"],
                rows: events.map { Array(Self.row($0).dropFirst()) }))
            print("\n\(positions.count) fixes: \(counters.accepted) evaluated, \(counters.duplicates) duplicates, \(counters.late) late, \(counters.jumps) GPS jumps, \(counters.invalid) invalid; \(events.count) events")
        }
    }

    static func row(_ e: FenceEvent) -> [String] {
        func number(_ d: Double?) -> String { d.map { String(format: "%.1f", $0) } ?? "" }
        return [
            e.id, e.kind.rawValue, e.vehicleId, e.fenceId ?? "", TimeText.format(e.start), e.end.map { TimeText.format($0) } ?? "open",
            number(e.dwellSeconds), number(e.maxSpeedKmh), number(e.maxDistanceMetres),
        ]
    }
}
