import ArgumentParser
import Foundation
import GeoAnalysis
import GeoCore
import GeoEngine
import GeoGrids
import GeoStore

/// `citygeo analyze coverage|sites|overlay|changes|hotspots|gistar|density`: planners' analyses on the store's layers.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze", abstract: "Spatial analysis: service coverage, best sites, overlay, change patches, hot spots, Gi*, kernel density.",
        subcommands: [
            AnalyzeCoverageCommand.self, AnalyzeSitesCommand.self, AnalyzeOverlayCommand.self, AnalyzeChangesCommand.self,
            AnalyzeHotSpotsCommand.self, AnalyzeGiStarCommand.self, AnalyzeDensityCommand.self,
        ])
}

/// Reads layers for the analysis commands.
struct AnalysisLayerOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    func store() async throws -> any CityStore { try await database.open() }

    /// A layer's features passing an optional filter; a missing or empty layer is a usage error naming the option.
    func features(_ store: any CityStore, _ name: String, option: String, filter: String? = nil) async throws -> [Feature] {
        guard try await store.layer(named: name) != nil else {
            throw ValidationError("--\(option): no layer named \"\(name)\" in \(database.database); import one with `citygeo import`")
        }
        var features = try await store.features(in: name).map(\.feature)
        if let filter {
            let parsed = try AttributeFilter(parsing: filter)
            features = features.filter { parsed.matches($0.properties) }
        }
        guard !features.isEmpty else { throw ValidationError("--\(option): layer \"\(name)\" has no features\(filter.map { " passing \($0)" } ?? "")") }
        return features
    }

    /// The positions of a layer's point features.
    func points(_ features: [Feature], option: String) throws -> [Coordinate] {
        let points = features.compactMap { feature -> Coordinate? in
            if case .point(let p)? = feature.geometry, p.coordinate.isValidGeographic { return p.coordinate }
            return nil
        }
        guard !points.isEmpty else { throw ValidationError("--\(option): the layer has no point features") }
        return points
    }
}

/// The options coverage and site selection share.
struct CoverageOptions: ParsableArguments {
    @OptionGroup var layers: AnalysisLayerOptions
    @Option(help: "Point layer of facilities.") var facilities: String
    @Option(help: "Only facilities passing this filter (category=公园).") var facilityFilter: String?
    @Option(help: "Layer to cover (polygons or points).") var targets = "unit_grids"
    @Option(help: "Service radius in metres (geodesic, CGCS2000).") var radius: Double
    @Option(help: "area, count or field:<property> (e.g. field:population).") var weight = "area"

    func parsedWeight() throws -> ServiceCoverage.Weight {
        switch weight {
        case "area": return .area
        case "count": return .count
        case let w where w.hasPrefix("field:") && w.count > 6: return .field(String(w.dropFirst(6)))
        default: throw ValidationError("--weight must be area, count or field:<property>")
        }
    }

    /// The store, the facilities, the targets and a coverage around the targets.
    func load() async throws -> (any CityStore, [Coordinate], [Feature], ServiceCoverage) {
        let store = try await layers.store()
        let facilityPoints = try layers.points(try await layers.features(store, facilities, option: "facilities", filter: facilityFilter), option: "facilities")
        let targetFeatures = try await layers.features(store, targets, option: "targets")
        guard let bounds = targetFeatures.compactMap({ $0.geometry?.boundingBox }).reduce(nil, { (box: BoundingBox?, b) in box?.union(b) ?? b }) else {
            throw ValidationError("--targets: the layer has no geometry")
        }
        return (store, facilityPoints, targetFeatures, try ServiceCoverage(facilities: facilityPoints, radiusMetres: radius, around: bounds))
    }
}

/// Parses a region level option.
func regionLevel(_ text: String) throws -> RegionLevel {
    switch text {
    case "district": return .district
    case "street": return .street
    case "community": return .community
    case "unit_grid": return .unitGrid
    default: throw ValidationError("--level must be district, street, community or unit_grid")
    }
}

/// Writes features as GeoJSON to a file and says so.
func writeFeatures(_ features: [Feature], to path: String, what: String) throws {
    try Data(try GeoJSON.encodeBytes(FeatureCollection(features))).write(to: URL(fileURLWithPath: path))
    print("\(features.count) \(what) written to \(path)")
}

private func share(_ value: Double) -> String { String(format: "%.2f %%", value * 100) }
private func amount(_ value: Double) -> String { String(format: "%.0f", value) }

