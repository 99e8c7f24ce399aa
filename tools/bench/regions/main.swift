// Regions benchmark (issue 19), one core, release build; driven by tools/bench/run-regions.sh.
//
//   bench-regions families POINTS.bin FAMILY.geojson...
//     Locates every point of POINTS.bin (little-endian float64 lon, lat pairs, written by peers.py) in every family
//     at once with FamilyIndex (every polygon holding it, overlaps included), best of five runs; in turn with them,
//     the unit-grid lookup alone (PolygonIndex.locate over the first family) for the "speed of the unit-grid
//     lookup"; then each family alone (best of three) to tell where the time goes. One JSON line: points/s, hits per
//     family and a checksum (sum of the hit polygons' indices) the peers must reproduce. A family proven not to
//     overlap (FamilyIndex.overlapping false) answers with its first holder; its answers are checked first against
//     an index that reads every holder, over the points and the layer's vertices and edge middles. Last, the first
//     family against the unit-grid locate interleaved chunk by chunk (the median of the chunks' speed ratios).
//
//   bench-regions stats CITY_DIR CASES.csv OUT_DIR
//     Builds the region tree from CITY_DIR/GridData's region layers and the statistics index of CASES.csv (id, lon,
//     lat, category, time in epoch seconds), then times RegionStatistics.compute for the questions below (best of
//     five) and writes each answer as CSV into OUT_DIR for the peer to compare. One JSON line per question.
import Foundation
import GeoCore
import GeoGrids
import GeoStore

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

func seconds(since start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

func features(_ path: String) throws -> [Feature] {
    try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: URL(fileURLWithPath: path)))).features
}

func stored(_ features: [Feature]) -> [StoredFeature] {
    features.enumerated().map { StoredFeature(fid: Int64($0.offset + 1), feature: $0.element) }
}

func points(_ path: String) throws -> [Coordinate] {
    let raw = try Data(contentsOf: URL(fileURLWithPath: path))
    return raw.withUnsafeBytes { buffer in
        let doubles = buffer.bindMemory(to: Double.self)
        return (0..<(doubles.count / 2)).map {
            Coordinate(x: Double(bitPattern: doubles[2 * $0].bitPattern.littleEndian), y: Double(bitPattern: doubles[2 * $0 + 1].bitPattern.littleEndian))
        }
    }
}

func json(_ object: [String: JSONValue]) -> String { (try? JSON.encode(.object(object))) ?? "{}" }

// MARK: families

