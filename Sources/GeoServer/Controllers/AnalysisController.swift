import Foundation
import GeoAnalysis
import GeoCore
import GeoEngine
import GeoGrids
import GeoStore
import Hummingbird

/// `/v1/analysis/...`: service coverage and site selection, overlay and change detection, hot spots by road
/// section, by time, Gi* and kernel density — planners' questions answered from the store's layers (GeoAnalysis),
/// computed on ``ComputePool`` so that the event loops stay free and a request past its timeout stops.
struct AnalysisController {
    let grids: LayerVersionedValue<GridLocator>
    let layers: AnalysisLayers
    let limits: AnalysisLimits
    let maximumBodyBytes: Int
    let maximumGeometryVertices: Int
    /// The most features one answer lists (blind spots, pieces, patches, sections).
    let maximumFeatures: Int

    func register(on group: RouterGroup<CityRequestContext>) {
        group.post("analysis/coverage") { request, context in try await coverage(request, context) }
        group.post("analysis/sites") { request, context in try await sites(request, context) }
        group.post("analysis/overlay") { request, context in try await overlay(request, context) }
        group.post("analysis/changes") { request, context in try await changes(request, context) }
        group.get("analysis/hotspots/roads") { request, _ in try await roadHotSpots(request) }
        group.get("analysis/hotspots/times") { request, _ in try await timeHotSpots(request) }
        group.get("analysis/gistar") { request, _ in try await giStar(request) }
        group.get("analysis/density") { request, _ in try await density(request) }
    }

    // MARK: Coverage

    /// The inputs shared by coverage and site selection.
    private struct CoverageInputs: Sendable {
        var facilities: [Coordinate]
        var targets: [Feature]
        var radius: Double
        var weight: ServiceCoverage.Weight
        var bounds: BoundingBox
    }

    /// The points of the layer named by body member `field` that pass the filter in member `filter`, at most `maximum`.
    private func pointLayer(_ body: [String: JSONValue], _ field: String, filter: String, maximum: Int) async throws -> [(feature: Feature, position: Coordinate)] {
        let features = try await layers.features(try AnalysisParsing.layer(body, field), field: field, maximum: limits.layerFeatures)
        let points = try AnalysisParsing.points(try AnalysisParsing.filtered(features, AnalysisParsing.text(body[filter]), field: filter), field: field)
        guard points.count <= maximum else {
            throw APIError(code: .invalidArgument, message: "\(field) has \(points.count) points; the limit is \(maximum)",
                details: ["field": .string(field), "maximum": .int(Int64(maximum))])
        }
        return points
    }

    private func coverageInputs(_ body: [String: JSONValue]) async throws -> CoverageInputs {
        let facilities = try await pointLayer(body, "facilities", filter: "facility_filter", maximum: limits.facilities)
        let targetLayer = try AnalysisParsing.layer(body, "targets")
        let targets = try AnalysisParsing.filtered(
            try await layers.features(targetLayer, field: "targets", maximum: limits.layerFeatures),
            AnalysisParsing.text(body["target_filter"]), field: "target_filter")
        let radius = try RequestParsing.number(
            try RequestParsing.required(AnalysisParsing.text(body["radius_m"]), "radius_m"), "radius_m", 1...ServiceCoverage.maximumRadiusMetres)
        let weight: ServiceCoverage.Weight =
            switch AnalysisParsing.text(body["weight"]) ?? "area" {
            case "area": .area
            case "count": .count
            case let field where field.hasPrefix("field:") && field.count > 6: .field(String(field.dropFirst(6)))
            case let other:
                throw APIError(code: .invalidArgument, message: "weight \"\(other)\" is not area, count or field:<property>", details: ["field": "weight"])
            }
        var box: BoundingBox? = nil
        for target in targets { if let b = target.geometry?.boundingBox { box = box?.union(b) ?? b } }
        guard let bounds = box, bounds.center.isValidGeographic else {
            throw APIError(code: .invalidArgument, message: "layer \"\(targetLayer)\" has no geometry to cover", details: ["field": "targets"])
        }
        return CoverageInputs(facilities: facilities.map(\.position), targets: targets, radius: radius, weight: weight, bounds: bounds)
    }