struct AnalyzeCoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage", abstract: "Share of a layer within a radius of facilities, per region; blind spots as GeoJSON.")

    @OptionGroup var options: CoverageOptions
    @Option(help: "district, street, community or unit_grid.") var level = "street"
    @Option(help: "Write the uncovered parts of polygon targets as GeoJSON to this file.") var blindSpots: String?

    func run() async throws {
        let (store, _, targets, coverage) = try await options.load()
        let locator = try await GridLocator.load(from: store)
        let rows = try coverage.cover(targets, weight: try options.parsedWeight()) { ServiceCoverage.regionCode(of: $0, locator: locator) }
        let totals = RegionTotal.sum(rows.map { ($0.regionCode, $0.weight, $0.coveredWeight) }, level: try regionLevel(level))
        print(TextTable.render(header: [level, "targets", "total", "covered", "share"],
            rows: totals.map { [$0.code ?? "(none)", String($0.count), amount($0.total), amount($0.part), share($0.share)] }))
        let total = rows.reduce(0) { $0 + $1.weight }, covered = rows.reduce(0) { $0 + $1.coveredWeight }
        print("\n\(coverage.facilities.count) facilities, \(Int(options.radius)) m: \(share(total > 0 ? covered / total : 0)) of \(rows.count) targets covered")
        if let blindSpots {
            let engine = try GeometryEngine()
            var features: [Feature] = []
            for row in rows where row.area > 0 && row.share < 1 - 1e-9 {
                let parts = try targets[row.index].geometry!.polygons.flatMap { try coverage.uncovered($0, engine: engine)?.polygons ?? [] }
                guard !parts.isEmpty else { continue }
                var properties = targets[row.index].properties
                properties["uncovered_m2"] = .double((row.area * (1 - row.share)).rounded())
                features.append(Feature(id: targets[row.index].id, geometry: .multiPolygon(MultiPolygon(parts)), properties: properties))
            }
            try writeFeatures(features, to: blindSpots, what: "blind spots")
        }
    }
}

struct AnalyzeSitesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sites", abstract: "The best K new sites among candidates by greedy maximal coverage, with each one's gain.")

    @OptionGroup var options: CoverageOptions
    @Option(help: "Point layer of candidate sites.") var candidates: String
    @Option(help: "Only candidates passing this filter.") var candidateFilter: String?
    @Option(help: "How many sites.") var k = 5

    func run() async throws {
        guard (1...100).contains(k) else { throw ValidationError("--k must be 1 to 100") }
        let (store, _, targets, coverage) = try await options.load()
        let candidateFeatures = try await options.layers.features(store, candidates, option: "candidates", filter: candidateFilter)
        let positions = candidateFeatures.map { feature -> Coordinate in
            if case .point(let p)? = feature.geometry { return p.coordinate }
            return Coordinate(x: .nan, y: .nan)
        }
        let (sites, before, total) = try coverage.bestSites(from: positions, targets: targets, weight: try options.parsedWeight(), count: k)
        print("covered now: \(share(before)) of \(amount(total))")
        print(TextTable.render(header: ["#", "candidate", "lon", "lat", "gain", "covered after"], rows: sites.enumerated().map { n, site in
            let feature = candidateFeatures[site.candidate]
            let name = feature.properties["name"]?.stringValue ?? feature.properties["id"]?.stringValue ?? String(site.candidate)
            return [String(n + 1), name, String(positions[site.candidate].x), String(positions[site.candidate].y), amount(site.gain), share(site.shareAfter)]
        }))
    }
}

struct AnalyzeOverlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay", abstract: "Intersection, difference or union of two polygon layers (or a layer and a GeoJSON polygon file) with m².")

    @OptionGroup var layers: AnalysisLayerOptions
    @Option(help: "First layer.") var a: String
    @Option(help: "Second layer.") var b: String?
    @Option(help: "A GeoJSON file (Feature, FeatureCollection or geometry) of polygons instead of --b.") var polygon: String?
    @Option(help: "intersection, difference or union.") var operation = "intersection"
    @Option(help: "Drop pieces under this many m².") var minArea = 0.0
    @Option(name: .shortAndLong, help: "Write the pieces as GeoJSON.") var output: String?

    func run() async throws {
        guard let op = LayerOverlay.Operation(rawValue: operation) else { throw ValidationError("--operation must be intersection, difference or union") }
        let store = try await layers.store()
        let first = try await layers.features(store, a, option: "a")
        let second: [Feature]
        if let polygon {
            second = try GeoJSON.decodeFeatureCollection(Array(try Data(contentsOf: URL(fileURLWithPath: polygon)))).features
        } else if let b {
            second = try await layers.features(store, b, option: "b")
        } else {
            throw ValidationError("give --b LAYER or --polygon FILE")
        }
        let pieces = try LayerOverlay(first, second, engine: try GeometryEngine()).pieces(op, minimumArea: minArea)
        print("\(pieces.count) pieces, \(amount(pieces.reduce(0) { $0 + $1.area })) m²")
        if let output {
            try writeFeatures(pieces.map { piece in
                Feature(geometry: piece.geometry, properties: [
                    "a": piece.a.map { .int(Int64($0)) } ?? .null, "b": piece.b.map { .int(Int64($0)) } ?? .null, "area_m2": .double(piece.area.rounded()),
                ])
            }, to: output, what: "pieces")
        }
    }
}