func benchFamilies(pointsPath: String, familyPaths: [String]) throws {
    let queries = try points(pointsPath)
    // The files are read first: the build time is the indexes' alone.
    let layers = try familyPaths.map { path in
        (name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, features: stored(try features(path)))
    }
    let buildStart = DispatchTime.now()
    var familyBuildSeconds: [Double] = []
    let families = layers.map { layer in
        let start = DispatchTime.now()
        let index = FamilyIndex(family: LookupFamily(layer: layer.name, kind: "other"), features: layer.features)
        familyBuildSeconds.append(seconds(since: start))
        return index
    }
    let buildSeconds = seconds(since: buildStart)
    // A family proven not to overlap answers with its first holder: every answer must be what reading the whole
    // bucket gives (an index built without the check), over the points and every vertex and edge middle of the
    // layer, an ulp either way too, where the crossing test's rounding decides.
    var verified = 0
    for (f, layer) in layers.enumerated() where !families[f].overlapping {
        let every = PolygonIndex(layer.features.map(\.feature.geometry))
        var probes = queries
        for ring in layer.features.flatMap({ $0.feature.geometry?.polygons.flatMap(\.rings) ?? [] }) {
            for (a, b) in zip(ring, ring.dropFirst()) {
                let middle = Coordinate(x: (a.x + b.x) / 2, y: (a.y + b.y) / 2)
                probes += [a, middle, Coordinate(x: middle.x.nextUp, y: middle.y), Coordinate(x: middle.x.nextDown, y: middle.y)]
            }
        }
        var first: [Int] = [], all: [Int] = []
        for p in probes {
            families[f].containing(p, into: &first)
            every.locateAll(p, into: &all)
            guard first == all else { fail("family \(layer.name) at \(p.x) \(p.y): first holder \(first), every holder \(all)") }
        }
        verified += probes.count
    }
    // The unit-grid lookup alone, on the first family's polygons (the unit grids), for comparison. It is timed in
    // turn with the families at once, round after round (best of five each), so that a busy moment of the machine
    // weighs on both alike.
    let unitGrids = PolygonIndex(layers[0].features.map(\.feature.geometry))
    var best = Double.infinity, unitBest = Double.infinity
    var hits = [Int](repeating: 0, count: families.count)
    var checksum = 0, located = 0
    var found: [Int] = []
    for _ in 0..<5 {
        var counts = [Int](repeating: 0, count: families.count)
        var sum = 0
        var start = DispatchTime.now()
        for point in queries {
            for f in families.indices {
                families[f].containing(point, into: &found)
                counts[f] += found.count
                for k in found { sum &+= k }
            }
        }
        best = min(best, seconds(since: start))
        hits = counts
        checksum = sum
        var count = 0
        start = DispatchTime.now()
        for point in queries where unitGrids.locate(point) != nil { count += 1 }
        unitBest = min(unitBest, seconds(since: start))
        located = count
    }
    // Each family alone (best of three), to tell which of them the time goes to.
    var familyBest = [Double](repeating: .infinity, count: families.count)
    for f in families.indices {
        for _ in 0..<3 {
            var count = 0
            let start = DispatchTime.now()
            for point in queries {
                families[f].containing(point, into: &found)
                count &+= found.count
            }
            familyBest[f] = min(familyBest[f], seconds(since: start))
            guard count == hits[f] else { fail("family \(families[f].family.layer) alone found \(count) hits, at once \(hits[f])") }
        }
    }
    // The first family (unit grids) against the unit-grid locate once more, interleaved 50,000 points at a time,
    // which goes first turning each repetition: on a shared machine a busy moment then weighs on both alike, and
    // the median of the chunks' speed ratios is steadier than a ratio of bests taken seconds apart.
    var chunkRatios: [Double] = []
    for repetition in 0..<10 {
        for chunk in stride(from: 0, to: queries.count, by: 50_000) {
            let part = queries[chunk..<min(queries.count, chunk + 50_000)]
            var locateSeconds = 0.0, familySeconds = 0.0, located = 0, held = 0
            for turn in 0..<2 {
                let start = DispatchTime.now()
                if (turn + repetition) % 2 == 0 {
                    for point in part where unitGrids.locate(point) != nil { located += 1 }
                    locateSeconds = seconds(since: start)
                } else {
                    for point in part {
                        families[0].containing(point, into: &found)
                        held &+= found.count
                    }
                    familySeconds = seconds(since: start)
                }
            }
            guard located <= held else { fail("the first family found fewer holders than the unit-grid locate") }
            chunkRatios.append(locateSeconds / familySeconds)
        }
    }
    chunkRatios.sort()
    print(
        json([
            "engine": "CityGeo FamilyIndex",
            "first_family_interleaved_ratio": .double(chunkRatios[chunkRatios.count / 2]),
            "first_family_interleaved_quartiles": .array([chunkRatios[chunkRatios.count / 4], chunkRatios[3 * chunkRatios.count / 4]].map { .double($0) }), "points": .int(Int64(queries.count)), "families": .int(Int64(families.count)),
            "polygons": .array(families.map { .int(Int64($0.count)) }), "names": .array(families.map { .string($0.family.layer) }),
            "build_s": .double(buildSeconds), "family_build_s": .array(familyBuildSeconds.map { .double($0) }),
            "overlapping": .array(families.map { .bool($0.overlapping) }), "verified_probes": .int(Int64(verified)), "seconds": .double(best), "points_per_s": .double(Double(queries.count) / best),
            "hits": .array(hits.map { .int(Int64($0)) }), "checksum": .int(Int64(checksum)),
            "family_points_per_s": .array(familyBest.map { .double(Double(queries.count) / $0) }),
            "unit_grid_points_per_s": .double(Double(queries.count) / unitBest), "unit_grid_located": .int(Int64(located)),
        ]))
}

