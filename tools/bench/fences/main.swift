// Fence-check benchmark: FenceIndex queries and FenceEvaluator throughput on one core, against a plain scan of
// every fence (the peer: what a naive per-fence test costs) on the same positions in the same run.
// Usage: bench-fences [FENCES] [POSITIONS] [OUT_DIR]   (defaults 10000 and 1000000)
// With OUT_DIR, also writes the fences for the peers (fences.csv: kind, WKT in the local metric frame, the
// distance that counts as inside: 0 for areas, half the width for corridors, the radius for points;
// fences.geojson for the HTTP test) and the positions (positions.bin: float64 x, y in the frame), and counts the
// positions' "inside" hits, which the peers must reproduce.
// Synthetic city 50 km square around the demo city: 70 % polygon fences (12-gons, 50-400 m across, a third
// forbidden zones), 20 % corridors (10 segments, 30 m wide), 10 % collection points; positions uniform over the
// city. Prints one JSON line.
import Foundation
import GeoCore
import GeoFences

let arguments = CommandLine.arguments
let fenceCount = arguments.count > 1 ? Int(arguments[1]) ?? 10_000 : 10_000
let positionCount = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000

var random = SeededGenerator(seed: 2026)
let frame = LocalFrame(origin: Coordinate(x: 120.46, y: 33.20))
func ll(_ x: Double, _ y: Double) -> Coordinate {
    Coordinate(x: frame.origin.x + x / frame.metresPerDegreeX, y: frame.origin.y + y / frame.metresPerDegreeY)
}
let half = 25_000.0
var fences: [Fence] = []
for i in 0..<fenceCount {
    let cx = random.uniform(-half...half), cy = random.uniform(-half...half)
    let roll = random.nextUnit()
    if roll < 0.7 {
        let r = random.uniform(25...200)
        var ring = (0..<12).map { k -> Coordinate in
            let a = Double(k) / 12 * 2 * .pi
            let rr = r * random.uniform(0.7...1.0)
            return ll(cx + rr * cos(a), cy + rr * sin(a))
        }
        ring.append(ring[0])
        let role: FenceRole = i % 3 == 0 ? .forbiddenZone : (i % 3 == 1 ? .allowedArea : .disposalSite)
        fences.append(Fence(id: "f\(i)", kind: .area, role: role, polygons: [[ring]], speedLimitKmh: 40))
    } else if roll < 0.9 {
        var x = cx, y = cy
        var line = [ll(x, y)]
        for _ in 0..<10 {
            x += random.uniform(-300...300)
            y += random.uniform(-300...300)
            line.append(ll(x, y))
        }
        fences.append(Fence(id: "f\(i)", kind: .corridor, line: line, corridorWidthMetres: 30))
    } else {
        fences.append(Fence(id: "f\(i)", kind: .collectionPoint, center: ll(cx, cy), radiusMetres: 30))
    }
}
let positions = (0..<positionCount).map { _ in ll(random.uniform(-half...half), random.uniform(-half...half)) }

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now()
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

var index: FenceIndex?
let buildSeconds = seconds { index = FenceIndex(fences, reach: 20, frame: frame) }
let fenceIndex = index!

// Index queries: best of three.
var best = Double.infinity
var hitCount = 0
var scratch = fenceIndex.makeScratch()
var hits: [FenceHit] = []
for _ in 0..<3 {
    var count = 0
    let s = seconds {
        for p in positions {
            fenceIndex.query(p, into: &hits, scratch: &scratch)
            count &+= hits.count
        }
    }
    best = min(best, s)
    hitCount = count
}