struct AnalyzeChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes", abstract: "Change patches (new, removed, grown, shrunk) between two versions of a polygon layer.")

    @OptionGroup var layers: AnalysisLayerOptions
    @Option(help: "The earlier version.") var before: String
    @Option(help: "The later version.") var after: String
    @Option(help: "Patches under this many m² are ignored.") var minArea = 100.0
    @Option(name: .shortAndLong, help: "Write the patches as GeoJSON.") var output: String?

    func run() async throws {
        let store = try await layers.store()
        let patches = try ChangeDetection.patches(
            before: try await layers.features(store, before, option: "before"), after: try await layers.features(store, after, option: "after"),
            minimumArea: minArea, engine: try GeometryEngine())
        print(TextTable.render(header: ["kind", "m²", "feature", "others"], rows: patches.prefix(30).map {
            [$0.kind.rawValue, amount($0.area), String($0.feature), $0.others.map(String.init).joined(separator: " ")]
        }))
        if patches.count > 30 { print("… and \(patches.count - 30) more") }
        if let output {
            try writeFeatures(patches.map {
                Feature(geometry: $0.geometry, properties: ["kind": .string($0.kind.rawValue), "area_m2": .double($0.area.rounded()), "feature": .int(Int64($0.feature))])
            }, to: output, what: "patches")
        }
    }
}

/// Cases of a point layer, optionally in a time range.
struct CaseOptions: ParsableArguments {
    @OptionGroup var layers: AnalysisLayerOptions
    @Option(help: "Point layer of cases.") var layer = "cases"
    @Option(help: "Only cases passing this filter.") var filter: String?
    @Option(help: "Only cases at or after this time (ISO 8601, +08:00 when no offset is given).") var from: String?
    @Option(help: "Only cases before this time.") var to: String?
    @Option(help: "The property holding each case's time.") var timeField = "time"

    func load() async throws -> (any CityStore, [RoadSectionHotSpots.Case]) {
        let store = try await layers.store()
        let features = try await layers.features(store, layer, option: "layer", filter: filter)
        func date(_ text: String?, _ option: String) throws -> Date? {
            guard let text else { return nil }
            do {
                return Date(timeIntervalSince1970: try TimeText.seconds(text, field: option))
            } catch {
                throw ValidationError("--\(option): \(error.message)")
            }
        }
        let cases = RoadSectionHotSpots.cases(features, timeField: timeField, from: try date(from, "from"), to: try date(to, "to"), withTimes: true)
        return (store, cases)
    }
}

struct AnalyzeHotSpotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots", abstract: "Cases per road section (高发地段) and per hour and weekday (高发时段).")

    @OptionGroup var cases: CaseOptions
    @Option(help: "Road layer.") var roads = "roads"
    @Option(help: "Section length in metres.") var section = 200.0
    @Option(help: "Cases farther from every road are not counted.") var maxSnap = 50.0
    @Option(help: "Sections listed.") var top = 20
    @Option(name: .shortAndLong, help: "Write every section with cases as GeoJSON.") var output: String?

    func run() async throws {
        let (store, found) = try await cases.load()
        let roadFeatures = try await cases.layers.features(store, roads, option: "roads")
        let hotSpots = try RoadSectionHotSpots(roads: roadFeatures, cases: found, sectionMetres: section, maximumSnapMetres: maxSnap)
        print(TextTable.render(header: ["road", "from m", "to m", "cases"], rows: hotSpots.sections.prefix(top).map {
            [$0.name, amount($0.from), amount($0.to), String($0.count)]
        }))
        print("\n\(hotSpots.snapped) cases on roads, \(hotSpots.unsnapped) farther than \(Int(maxSnap)) m")
        print(TextTable.render(header: ["hour"] + (0..<24).map { String(format: "%02d", $0) }, rows: [["cases"] + hotSpots.profile.byHour.map(String.init)]))
        print(TextTable.render(header: ["weekday", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], rows: [["cases"] + hotSpots.profile.byWeekday.map(String.init)]))
        if let output {
            try writeFeatures(hotSpots.sections.map { s in
                Feature(geometry: .lineString(LineString(s.line)), properties: [
                    "name": .string(s.name), "from_m": .double(s.from.rounded()), "to_m": .double(s.to.rounded()), "count": .int(Int64(s.count)),
                ])
            }, to: output, what: "sections")
        }
    }
}

