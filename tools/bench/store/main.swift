// Store benchmark (issue 18), release build: the same store workloads on SpatiaLite and on PostGIS, through the
// one seam (CityStore), one after the other on the same machine:
//  1. import: the unit grids of UNIT_GRIDS.geojson (the scale-13 demo city: 51,419 polygons) imported as a new
//     layer, best of three, features/s;
//  2. tracks: the fleet day of run-traj.sh (TRAJ_DIR/fleet_day.csv, 500 vehicles) repeated over DAYS days (a month:
//     28.8 million fixes), inserted in 100,000-fix transactions, fixes/s;
//  3. who passed here: the 200 queries of run-traj.sh (TRAJ_DIR/queries.csv: a 300 m road section within 30 m,
//     windows of 1-7 days) answered from the store's cell index (trackPoints(inCells:from:to:), the candidate step
//     of GeoTrajectories' passages over a store), p50/p95/max ms, and whether every vehicle the exact in-memory
//     answer found is among the candidates.
// Usage: bench-store UNIT_GRIDS.geojson TRAJ_DIR POSTGRES_URL [DAYS] [WORK_DIR]     Prints JSON lines.
import Foundation
import GeoCore
import GeoStore
import GeoStorePostGIS

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: bench-store UNIT_GRIDS.geojson TRAJ_DIR POSTGRES_URL [DAYS] [WORK_DIR]\n".utf8))
    exit(2)
}
let days = arguments.count > 4 ? Int(arguments[4]) ?? 30 : 30
let work = arguments.count > 5 ? arguments[5] : NSTemporaryDirectory()
let trajectories = URL(fileURLWithPath: arguments[2])

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
func json(_ object: [String: Any]) -> String {
    String(data: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), encoding: .utf8)!
}
func rounded(_ value: Double, _ digits: Double = 100) -> Double { (value * digits).rounded() / digits }

let grids = try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: URL(fileURLWithPath: arguments[1])))).features
let fleetRecords = try CSVReader.read(Array(try Data(contentsOf: trajectories.appendingPathComponent("fleet_day.csv"))))
let fleetDay = fleetRecords.dropFirst().map { r in
    TrackPoint(vehicle: r.fields[0], time: Double(r.fields[1])!, longitude: Double(r.fields[2])!, latitude: Double(r.fields[3])!)
}
struct Query {
    var area: BoundingBox
    var from: Double
    var to: Double
    var vehicles: Set<String>
}
let queries = try CSVReader.read(Array(try Data(contentsOf: trajectories.appendingPathComponent("queries.csv")))).dropFirst().map { r in
    let section = try WKT.decode(r.fields[0])
    let box = section.boundingBox!
    return Query(
        area: LocalFrame(origin: box.center).expand(box, byMetres: 30), from: Double(r.fields[1])!, to: Double(r.fields[2])!,
        vehicles: Set(r.fields[3].split(separator: ";").map(String.init)))
}

func run(_ backend: String, _ store: any CityStore) async throws {
    // 1. Import, best of three (replace: each run builds the table and its index anew).
    var best = Double.infinity
    for round in 0..<3 {
        let start = ContinuousClock.now
        _ = try await store.importLayer(
            name: "unit_grids", features: grids, options: ImportOptions(mode: round == 0 ? .failIfExists : .replace), progress: nil)
        best = min(best, seconds(since: start))
    }
    print(json([
        "backend": backend, "task": "import", "features": grids.count, "features_per_s": Int(Double(grids.count) / best),
        "seconds": rounded(best),
    ]))

    // 2. A month of fixes.
    var inserted = 0
    let insertStart = ContinuousClock.now
    for day in 0..<days {
        let shift = Double(day) * 86_400
        let points = fleetDay.map { p in var q = p; q.time += shift; return q }
        inserted += try await store.insertTrackPoints(points, batchSize: 100_000).inserted
    }
    let insertSeconds = seconds(since: insertStart)
    print(json([
        "backend": backend, "task": "insert_tracks", "points": inserted, "points_per_s": Int(Double(inserted) / insertSeconds),
        "seconds": rounded(insertSeconds, 10),
    ]))

    // 3. Who passed here, from the cell index.
    var latencies: [Double] = []
    var complete = 0, candidates = 0
    for query in queries {
        let start = ContinuousClock.now
        let points = try await store.trackPoints(inCells: TrackCell.cells(covering: query.area), from: query.from, to: query.to)
        let vehicles = Set(points.map(\.vehicle))
        latencies.append(seconds(since: start) * 1000)
        candidates += vehicles.count
        if query.vehicles.isSubset(of: vehicles) { complete += 1 }
    }
    latencies.sort()
    func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    print(json([
        "backend": backend, "task": "who_passed", "points": inserted, "queries": queries.count,
        "p50_ms": rounded(percentile(0.5)), "p95_ms": rounded(percentile(0.95)), "max_ms": rounded(latencies.last ?? 0),
        "mean_candidates": rounded(Double(candidates) / Double(max(1, queries.count)), 10), "queries_with_every_passage": complete,
    ]))
}

let spatialitePath = URL(fileURLWithPath: work).appendingPathComponent("bench-store-\(UUID().uuidString).sqlite").path
do {
    let spatial = try SpatialStore.open(spatialitePath)
    try await run("spatialite", spatial)
}
for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: spatialitePath + suffix) }
let postgis = try await PostGISStore.temporary(server: arguments[3])
try await run("postgis", postgis)
await postgis.close()