// The peer: a plain scan testing every fence's geometry for each position (on a sample; it is slow).
func naiveOutsideBy(_ fence: Fence, _ c: Coordinate) -> Double {
    let p = frame.project(c)
    func segment(_ a: Coordinate, _ b: Coordinate) -> Double {
        let pa = frame.project(a), pb = frame.project(b)
        let dx = pb.x - pa.x, dy = pb.y - pa.y
        let l2 = dx * dx + dy * dy
        let t = l2 > 0 ? min(1, max(0, ((p.x - pa.x) * dx + (p.y - pa.y) * dy) / l2)) : 0
        let ex = pa.x + t * dx - p.x, ey = pa.y + t * dy - p.y
        return (ex * ex + ey * ey).squareRoot()
    }
    switch fence.kind {
    case .area:
        let ring = fence.polygons[0][0]
        var inside = false
        var best = Double.infinity
        for k in 1..<ring.count {
            let a = ring[k - 1], b = ring[k]
            if (a.y > c.y) != (b.y > c.y), c.x < (b.x - a.x) * (c.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            best = min(best, segment(a, b))
        }
        return inside ? -best : best
    case .corridor:
        var best = Double.infinity
        for k in 1..<fence.line.count { best = min(best, segment(fence.line[k - 1], fence.line[k])) }
        return best - fence.corridorWidthMetres / 2
    case .collectionPoint:
        return frame.distance(fence.center!, c) - fence.radiusMetres
    }
}
let scanSample = min(positionCount, 2_000)
var scanHits = 0
let scanSeconds = seconds {
    for p in positions.prefix(scanSample) {
        for fence in fences where naiveOutsideBy(fence, p) < 20 { scanHits += 1 }
    }
}
var sampleHits = 0
for p in positions.prefix(scanSample) {
    fenceIndex.query(p, into: &hits, scratch: &scratch)
    sampleHits += hits.count
}

// The evaluator: 1,000 vehicles, each fix 10 s after its last, drifting 50 m; positions released in order.
let vehicles = 1_000
var evaluator = FenceEvaluator(
    index: fenceIndex, registry: VehicleRegistry((0..<vehicles).map { Vehicle(id: "v\($0)", vehicleClass: "muck") }),
    settings: FenceRuleSettings(reorderWindowSeconds: 0))
var eventCount = 0
var walkers = (0..<vehicles).map { _ in (random.uniform(-half...half), random.uniform(-half...half)) }
let fixes = min(positionCount, 500_000)
var stream: [TrackPoint] = []
stream.reserveCapacity(fixes)
for k in 0..<fixes {
    let v = k % vehicles
    walkers[v].0 += random.uniform(-50...50)
    walkers[v].1 += random.uniform(-50...50)
    stream.append(
        TrackPoint(vehicle: "v\(v)", time: Double(k / vehicles) * 10, coordinate: ll(walkers[v].0, walkers[v].1), speed: 18))
}
let evaluatorSeconds = seconds {
    for p in stream { eventCount += evaluator.ingest(p).count }
}

var insideHits = 0
if arguments.count > 3 {
    let out = URL(fileURLWithPath: arguments[3])
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    func wktPoint(_ c: Coordinate) -> String { let p = frame.project(c); return "\(p.x) \(p.y)" }
    var rows = [["kind", "wkt", "inside_distance"]]
    for fence in fences {
        switch fence.kind {
        case .area: rows.append(["area", "POLYGON((" + fence.polygons[0][0].map(wktPoint).joined(separator: ",") + "))", "0"])
        case .corridor: rows.append(["corridor", "LINESTRING(" + fence.line.map(wktPoint).joined(separator: ",") + ")", String(fence.corridorWidthMetres / 2)])
        case .collectionPoint: rows.append(["point", "POINT(" + wktPoint(fence.center!) + ")", String(fence.radiusMetres)])
        }
    }
    try Data(CSVWriter.encode(rows)).write(to: out.appendingPathComponent("fences.csv"))
    try Data(try GeoJSON.encodeBytes(FeatureCollection(fences.map(\.feature)))).write(to: out.appendingPathComponent("fences.geojson"))
    var raw = Data(capacity: positions.count * 16)
    for c in positions {
        let p = frame.project(c)
        withUnsafeBytes(of: p.x.bitPattern.littleEndian) { raw.append(contentsOf: $0) }
        withUnsafeBytes(of: p.y.bitPattern.littleEndian) { raw.append(contentsOf: $0) }
    }
    try raw.write(to: out.appendingPathComponent("positions.bin"))
    for p in positions {
        fenceIndex.query(p, into: &hits, scratch: &scratch)
        insideHits += hits.filter(\.inside).count
    }
}

let queriesPerSecond = Double(positionCount) / best
let scanPerSecond = Double(scanSample) / scanSeconds
print(
    """
    {"fences":\(fenceCount),"positions":\(positionCount),"build_s":\(String(format: "%.3f", buildSeconds)),\
    "index_checks_per_s":\(Int(queriesPerSecond)),"hits":\(hitCount),\
    "scan_checks_per_s":\(Int(scanPerSecond)),"index_vs_scan":\(String(format: "%.0f", queriesPerSecond / scanPerSecond)),\
    "sample_hits_index":\(sampleHits),"sample_hits_scan":\(scanHits),\
    "evaluator_fixes_per_s":\(Int(Double(fixes) / evaluatorSeconds)),"evaluator_events":\(eventCount),"inside_hits":\(insideHits)}
    """)