struct AnalyzeGiStarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gistar", abstract: "Getis-Ord Gi* hot and cold spots of case counts over unit grids or hexagons (as PySAL esda).")

    @OptionGroup var cases: CaseOptions
    @Option(help: "A polygon layer, or hexagons.") var units = "unit_grids"
    @Option(help: "Hexagon spacing in metres.") var cell = 500.0
    @Option(help: "distance_band or knn.") var weights = "distance_band"
    @Option(help: "Distance band in metres.") var distance = 500.0
    @Option(help: "Neighbours for knn.") var k = 8
    @Option(name: .shortAndLong, help: "Write the units with count, gi_z, gi_p, gi_bin as GeoJSON.") var output: String?

    func run() async throws {
        let (store, found) = try await cases.load()
        let hotSpotUnits: HotSpotUnits
        var properties: [[String: JSONValue]] = []
        if units == "hexagons" {
            guard let box = BoundingBox(coordinates: found.map(\.position)) else { throw ValidationError("no cases to lay hexagons over") }
            hotSpotUnits = try HotSpotUnits(hexagonsOver: box, cellMetres: cell, maximumCount: 250_000)
        } else {
            let features = try await cases.layers.features(store, units, option: "units")
            hotSpotUnits = HotSpotUnits(polygonFeatures: features)
            properties = features.filter { !($0.geometry?.polygons.isEmpty ?? true) }.map(\.properties)
        }
        let counts = hotSpotUnits.counts(of: found.map(\.position))
        let w: SpatialWeights
        switch weights {
        case "distance_band": w = try SpatialWeights.distanceBand(hotSpotUnits.centroids, threshold: distance)
        case "knn": w = try SpatialWeights.kNearest(hotSpotUnits.centroids, k: k)
        default: throw ValidationError("--weights must be distance_band or knn")
        }
        let results = try GetisOrd.giStar(counts, weights: w)
        let bins = Dictionary(grouping: results, by: \.confidenceBin).mapValues(\.count)
        print(TextTable.render(header: ["class", "units"], rows: [3, 2, 1, 0, -1, -2, -3].map { bin in
            [bin == 0 ? "not significant" : "\(bin > 0 ? "hot" : "cold") \([0, 90, 95, 99][abs(bin)]) %", String(bins[bin] ?? 0)]
        }))
        if let output {
            try writeFeatures(hotSpotUnits.polygons.indices.map { u in
                var p = u < properties.count ? properties[u] : [:]
                p["count"] = .int(Int64(counts[u]))
                p["gi_z"] = results[u].z.map(JSONValue.double) ?? .null
                p["gi_p"] = results[u].p.map(JSONValue.double) ?? .null
                p["gi_bin"] = .int(Int64(results[u].confidenceBin))
                return Feature(geometry: .polygon(hotSpotUnits.polygons[u]), properties: p)
            }, to: output, what: "units")
        }
    }
}

struct AnalyzeDensityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "density", abstract: "Quartic kernel density of cases (per km²) on square cells, as GeoJSON cells for a heat map.")

    @OptionGroup var cases: CaseOptions
    @Option(help: "minLon,minLat,maxLon,maxLat (the cases' box when absent).") var bbox: String?
    @Option(help: "Cell side in metres.") var cell = 100.0
    @Option(help: "Kernel radius in metres.") var bandwidth = 300.0
    @Option(name: .shortAndLong, help: "GeoJSON file of the non-empty cells.") var output: String

    func run() async throws {
        let (_, found) = try await cases.load()
        let box: BoundingBox
        if let bbox {
            let v = bbox.split(separator: ",").compactMap { Double($0) }
            guard v.count == 4, v[0] < v[2], v[1] < v[3] else { throw ValidationError("--bbox must be minLon,minLat,maxLon,maxLat") }
            box = BoundingBox(minX: v[0], minY: v[1], maxX: v[2], maxY: v[3])
        } else {
            guard let b = BoundingBox(coordinates: found.map(\.position)) else { throw ValidationError("no cases") }
            box = b
        }
        let grid = try KernelDensity.quartic(found.map(\.position), bounds: box, cellMetres: cell, bandwidthMetres: bandwidth, maximumCells: 4_000_000)
        var features: [Feature] = []
        for row in 0..<grid.rows {
            for column in 0..<grid.columns where grid.values[row * grid.columns + column] > 0 {
                features.append(Feature(geometry: .polygon(grid.cellPolygon(column: column, row: row)), properties: ["density": .double(grid.values[row * grid.columns + column])]))
            }
        }
        print("\(grid.columns) x \(grid.rows) cells, peak \(String(format: "%.1f", grid.maximum)) cases/km²")
        try writeFeatures(features, to: output, what: "cells")
    }
}
