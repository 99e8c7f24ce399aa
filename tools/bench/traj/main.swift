// Trajectory benchmark (issue 7), release build, one core:
//  1. stop detection and mileage: VEHICLES generated vehicle days on the demo roads, cleaned, then
//     StopTripDetector.stops + trips and the geodesic length per vehicle, points/s (best of three); the cleaned
//     fixes are written to OUT_DIR/cleaned.csv for MovingPandas (peers.py) to run the same analysis;
//  2. who passed here over a month: FLEET vehicles, each working SHIFTS generated rounds a day (half an hour
//     apart; four rounds make a working day of about 8 h at 10 s sampling) and repeating that day for DAYS days (sanitation routes repeat),
//     indexed in a PassageIndex; QUERIES random 300 m road sections within 30 m over
//     random 1-7 day windows; build time, p50/p95/max latency.
// Usage: bench-traj ROADS.geojson OUT_DIR [VEHICLES] [FLEET] [DAYS] [QUERIES] [SHIFTS]     Prints JSON lines.
import DemoCity
import Foundation
import GeoCore
import GeoTrajectories

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: bench-traj ROADS.geojson OUT_DIR [VEHICLES] [FLEET] [DAYS] [QUERIES]\n".utf8))
    exit(2)
}
func number(_ k: Int, _ fallback: Int) -> Int { arguments.count > k ? Int(arguments[k]) ?? fallback : fallback }
let vehicles = number(3, 100), fleet = number(4, 500), days = number(5, 30), queryCount = number(6, 200), shifts = number(7, 4)
let out = URL(fileURLWithPath: arguments[2])
try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
func json(_ object: [String: Any]) -> String {
    String(data: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), encoding: .utf8)!
}

let roads = try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1])))).features
let network = RoadNetwork(features: roads)
let generator = VehicleDayGenerator(network: network)
let day0 = 1_795_392_000.0  // 2026-11-22T16:00Z = 2026-11-23 00:00 in UTC+8
let cleaner = TrackCleaner()

// 1. Stop detection and mileage.
let generationStart = DispatchTime.now()
let days1 = (0..<max(vehicles, fleet)).map { k in generator.generate(vehicle: String(format: "V%04d", k), seed: UInt64(k + 1), start: day0 + 6 * 3600) }
let generationSeconds = seconds(since: generationStart)
let cleaned = days1.prefix(vehicles).map { cleaner.clean($0.points).points }
let pointCount = cleaned.reduce(0) { $0 + $1.count }
var rows = [["vehicle", "t", "lon", "lat"]]
for track in cleaned { for p in track { rows.append([p.vehicle, String(p.time), String(p.longitude), String(p.latitude)]) } }
try Data(CSVWriter.encode(rows)).write(to: out.appendingPathComponent("cleaned.csv"))
let detector = StopTripDetector()
var best = Double.infinity
var stopCount = 0, tripCount = 0, metres = 0.0
for _ in 0..<3 {
    let start = DispatchTime.now()
    var stops = 0, trips = 0, length = 0.0
    for track in cleaned {
        let found = detector.stops(in: track)
        stops += found.count
        trips += detector.trips(in: track, stops: found).count
        length += TrackMeasures.length(track)
    }
    best = min(best, seconds(since: start))
    (stopCount, tripCount, metres) = (stops, trips, length)
}
let truthStops = days1.prefix(vehicles).reduce(0) { $0 + $1.truth.stops.count }
print(json([
    "engine": "citygeo", "task": "stops_mileage", "vehicles": vehicles, "points": pointCount, "points_per_s": Int(Double(pointCount) / best),
    "stops": stopCount, "truth_stops": truthStops, "trips": tripCount, "km": (metres / 100).rounded() / 10,
    "generated_vehicle_days_per_s": Int(Double(days1.count) / generationSeconds),
]))

// 2. Who passed here over DAYS days of FLEET vehicles.
// Each round starts half an hour after the previous one ended, so one vehicle's rounds never overlap.
let fleetDays = (0..<fleet).map { k -> [TrackPoint] in
    var track = cleaner.clean(days1[k].points).points
    for s in 1..<max(shifts, 1) {
        let start = (track.last?.time ?? day0 + 6 * 3600) + 1_800
        let day = generator.generate(vehicle: String(format: "V%04d", k), seed: UInt64(1_000_000 + k * 16 + s), start: start)
        track += cleaner.clean(day.points).points
    }
    return track
}
var month: [TrackPoint] = []
month.reserveCapacity(fleetDays.reduce(0) { $0 + $1.count } * days)
for d in 0..<days {
    let shift = Double(d) * 86_400
    for track in fleetDays { for p in track { var q = p; q.time += shift; month.append(q) } }
}
let buildStart = DispatchTime.now()
let index = PassageIndex(points: month)
let buildSeconds = seconds(since: buildStart)
var rng = SeededGenerator(seed: 99)
let long = roads.compactMap { f -> [Coordinate]? in
    guard case .lineString(let l)? = f.geometry, l.coordinates.count >= 2 else { return nil }
    return l.coordinates
}
// The fleet's day (the month repeats it) and the queries with CityGeo's answers, for the PostGIS peer.
var fleetRows = [["vehicle", "t", "lon", "lat"]]
for track in fleetDays { for p in track { fleetRows.append([p.vehicle, String(p.time), String(p.longitude), String(p.latitude)]) } }
try Data(CSVWriter.encode(fleetRows)).write(to: out.appendingPathComponent("fleet_day.csv"))
var queryRows = [["wkt", "from", "to", "vehicles"]]
var latencies: [Double] = []
var found = 0
for _ in 0..<queryCount {
    // A ~300 m piece of a random road, as a line within 30 m.
    let line = rng.pick(long)!
    let a = line[0], b = line[line.count - 1]
    let length = Geodesic.distance(from: a, to: b)
    let t0 = rng.uniform(0...max(0, 1 - 300 / max(length, 300)))
    let t1 = min(1, t0 + 300 / max(length, 300))
    let section = LineString([Coordinate(x: a.x + (b.x - a.x) * t0, y: a.y + (b.y - a.y) * t0), Coordinate(x: a.x + (b.x - a.x) * t1, y: a.y + (b.y - a.y) * t1)])
    let from = day0 + Double(rng.int(in: 0...(days - 1))) * 86_400
    let to = from + Double(rng.int(in: 1...7)) * 86_400
    let start = DispatchTime.now()
    let passages = index.passages(.line(section, radius: 30), from: from, to: to)
    latencies.append(seconds(since: start) * 1000)
    found += passages.count
    let wkt = "LINESTRING(" + section.coordinates.map { "\($0.x) \($0.y)" }.joined(separator: ",") + ")"
    queryRows.append([wkt, String(from), String(to), passages.map(\.vehicle).joined(separator: ";")])
}
try Data(CSVWriter.encode(queryRows)).write(to: out.appendingPathComponent("queries.csv"))
latencies.sort()
@MainActor func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
print(json([
    "engine": "citygeo", "task": "who_passed", "vehicles": fleet, "days": days, "points": month.count, "index_cells": index.cellCount,
    "build_s": (buildSeconds * 10).rounded() / 10, "queries": queryCount, "mean_vehicles_found": Double(found) / Double(queryCount),
    "p50_ms": (percentile(0.5) * 100).rounded() / 100, "p95_ms": (percentile(0.95) * 100).rounded() / 100,
    "max_ms": ((latencies.last ?? 0) * 100).rounded() / 100,
]))
