import ArgumentParser
import DemoCity
import Foundation
import GeoCore
import GeoStore
import GeoTrajectories

/// `citygeo traj import|report|passed|generate`: vehicle tracks for trajectory analysts.
struct TrajectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traj", abstract: "Vehicle tracks: import fixes, daily reports, who passed a place, demo days.",
        subcommands: [
            TrajectoryImportCommand.self, TrajectoryReportCommand.self, TrajectoryPassedCommand.self, TrajectoryCompareCommand.self,
            TrajectoryCoverageCommand.self, TrajectoryGenerateCommand.self,
        ])
}

/// Times on the command line, in the forms of ``TimeText`` (no offset means +08:00).
private func time(_ text: String, _ option: String) throws -> Double {
    do { return try TimeText.seconds(text, field: "--\(option)") } catch { throw ValidationError(error.message) }
}

/// A time as people read it on a terminal: `2026-11-23 09:00:00` in China Standard Time.
private func local(_ t: Double) -> String {
    String(TimeText.format(t).prefix(19)).replacingOccurrences(of: "T", with: " ")
}

struct TrajectoryImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import fixes from CSV, NDJSON, a JSON array or GeoJSON into track_points (one transaction per 50,000 fixes; re-runnable).")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "Files of fixes.") var files: [String]
    @Option(help: "csv, ndjson, json or geojson (guessed from the content when absent).") var format: String?

    func run() async throws {
        let store = try await database.open()
        let chosen = try format.map { text -> TrackParser.Format in
            guard let f = TrackParser.Format(rawValue: text) else { throw ValidationError("--format must be csv, ndjson, json or geojson") }
            return f
        }
        for file in files {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            let points = try TrackParser.parse(bytes, format: chosen)
            // Batches of 50,000 fixes, one transaction each: a server reading the same file is never blocked long,
            // and a failed import can be re-run (stored fixes are skipped).
            let result = try await store.insertTrackPoints(points, batchSize: 50_000)
            await recordCommandLineWrite(store, command: "citygeo traj import", detail: "\(file): \(result.inserted) fixes stored")
            print("\(file): \(points.count) fixes, \(result.inserted) new, \(result.duplicates) already stored")
        }
    }
}

struct TrajectoryReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Trips (作业趟数), stops, mileage and speeds of vehicles on one day.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The day, YYYY-MM-DD (China Standard Time).") var day: String
    @Option(help: "Vehicles (all stored vehicles when absent).") var vehicle: [String] = []
    @Flag(help: "List each vehicle's trips and stops too.") var details = false

    func run() async throws {
        let store = try await database.open()
        guard let start = TimeText.startOfDay(day) else { throw ValidationError("--day must be YYYY-MM-DD") }
        let vehicles = vehicle.isEmpty ? try await store.trackVehicles().map(\.vehicle) : vehicle
        var rows: [[String]] = []
        var reports: [VehicleDayReport] = []
        for v in vehicles {
            let raw = try await store.trackPoints(vehicle: v, from: start, to: start + 86400 - 1e-6)
            guard !raw.isEmpty else { continue }
            let r = TrajectoryAnalyzer().report(vehicle: v, day: day, raw: raw)
            reports.append(r)
            rows.append([v, String(r.tripCount), String(r.stops.count), String(format: "%.2f", r.mileage / 1000),
                         String(format: "%.0f", r.movingSeconds / 60), String(format: "%.0f", r.stoppedSeconds / 60),
                         String(format: "%.1f", r.speed.mean), String(format: "%.1f", r.speed.p85),
                         "\(r.cleaning.jumps)/\(r.cleaning.duplicates)/\(r.cleaning.invalid)"])
        }
        print(TextTable.render(header: ["vehicle", "trips", "stops", "km", "moving min", "stopped min", "mean km/h", "p85 km/h", "jumps/dups/invalid"], rows: rows))
        guard details else { return }
        for r in reports {
            print("\n\(r.vehicle)")
            for s in r.stops { print("  stop  \(local(s.start)) – \(local(s.end))  \(Int(s.duration)) s  \(s.siteID ?? "")") }
            for t in r.trips { print("  trip  \(local(t.start)) – \(local(t.end))  \(String(format: "%.0f", t.distance)) m") }
        }
    }
}

struct TrajectoryPassedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passed", abstract: "Vehicles that passed a road section (WKT line), an area (WKT polygon) or a point between two times (违规反查).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "A WKT LINESTRING, POLYGON or POINT.") var wkt: String?
    @Option(help: "Longitude of a point (instead of --wkt).") var lon: Double?
    @Option(help: "Latitude of a point.") var lat: Double?
    @Option(help: "Metres from the line or point.") var radius = 30.0
    @Option(help: "Start of the window (ISO 8601 or epoch).") var from: String
    @Option(help: "End of the window.") var to: String

    func run() async throws {
        let area: PassageArea
        if let wkt {
            switch try WKT.decode(wkt) {
            case .lineString(let l): area = .line(l, radius: radius)
            case .polygon(let p): area = .polygon(p)
            case .point(let p): area = .point(p.coordinate, radius: radius)
            default: throw ValidationError("--wkt must be a LINESTRING, POLYGON or POINT")
            }
        } else if let lon, let lat {
            area = .point(Coordinate(x: lon, y: lat), radius: radius)
        } else {
            throw ValidationError("give --wkt or --lon and --lat")
        }
        let store = try await database.open()
        let passages = try await store.passages(area, from: try time(from, "from"), to: try time(to, "to"))
        print(TextTable.render(header: ["vehicle", "first", "last"], rows: passages.map { [$0.vehicle, local($0.firstTime), local($0.lastTime)] }))
    }
}