// MARK: statistics

func cases(_ path: String) throws -> [StoredFeature] {
    let records = try CSVReader.read(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    guard let header = records.first?.fields, let lon = header.firstIndex(of: "lon"), let lat = header.firstIndex(of: "lat"),
        let category = header.firstIndex(of: "category"), let time = header.firstIndex(of: "time")
    else { fail("\(path) needs lon, lat, category and time columns") }
    return records.dropFirst().enumerated().map { k, record in
        let f = record.fields
        let point = Coordinate(x: Double(f[lon]) ?? .nan, y: Double(f[lat]) ?? .nan)
        return StoredFeature(
            fid: Int64(k + 1),
            feature: Feature(geometry: .point(Point(point)), properties: ["category": .string(f[category]), "time": .string(f[time])]))
    }
}

func benchStatistics(cityDirectory: String, casesPath: String, outputDirectory: String) throws {
    let grid = URL(fileURLWithPath: cityDirectory).appendingPathComponent("GridData")
    var layers: [RegionTier: [Feature]] = [:]
    for (file, tier) in [("district", RegionTier.county), ("streets", .street), ("communities", .community), ("unit_grids", .unitGrid)] {
        layers[tier] = try features(grid.appendingPathComponent("\(file).geojson").path)
    }
    var builder = RegionTreeBuilder()
    for (tier, features) in layers { builder.add(regions: features, tier: tier, layer: tier.name) }
    let tree = builder.build()
    let locator = GridLocator(
        districts: layers[.county]!, streets: layers[.street]!, communities: layers[.community]!, unitGrids: layers[.unitGrid]!)
    let rows = try cases(casesPath)
    let indexStart = DispatchTime.now()
    let index = CaseStatisticsIndex(features: rows, locator: locator)
    let indexSeconds = seconds(since: indexStart)
    guard let county = tree.node(code: "320904"), let street = tree.node(code: "320904001") else { fail("the city has no 320904 or 320904001") }
    let range = (from: try TimeText.seconds("2024-01-01"), to: try TimeText.seconds("2027-01-01"))
    let questions: [(name: String, request: StatisticsRequest)] = [
        ("streets_by_month", StatisticsRequest(node: county, period: .month, from: range.from, to: range.to)),
        ("communities_of_a_street_by_month", StatisticsRequest(node: street, period: .month, from: range.from, to: range.to)),
        (
            "communities_by_month_one_category",
            StatisticsRequest(
                node: county, grouping: .tier(.community), period: .month, from: range.from, to: range.to,
                categories: try CategoryFilter(category: "市容环境", codes: nil))
        ),
        ("unit_grids_by_quarter", StatisticsRequest(node: county, grouping: .tier(.unitGrid), period: .quarter, from: range.from, to: range.to)),
    ]
    for (name, request) in questions {
        var best = Double.infinity
        var table: StatisticsTable?
        for _ in 0..<5 {
            let start = DispatchTime.now()
            table = try RegionStatistics.compute(request, cases: index, tree: tree, maximumCells: 5_000_000)
            best = min(best, seconds(since: start))
        }
        guard let table else { fail("no table") }
        try Data(table.csv()).write(to: URL(fileURLWithPath: outputDirectory).appendingPathComponent("\(name).csv"))
        print(
            json([
                "engine": "CityGeo RegionStatistics", "question": .string(name), "cases": .int(Int64(index.count)),
                "index_s": .double(indexSeconds), "seconds": .double(best), "rows": .int(Int64(table.rows.count)),
                "periods": .int(Int64(table.periods.count)), "total": .int(Int64(table.total)),
            ]))
    }
}

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "" {
case "families" where arguments.count >= 4: try benchFamilies(pointsPath: arguments[2], familyPaths: Array(arguments[3...]))
case "stats" where arguments.count == 5: try benchStatistics(cityDirectory: arguments[2], casesPath: arguments[3], outputDirectory: arguments[4])
default: fail("usage: bench-regions families POINTS.bin FAMILY.geojson... | bench-regions stats CITY_DIR CASES.csv OUT_DIR")
}