    private func coverage(_ request: Request, _ context: CityRequestContext) async throws -> Response {
        let body = try await JoinController.object(request, context: context, maximumBytes: maximumBodyBytes)
        let inputs = try await coverageInputs(body)
        let level = try AnalysisParsing.level(AnalysisParsing.text(body["level"]))
        let blindSpots = try AnalysisParsing.flag(body["blind_spots"], "blind_spots")
        let limit = Int(try AnalysisParsing.number(body["limit"], "limit", 1...Double(maximumFeatures), default: 1_000))
        let locator = try await grids.value
        let answer = try await ComputePool.shared.run { () -> JSONValue in
            let coverage = try ServiceCoverage(facilities: inputs.facilities, radiusMetres: inputs.radius, around: inputs.bounds)
            let rows = try coverage.cover(inputs.targets, weight: inputs.weight, regionCode: { ServiceCoverage.regionCode(of: $0, locator: locator) })
            guard !rows.isEmpty else {
                throw APIError(code: .invalidArgument, message: "targets has no polygons or points to cover", details: ["field": "targets"])
            }
            let totals = RegionTotal.sum(rows.map { ($0.regionCode, $0.weight, $0.coveredWeight) }, level: level)
            let total = rows.reduce(0) { $0 + $1.weight }, covered = rows.reduce(0) { $0 + $1.coveredWeight }
            var object: [String: JSONValue] = [
                "radius_m": .double(inputs.radius), "facilities": .int(Int64(coverage.facilities.count)), "targets": .int(Int64(rows.count)),
                "total": .double(AnalysisParsing.rounded(total)), "covered": .double(AnalysisParsing.rounded(covered)),
                "share": .double(total > 0 ? (covered / total * 1e6).rounded() / 1e6 : 0), "level": .string(Self.levelName(level)),
                "regions": .array(totals.map(AnalysisParsing.describe)),
            ]
            if blindSpots {
                object["blind_spots"] = try Self.blindSpots(rows, inputs.targets, coverage, limit: limit)
            }
            return .object(object)
        }
        return try JSONResponse.make(answer)
    }

    /// The uncovered parts of the least covered polygon targets (largest uncovered weight first), at most `limit`.
    private static func blindSpots(
        _ rows: [ServiceCoverage.Target], _ targets: [Feature], _ coverage: ServiceCoverage, limit: Int
    ) throws -> JSONValue {
        let engine = try GeometryEngine()
        let open = rows.filter { $0.area > 0 && $0.share < 1 - 1e-9 }.sorted { ($1.weight - $1.coveredWeight, $0.index) < ($0.weight - $0.coveredWeight, $1.index) }
        var features: [Feature] = []
        for row in open.prefix(limit) {
            try GeoError.throwIfCancelled()
            let target = targets[row.index]
            var pieces: [Polygon] = []
            for part in target.geometry?.polygons ?? [] { pieces += (try coverage.uncovered(part, engine: engine))?.polygons ?? [] }
            guard !pieces.isEmpty else { continue }
            var properties = target.properties
            properties["uncovered_m2"] = .double(AnalysisParsing.rounded(row.area * (1 - row.share)))
            properties["covered_share"] = .double((row.share * 1e6).rounded() / 1e6)
            features.append(Feature(id: target.id, geometry: pieces.count == 1 ? .polygon(pieces[0]) : .multiPolygon(MultiPolygon(pieces)), properties: properties))
        }
        return try JSON.decode(try GeoJSON.encodeBytes(FeatureCollection(features)))
    }

    static func levelName(_ level: RegionLevel) -> String { level == .unitGrid ? "unit_grid" : level.name }

    private func sites(_ request: Request, _ context: CityRequestContext) async throws -> Response {
        let body = try await JoinController.object(request, context: context, maximumBytes: maximumBodyBytes)
        let inputs = try await coverageInputs(body)
        let candidates = try await pointLayer(body, "candidates", filter: "candidate_filter", maximum: limits.candidates)
        let count = Int(try RequestParsing.number(try RequestParsing.required(AnalysisParsing.text(body["k"]), "k"), "k", 1...Double(limits.sites)))
        let answer = try await ComputePool.shared.run { () -> JSONValue in
            let coverage = try ServiceCoverage(facilities: inputs.facilities, radiusMetres: inputs.radius, around: inputs.bounds)
            let (sites, before, total) = try coverage.bestSites(
                from: candidates.map(\.position), targets: inputs.targets, weight: inputs.weight, count: count)
            let chosen = sites.map { site -> Feature in
                var feature = candidates[site.candidate].feature
                feature.properties["gain"] = .double(AnalysisParsing.rounded(site.gain))
                feature.properties["share_after"] = .double((site.shareAfter * 1e6).rounded() / 1e6)
                return feature
            }
            return .object([
                "radius_m": .double(inputs.radius), "total": .double(AnalysisParsing.rounded(total)),
                "share_before": .double((before * 1e6).rounded() / 1e6), "sites": try JSON.decode(try GeoJSON.encodeBytes(FeatureCollection(chosen))),
            ])
        }
        return try JSONResponse.make(answer)
    }