struct TrajectoryGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Write generated vehicle days on the demo roads as CSV (seeded; with jumps, duplicates and (0,0) fixes).")

    @Option(help: "Road centre lines (GeoJSON).") var roads = "AddressBooks/roads.geojson"
    @Option(help: "Number of vehicles.") var vehicles = 5
    @Option(help: "Seed.") var seed: UInt64 = 2026
    @Option(help: "Start of the day's first fix (ISO 8601).") var start = "2026-11-23T06:00:00+08:00"
    @Option(help: "Output CSV file.") var output: String

    func run() async throws {
        let features = try GeoJSON.decodeFeatureCollection(try Data(contentsOf: URL(fileURLWithPath: roads))).features
        let generator = VehicleDayGenerator(network: RoadNetwork(features: features))
        let t0 = try time(start, "start")
        var rows = [["vehicle", "time", "lon", "lat", "speed", "heading"]]
        for k in 0..<vehicles {
            let day = generator.generate(vehicle: "苏J\(String(format: "%05d", k + 1))", seed: seed &+ UInt64(k), start: t0 + Double(k) * 600)
            for p in day.points {
                rows.append([p.vehicle, String(Int(p.time.rounded())), String(format: "%.7f", p.longitude), String(format: "%.7f", p.latitude),
                             p.speed.map { String($0) } ?? "", p.heading.map { String(Int($0)) } ?? ""])
            }
            print("\(day.vehicle): \(day.points.count) fixes, \(day.truth.trips.count) trips, \(day.truth.stops.count) stops, \(String(format: "%.0f", day.truth.mileage)) m")
        }
        try Data(CSVWriter.encode(rows)).write(to: URL(fileURLWithPath: output))
    }
}

struct TrajectoryCompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Planned vs actual route (收运路线对比): coverage, off-corridor distance, Hausdorff, Fréchet.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "The vehicle.") var vehicle: String
    @Option(help: "The planned route as a WKT LINESTRING (lon lat).") var planned: String
    @Option(help: "Start of the window (ISO 8601 or epoch).") var from: String
    @Option(help: "End of the window.") var to: String
    @Option(help: "Half-width of the route's corridor, metres.") var corridor = 30.0

    func run() async throws {
        guard case .lineString(let route) = try WKT.decode(planned) else { throw ValidationError("--planned must be a LINESTRING") }
        let store = try await database.open()
        let fixes = TrackCleaner().clean(try await store.trackPoints(vehicle: vehicle, from: try time(from, "from"), to: try time(to, "to"))).points
        guard fixes.count >= 2 else { throw ValidationError("vehicle \(vehicle) has fewer than 2 fixes in the window") }
        let c = RouteComparison(planned: route, actual: fixes.map(\.coordinate), corridor: corridor)
        print(TextTable.render(header: ["measure", "value"], rows: [
            ["coverage", String(format: "%.1f %%", c.coverage * 100)], ["planned length", String(format: "%.0f m", c.plannedLength)],
            ["covered length", String(format: "%.0f m", c.coveredLength)], ["driven length", String(format: "%.0f m", c.actualLength)],
            ["off the corridor", String(format: "%.0f m", c.offCorridorLength)], ["Hausdorff", String(format: "%.1f m", c.hausdorff)],
            ["Fréchet", String(format: "%.1f m", c.frechet)],
        ]))
    }
}

struct TrajectoryCoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage", abstract: "How much of each road of a line layer the stored tracks covered in a window.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Line layer of roads.") var layer = "roads"
    @Option(help: "Start of the window (ISO 8601 or epoch).") var from: String
    @Option(help: "End of the window.") var to: String
    @Option(help: "Metres from a road's centre line that count as driving it.") var corridor = 20.0

    func run() async throws {
        let store = try await database.open()
        let start = try time(from, "from"), end = try time(to, "to")
        let (coverage, _, vehicles) = try await RoadCoverage.load(from: store, layer: layer, from: start, to: end, corridor: corridor)
        let rows = coverage.roads.sorted { $0.coverage > $1.coverage }.map {
            [$0.id, $0.name, String(format: "%.0f", $0.length), String(format: "%.1f %%", $0.coverage * 100), $0.vehicles.joined(separator: " ")]
        }
        print(TextTable.render(header: ["road", "name", "length m", "covered", "vehicles"], rows: rows))
        print(String(format: "%d vehicles covered %.1f %% of %d roads' length", vehicles, coverage.coverage * 100, coverage.roads.count))
    }
}
