// Spatial analysis and routing benchmark (issue 20), release build, one core. On a demo city (scale 13: >50,000
// unit grids, 633 roads):
//  1. coverage: FACILITIES seeded positions inside unit grids, RADIUS metres; ServiceCoverage over every unit grid
//     by area (build + cover, best of three); facilities and shares written for shapely (peers.py);
//  2. routing: RoadRouter on the roads (a seeded 10 % made one-way), PAIRS random node pairs by distance and by
//     time (node to node, the figure pgRouting's pgr_dijkstra answers) and the same number of snapped point-to-point
//     routes; p50/p95; the edges (with their lon/lat geometry) and the pairs with our costs written for pgRouting;
//  3. hot spots: CASES seeded cases (a third in three clusters), counts per unit grid, Gi* with a 271.3 m distance
//     band and with the 8 nearest over the grids' centroids (weights + statistic, best of three); centroids, counts
//     and both answers written for PySAL.
// Usage: bench-analysis CITY_DIR OUT_DIR [FACILITIES] [RADIUS] [PAIRS] [CASES]     Prints JSON lines.
import Foundation
import GeoAnalysis
import GeoCore
import GeoTrajectories

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    FileHandle.standardError.write(Data("usage: bench-analysis CITY_DIR OUT_DIR [FACILITIES] [RADIUS] [PAIRS] [CASES]\n".utf8))
    exit(2)
}
func number(_ k: Int, _ fallback: Double) -> Double { arguments.count > k ? Double(arguments[k]) ?? fallback : fallback }
let facilityCount = Int(number(3, 1_000)), radius = number(4, 500), pairCount = Int(number(5, 1_000)), caseCount = Int(number(6, 200_000))
let city = URL(fileURLWithPath: arguments[1])
let out = URL(fileURLWithPath: arguments[2])
try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
func json(_ object: [String: Any]) -> String {
    String(data: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), encoding: .utf8)!
}
func features(_ path: String) throws -> [Feature] {
    try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: city.appendingPathComponent(path)))).features
}
func write(_ rows: [[String]], _ name: String) throws {
    try Data(CSVWriter.encode(rows)).write(to: out.appendingPathComponent(name))
}
func percentile(_ sorted: [Double], _ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
var random = SeededGenerator(seed: 20)

// 1. Coverage.
let grids = try features("GridData/unit_grids.geojson")
let interior = grids.compactMap { $0.geometry.flatMap(Planar.interiorPoint(of:)) }
let facilities = (0..<facilityCount).map { _ in interior[Int.random(in: 0..<interior.count, using: &random)] }
let bounds = BoundingBox(coordinates: interior)!
var best = Double.infinity
var rows: [ServiceCoverage.Target] = []
for _ in 0..<3 {
    let start = DispatchTime.now()
    let coverage = try ServiceCoverage(facilities: facilities, radiusMetres: radius, around: bounds)
    rows = try coverage.cover(grids, weight: .area)
    best = min(best, seconds(since: start))
}
let covered = rows.reduce(0) { $0 + $1.coveredWeight }, total = rows.reduce(0) { $0 + $1.weight }
try write([["lon", "lat"]] + facilities.map { [String($0.x), String($0.y)] }, "facilities.csv")
try write([["grid", "share"]] + rows.map { [String($0.index), String($0.share)] }, "coverage_shares.csv")
print(json([
    "engine": "citygeo", "task": "coverage", "facilities": facilityCount, "grids": grids.count, "radius_m": radius,
    "seconds": (best * 1000).rounded() / 1000, "covered_share": (covered / total * 1e6).rounded() / 1e6,
    "partial_grids": rows.filter { $0.share > 0 && $0.share < 1 }.count,
]))

// 2. Routing.
var roads = try features("AddressBooks/roads.geojson")
for k in roads.indices where Double.random(in: 0..<1, using: &random) < 0.1 { roads[k].properties["oneway"] = "yes" }
let buildStart = DispatchTime.now()
let router = RoadRouter(roads: roads)
let buildSeconds = seconds(since: buildStart)
let network = router.network
// The largest strongly reachable part would be fairer to pgRouting's "no path" answers; random pairs of the whole
// graph are kept, and unreachable pairs count on both sides.
let pairs = (0..<pairCount).map { _ in (Int.random(in: 0..<network.nodes.count, using: &random), Int.random(in: 0..<network.nodes.count, using: &random)) }
var lines: [[String]] = [["pair", "source", "target", "distance_m", "time_s"]]
var timings: [String: [Double]] = ["distance": [], "time": []]
for (k, (s, t)) in pairs.enumerated() {
    var answers: [String] = []
    for cost in [RoadRouter.Cost.distance, .time] {
        let start = DispatchTime.now()
        let answer = router.cost(fromNode: s, toNode: t, by: cost)
        timings[cost.rawValue]!.append(seconds(since: start) * 1000)
        answers.append(answer.map { String($0.cost) } ?? "")
    }
    lines.append([String(k), String(s), String(t)] + answers)
}
try write(lines, "route_pairs.csv")
var edges: [[String]] = [["id", "source", "target", "direction", "speed_kmh", "length_m", "wkt"]]
for (e, edge) in network.edges.enumerated() {
    let wkt = "LINESTRING(" + edge.path.map { let c = network.frame.unproject($0); return "\(c.x) \(c.y)" }.joined(separator: ",") + ")"
    edges.append([String(e), String(edge.from), String(edge.to), edge.direction.rawValue, String(edge.speed), String(router.edgeMetres[e]), wkt])
}
try write(edges, "route_edges.csv")
// Point to point, as /v1/route answers: random points in the city snapped within 500 m.
var pointTimings: [Double] = []
var snappedPairs = 0
for _ in 0..<pairCount {
    let a = interior[Int.random(in: 0..<interior.count, using: &random)], b = interior[Int.random(in: 0..<interior.count, using: &random)]
    let start = DispatchTime.now()
    if let from = router.snap(a, within: 500), let to = router.snap(b, within: 500) {
        _ = router.route(from: from, to: to, by: .time)
        snappedPairs += 1
    }
    pointTimings.append(seconds(since: start) * 1000)
}
for (name, values) in timings.map({ ($0.key, $0.value.sorted()) }).sorted(by: { $0.0 < $1.0 }) + [("points_time", pointTimings.sorted())] {
    print(json([
        "engine": "citygeo", "task": "route_\(name)", "nodes": network.nodes.count, "edges": network.edges.count, "pairs": values.count,
        "build_s": (buildSeconds * 1000).rounded() / 1000, "p50_ms": (percentile(values, 0.5) * 1000).rounded() / 1000,
        "p95_ms": (percentile(values, 0.95) * 1000).rounded() / 1000, "max_ms": ((values.last ?? 0) * 1000).rounded() / 1000,
    ]))
}

// 3. Hot spots: Gi* over unit grids.
let units = HotSpotUnits(polygonFeatures: grids)
let unitBox = BoundingBox(coordinates: units.centroids)!
let centres = (0..<3).map { _ in units.centroids[Int.random(in: 0..<units.count, using: &random)] }
let cases = (0..<caseCount).map { k -> Coordinate in
    if k % 3 == 0 {
        let c = centres[k % 9 / 3]
        let angle = Double.random(in: 0..<(2 * .pi), using: &random), distance = abs(Double.random(in: -1...1, using: &random)) * 800
        return units.frame.unproject(Coordinate(x: c.x + distance * cos(angle), y: c.y + distance * sin(angle)))
    }
    return units.frame.unproject(
        Coordinate(x: Double.random(in: unitBox.minX...unitBox.maxX, using: &random), y: Double.random(in: unitBox.minY...unitBox.maxY, using: &random)))
}
let counts = units.counts(of: cases)
best = .infinity
var results: [GetisOrd.Result] = []
var neighbourCount = 0
for _ in 0..<3 {
    let start = DispatchTime.now()
    let weights = try SpatialWeights.distanceBand(units.centroids, threshold: 271.3)
    results = try GetisOrd.giStar(counts, weights: weights)
    best = min(best, seconds(since: start))
    neighbourCount = weights.neighbours.reduce(0) { $0 + $1.count }
}
print(json([
    "engine": "citygeo", "task": "gistar", "units": units.count, "cases": caseCount, "band_m": 271.3, "neighbours": neighbourCount,
    "seconds": (best * 1000).rounded() / 1000, "hot_99": results.filter { $0.confidenceBin == 3 }.count,
]))
// The same with the 8 nearest neighbours (no unit's 8th and 9th nearest are tied on these centroids).
best = .infinity
var nearestResults: [GetisOrd.Result] = []
for _ in 0..<3 {
    let start = DispatchTime.now()
    nearestResults = try GetisOrd.giStar(counts, weights: try SpatialWeights.kNearest(units.centroids, k: 8))
    best = min(best, seconds(since: start))
}
try write([["x", "y", "count", "z", "p", "z_knn", "p_knn"]] + units.centroids.indices.map { k in
    [String(units.centroids[k].x), String(units.centroids[k].y), String(counts[k])]
        + [results[k], nearestResults[k]].flatMap { [$0.z.map { String($0) } ?? "", $0.p.map { String($0) } ?? ""] }
}, "gistar_units.csv")
print(json([
    "engine": "citygeo", "task": "gistar_knn", "units": units.count, "cases": caseCount, "k": 8,
    "seconds": (best * 1000).rounded() / 1000, "hot_99": nearestResults.filter { $0.confidenceBin == 3 }.count,
]))