    // MARK: Overlay

    private func overlay(_ request: Request, _ context: CityRequestContext) async throws -> Response {
        let body = try await JoinController.object(request, context: context, maximumBytes: maximumBodyBytes)
        let a = try await layers.features(try AnalysisParsing.layer(body, "a"), field: "a", maximum: limits.overlayFeatures)
        let b: [Feature]
        if let polygon = body["polygon"] {
            b = [Feature(geometry: try Self.postedPolygon(polygon, maximumVertices: maximumGeometryVertices))]
        } else if body["b"] != nil {
            b = try await layers.features(try AnalysisParsing.layer(body, "b"), field: "b", maximum: limits.overlayFeatures)
        } else {
            throw APIError(code: .invalidArgument, message: "body needs \"b\", a layer, or \"polygon\", a GeoJSON Polygon or MultiPolygon", details: ["field": "b"])
        }
        let operation = try AnalysisParsing.choice(AnalysisParsing.text(body["operation"]), "operation", default: LayerOverlay.Operation.intersection)
        let minimumArea = try AnalysisParsing.number(body["min_area_m2"], "min_area_m2", 0...1e12, default: 0)
        let level = try AnalysisParsing.level(AnalysisParsing.text(body["level"]))
        let locator = try await grids.value
        let limit = maximumFeatures
        let answer = try await ComputePool.shared.run { () -> JSONValue in
            let overlay = try LayerOverlay(a, b, engine: try GeometryEngine())
            let pieces = try overlay.pieces(operation, minimumArea: minimumArea)
            let features = pieces.map { piece -> Feature in
                var properties: [String: JSONValue] = ["area_m2": .double(AnalysisParsing.rounded(piece.area))]
                properties["a"] = piece.a.map { Self.reference(a[$0], index: $0) } ?? .null
                properties["b"] = piece.b.map { Self.reference(b[$0], index: $0) } ?? .null
                properties["region_code"] = ServiceCoverage.regionCode(of: Feature(geometry: piece.geometry), locator: locator).map(JSONValue.string) ?? .null
                return Feature(geometry: piece.geometry, properties: properties)
            }
            let totals = RegionTotal.sum(features.map { ($0.properties["region_code"]?.stringValue, $0.properties["area_m2"]?.doubleValue ?? 0, 0) }, level: level)
            // Per A feature: its area and how much of it the pieces hold (inside B, or outside it for a difference).
            var perFeature: [Int: Double] = [:]
            for piece in pieces { if let i = piece.a { perFeature[i, default: 0] += piece.area } }
            let summaries = perFeature.keys.sorted().map { i -> JSONValue in
                let area = a[i].geometry.map(EllipsoidalMeasure.area(of:)) ?? 0
                return .object([
                    "a": Self.reference(a[i], index: i), "area_m2": .double(AnalysisParsing.rounded(area)),
                    "pieces_m2": .double(AnalysisParsing.rounded(perFeature[i]!)), "share": .double(area > 0 ? (perFeature[i]! / area * 1e6).rounded() / 1e6 : 0),
                ])
            }
            return try Self.collection(features, limit: limit, extra: [
                "operation": .string(operation.rawValue), "total_area_m2": .double(AnalysisParsing.rounded(pieces.reduce(0) { $0 + $1.area })),
                "level": .string(Self.levelName(level)), "per_feature": .array(Array(summaries.prefix(limit))),
                "regions": .array(totals.map { .object(["code": $0.code.map(JSONValue.string) ?? .null, "pieces": .int(Int64($0.count)), "area_m2": .double(AnalysisParsing.rounded($0.total))]) }),
            ])
        }
        return JSONResponse.bytes(try JSON.encodeBytes(answer), contentType: "application/geo+json")
    }

    private func changes(_ request: Request, _ context: CityRequestContext) async throws -> Response {
        let body = try await JoinController.object(request, context: context, maximumBytes: maximumBodyBytes)
        let before = try await layers.features(try AnalysisParsing.layer(body, "before"), field: "before", maximum: limits.overlayFeatures)
        let after = try await layers.features(try AnalysisParsing.layer(body, "after"), field: "after", maximum: limits.overlayFeatures)
        let minimumArea = try AnalysisParsing.number(body["min_area_m2"], "min_area_m2", 0...1e12, default: 100)
        let limit = maximumFeatures
        let answer = try await ComputePool.shared.run { () -> JSONValue in
            let patches = try ChangeDetection.patches(before: before, after: after, minimumArea: minimumArea, engine: try GeometryEngine())
            let features = patches.map { patch -> Feature in
                // Gains lie in a feature of the new version, losses in one of the old.
                let gained = patch.kind == .new || patch.kind == .grown
                let (side, other) = gained ? (after, before) : (before, after)
                return Feature(geometry: patch.geometry, properties: [
                    "kind": .string(patch.kind.rawValue), "area_m2": .double(AnalysisParsing.rounded(patch.area)),
                    "feature": Self.reference(side[patch.feature], index: patch.feature),
                    "others": .array(patch.others.map { Self.reference(other[$0], index: $0) }),
                ])
            }
            var counts: [String: JSONValue] = [:]
            for kind in ChangeDetection.Kind.allCases { counts[kind.rawValue] = .int(Int64(patches.filter { $0.kind == kind }.count)) }
            return try Self.collection(features, limit: limit, extra: ["min_area_m2": .double(minimumArea), "counts": .object(counts)])
        }
        return JSONResponse.bytes(try JSON.encodeBytes(answer), contentType: "application/geo+json")
    }

    /// A feature as results name it: its id, else its `id`/`code` property, else its index in the layer.
    static func reference(_ feature: Feature, index: Int) -> JSONValue {
        switch feature.id {
        case .string(let s)?: return .string(s)
        case .int(let i)?: return .int(i)
        case nil: return feature.properties["id"] ?? feature.properties["code"] ?? .int(Int64(index))
        }
    }

    /// A GeoJSON FeatureCollection of at most `limit` features, with `extra` members and `truncated`.
    static func collection(_ features: [Feature], limit: Int, extra: [String: JSONValue]) throws -> JSONValue {
        guard case .object(var object) = try JSON.decode(try GeoJSON.encodeBytes(FeatureCollection(Array(features.prefix(limit))))) else {
            throw APIError(code: .internalError, message: "a feature collection did not encode as an object")
        }
        for (key, value) in extra { object[key] = value }
        object["count"] = .int(Int64(features.count))
        object["truncated"] = .bool(features.count > limit)
        return .object(object)
    }

    /// A posted GeoJSON Polygon or MultiPolygon, 422 naming `polygon` (and where in it) when unreadable or out of
    /// range, 413 when too large.
    static func postedPolygon(_ value: JSONValue, maximumVertices: Int) throws -> Geometry {
        let polygon: Geometry
        do throws(GeoError) {
            polygon = try GeoJSON.decodeGeometry(from: value)
        } catch {
            throw APIError(code: error.code, message: error.message, details: ["field": .string("polygon" + (error.location.map { ".\($0)" } ?? ""))])
        }
        guard polygon.type == .polygon || polygon.type == .multiPolygon else {
            throw APIError(code: .invalidGeometry, message: "polygon is a \(polygon.type.rawValue), not a Polygon or MultiPolygon", details: ["field": "polygon"])
        }
        try RequestParsing.checkVertexCount(polygon, field: "polygon", maximum: maximumVertices)
        return polygon
    }

    // MARK: Hot spots

    /// The cases of the `layer` parameter passing `filter` and the time range, read off the event loops.
    private func cases(_ query: [String: String], withTimes: Bool) async throws -> [RoadSectionHotSpots.Case] {
        let features = try AnalysisParsing.filtered(
            try await layers.features(try RequestParsing.required(query["layer"], "layer"), field: "layer", maximum: limits.layerFeatures),
            query["filter"], field: "filter")
        let (from, to) = try AnalysisParsing.timeRange(query)
        let timeField = query["time_field"] ?? "time"
        return try await ComputePool.shared.run {
            RoadSectionHotSpots.cases(features, timeField: timeField, from: from, to: to, withTimes: withTimes)
        }
    }

    private func utcOffset(_ query: [String: String]) throws -> Double {
        try AnalysisParsing.number(query["utc_offset_h"].map { .string($0) }, "utc_offset_h", -12...14, default: 8) * 3_600
    }

    private func roadHotSpots(_ request: Request) async throws -> Response {
        let query = AnalysisParsing.query(request)
        let cases = try await cases(query, withTimes: true)
        let roads = try await layers.features(query["roads"] ?? "roads", field: "roads", maximum: limits.layerFeatures)
        let section = try AnalysisParsing.number(query["section_m"].map { .string($0) }, "section_m", 10...10_000, default: 200)
        let snap = try AnalysisParsing.number(query["max_snap_m"].map { .string($0) }, "max_snap_m", 1...1_000, default: 50)
        let limit = Int(try AnalysisParsing.number(query["limit"].map { .string($0) }, "limit", 1...Double(maximumFeatures), default: 100))
        let offset = try utcOffset(query)
        let answer = try await ComputePool.shared.run { () -> JSONValue in
            let hotSpots = try RoadSectionHotSpots(
                roads: roads, cases: cases, sectionMetres: section, maximumSnapMetres: snap, utcOffsetSeconds: offset)
            let features = hotSpots.sections.map { s in
                Feature(geometry: .lineString(LineString(s.line)), properties: [
                    "name": .string(s.name), "road": Self.reference(roads[s.road], index: s.road), "from_m": .double(AnalysisParsing.rounded(s.from)),
                    "to_m": .double(AnalysisParsing.rounded(s.to)), "count": .int(Int64(s.count)),
                    "by_hour": .array(s.profile.byHour.map { .int(Int64($0)) }), "by_weekday": .array(s.profile.byWeekday.map { .int(Int64($0)) }),
                ])
            }
            return try Self.collection(features, limit: limit, extra: [
                "section_m": .double(section), "snapped": .int(Int64(hotSpots.snapped)), "unsnapped": .int(Int64(hotSpots.unsnapped)),
                "by_hour": .array(hotSpots.profile.byHour.map { .int(Int64($0)) }), "by_weekday": .array(hotSpots.profile.byWeekday.map { .int(Int64($0)) }),
            ])
        }
        return JSONResponse.bytes(try JSON.encodeBytes(answer), contentType: "application/geo+json")
    }

    private func timeHotSpots(_ request: Request) async throws -> Response {
        let query = AnalysisParsing.query(request)
        let cases = try await cases(query, withTimes: true)
        let offset = try utcOffset(query)
        var profile = TimeProfile()
        for item in cases { profile.add(item.time, utcOffsetSeconds: offset) }
        return try JSONResponse.make(.object([
            "total": .int(Int64(profile.total)), "timed": .int(Int64(profile.timed)), "utc_offset_h": .double(offset / 3_600),
            "by_hour": .array(profile.byHour.map { .int(Int64($0)) }), "by_weekday": .array(profile.byWeekday.map { .int(Int64($0)) }),
            "week_hours": .array(profile.weekHours.map { .array($0.map { .int(Int64($0)) }) }),
        ]))
    }

    private func giStar(_ request: Request) async throws -> Response {
        let query = AnalysisParsing.query(request)
        let cases = try await cases(query, withTimes: false)
        let unitsName = query["units"] ?? "unit_grids"
        let weightsKind = query["weights"] ?? "distance_band"
        guard weightsKind == "distance_band" || weightsKind == "knn" else {
            throw APIError(code: .invalidArgument, message: "weights \"\(weightsKind)\" is not distance_band or knn", details: ["field": "weights"])
        }
        let band = try AnalysisParsing.number(query["distance_m"].map { .string($0) }, "distance_m", 1...50_000, default: 500)
        let k = Int(try AnalysisParsing.number(query["k"].map { .string($0) }, "k", 1...100, default: 8))
        let cell = try AnalysisParsing.number(query["cell_m"].map { .string($0) }, "cell_m", 10...50_000, default: 500)
        let unitFeatures: [Feature]? = unitsName == "hexagons" ? nil : try await layers.features(unitsName, field: "units", maximum: limits.layerFeatures)
        let maximumCells = limits.cells, limit = maximumFeatures
        let answer = try await ComputePool.shared.run { () -> JSONValue in
            let units: HotSpotUnits
            if let unitFeatures {
                units = HotSpotUnits(polygonFeatures: unitFeatures)
            } else {
                guard let box = BoundingBox(coordinates: cases.map(\.position)) else {
                    throw APIError(code: .invalidArgument, message: "no cases to lay hexagons over", details: ["field": "layer"])
                }
                units = try HotSpotUnits(hexagonsOver: box, cellMetres: cell, maximumCount: min(maximumCells, 250_000))
            }
            guard units.count >= 3 else {
                throw APIError(code: .invalidArgument, message: "\(unitsName) has \(units.count) polygons; Gi* needs at least 3", details: ["field": "units"])
            }
            let counts = units.counts(of: cases.map(\.position))
            let weights = weightsKind == "knn"
                ? try SpatialWeights.kNearest(units.centroids, k: min(k, units.count - 1))
                : try SpatialWeights.distanceBand(units.centroids, threshold: band)
            let results: [GetisOrd.Result]
            do throws(GeoError) {
                results = try GetisOrd.giStar(counts, weights: weights)
            } catch {
                throw APIError(code: error.code, message: error.message, details: ["field": "layer"])
            }
            let features = units.polygons.indices.map { u -> Feature in
                var properties: [String: JSONValue] = unitFeatures.map { $0.indices.contains(u) ? $0[u].properties : [:] } ?? [:]
                properties["count"] = .int(Int64(counts[u]))
                properties["gi_z"] = results[u].z.map { .double(($0 * 1e6).rounded() / 1e6) } ?? .null
                properties["gi_p"] = results[u].p.map { .double($0) } ?? .null
                properties["gi_bin"] = .int(Int64(results[u].confidenceBin))
                return Feature(geometry: .polygon(units.polygons[u]), properties: properties)
            }
            // Hot and cold spots first, then by |z|: a truncated answer keeps what a map must show.
            let ordered = features.sorted {
                abs($0.properties["gi_z"]?.doubleValue ?? 0) > abs($1.properties["gi_z"]?.doubleValue ?? 0)
            }
            return try Self.collection(ordered, limit: limit, extra: [
                "units": .string(unitsName), "weights": .string(weightsKind), "cases": .int(Int64(cases.count)),
                "hot_99": .int(Int64(results.filter { $0.confidenceBin == 3 }.count)),
                "cold_99": .int(Int64(results.filter { $0.confidenceBin == -3 }.count)),
            ])
        }
        return JSONResponse.bytes(try JSON.encodeBytes(answer), contentType: "application/geo+json")
    }

    private func density(_ request: Request) async throws -> Response {
        let query = AnalysisParsing.query(request)
        let cases = try await cases(query, withTimes: false)
        let box = try RequestParsing.boundingBox(try RequestParsing.required(query["bbox"], "bbox"))
        let cell = try AnalysisParsing.number(query["cell_m"].map { .string($0) }, "cell_m", 5...50_000, default: 100)
        let bandwidth = try AnalysisParsing.number(query["bandwidth_m"].map { .string($0) }, "bandwidth_m", 10...50_000, default: 300)
        let asGeoJSON = (query["format"] ?? "grid") == "geojson"
        guard ["grid", "geojson"].contains(query["format"] ?? "grid") else {
            throw APIError(code: .invalidArgument, message: "format must be grid or geojson", details: ["field": "format"])
        }
        let maximumCells = limits.cells, limit = maximumFeatures
        let answer = try await ComputePool.shared.run { () -> JSONValue in
            let grid: DensityGrid
            do throws(GeoError) {
                grid = try KernelDensity.quartic(cases.map(\.position), bounds: box, cellMetres: cell, bandwidthMetres: bandwidth,
                    maximumCells: maximumCells)
            } catch where error.code == .cancelled {
                throw error
            } catch {
                throw APIError(code: error.code, message: error.message, details: ["field": .string(error.location ?? "cell_m")])
            }
            let rounded = grid.values.map { JSONValue.double(($0 * 1000).rounded() / 1000) }
            guard asGeoJSON else {
                return .object([
                    "origin": .array([.double(grid.origin.x), .double(grid.origin.y)]), "cell_m": .double(cell), "bandwidth_m": .double(bandwidth),
                    "columns": .int(Int64(grid.columns)), "rows": .int(Int64(grid.rows)), "unit": "cases per km²",
                    "max": .double((grid.maximum * 1000).rounded() / 1000), "values": .array(rounded), "cases": .int(Int64(cases.count)),
                ])
            }
            var features: [Feature] = []
            for row in 0..<grid.rows {
                for column in 0..<grid.columns where grid.values[row * grid.columns + column] > 0 {
                    features.append(Feature(geometry: .polygon(grid.cellPolygon(column: column, row: row)), properties: [
                        "column": .int(Int64(column)), "row": .int(Int64(row)), "density": rounded[row * grid.columns + column],
                    ]))
                }
            }
            return try Self.collection(features, limit: limit, extra: ["max": .double((grid.maximum * 1000).rounded() / 1000), "cell_m": .double(cell)])
        }
        return JSONResponse.bytes(try JSON.encodeBytes(answer), contentType: asGeoJSON ? "application/geo+json" : "application/json")
    }
}
