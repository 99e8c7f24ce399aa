import Foundation
import GeoAnalysis
import GeoCore
import GeoEngine
import GeoStore
import Hummingbird

/// `/v1/route`, `/v1/route/nearest`, `/v1/route/isochrone`: dispatch on the roads layer — the path between two
/// points, the resources (inspectors' last positions, vehicles, facilities) that reach an incident soonest by road,
/// and the area reachable within N minutes. The road graph is built once per roads-layer version.
struct RouteController {
    let layers: AnalysisLayers
    let limits: AnalysisLimits

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("route") { request, _ in try await route(request) }
        group.get("route/nearest") { request, _ in try await nearest(request) }
        group.get("route/isochrone") { request, _ in try await isochrone(request) }
    }

    /// The router of the `roads` parameter's layer (default `roads`).
    private func router(_ query: [String: String]) async throws -> RoadRouter {
        try await layers.router(query["roads"] ?? "roads", field: "roads", maximum: limits.layerFeatures)
    }

    private func cost(_ query: [String: String]) throws -> RoadRouter.Cost {
        try AnalysisParsing.choice(query["by"], "by", default: RoadRouter.Cost.time)
    }

    private func snapLimit(_ query: [String: String]) throws -> Double {
        try AnalysisParsing.number(query["max_snap_m"].map { .string($0) }, "max_snap_m", 1...limits.snapMetres, default: 500)
    }

    /// A `lon,lat` parameter in the request's CRS, converted to CGCS2000.
    private static func pair(_ text: String?, _ field: String, crs: CRS) throws -> Coordinate {
        let parts = try RequestParsing.required(text, field).split(separator: ",")
        guard parts.count == 2, let x = Double(parts[0].trimmingCharacters(in: .whitespaces)), let y = Double(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw APIError(code: .invalidCoordinate, message: "\(field) must be lon,lat, got \"\(text ?? "")\"", details: ["field": .string(field)])
        }
        return CRS.convert(try RequestParsing.checked(Coordinate(x: x, y: y), field: field), from: crs, to: .cgcs2000)
    }

    /// Snaps a point onto the network, 400 naming `field` when no road is within `limit` metres.
    private static func snap(_ router: RoadRouter, _ point: Coordinate, within limit: Double, field: String) throws -> RoadRouter.Position {
        guard let position = router.snap(point, within: limit) else {
            throw APIError(code: .invalidArgument, message: "no road within \(Int(limit)) m of \(field) (\(point.x), \(point.y)); raise max_snap_m or move the point",
                details: ["field": .string(field)])
        }
        return position
    }

    private func route(_ request: Request) async throws -> Response {
        let query = AnalysisParsing.query(request)
        let crs = try RequestParsing.crs(query["crs"])
        let from = try Self.pair(query["from"], "from", crs: crs), to = try Self.pair(query["to"], "to", crs: crs)
        let cost = try cost(query), limit = try snapLimit(query)
        let router = try await router(query)
        let start = try Self.snap(router, from, within: limit, field: "from"), end = try Self.snap(router, to, within: limit, field: "to")
        let route = try await ComputePool.shared.run { router.route(from: start, to: end, by: cost) }
        var properties: [String: JSONValue] = [
            "by": .string(cost.rawValue), "found": .bool(route != nil),
            "from_snap_m": .double(AnalysisParsing.rounded(start.snapDistance)), "to_snap_m": .double(AnalysisParsing.rounded(end.snapDistance)),
        ]
        guard let route else {
            // No way along the roads (one-way streets, a separate piece of network): an answer, not an error.
            return JSONResponse.bytes(try GeoJSON.encodeBytes(Feature(geometry: nil, properties: properties)), contentType: "application/geo+json")
        }
        properties["length_m"] = .double(AnalysisParsing.rounded(route.metres))
        properties["duration_s"] = .double((route.seconds * 10).rounded() / 10)
        var roads: [JSONValue] = []
        for e in route.edges {
            let name = router.network.roads[router.network.edges[e].road].name
            if roads.last?.stringValue != name { roads.append(.string(name)) }
        }
        properties["roads"] = .array(roads)
        let feature = Feature(geometry: .lineString(LineString(route.coordinates)), properties: properties)
        return JSONResponse.bytes(try GeoJSON.encodeBytes(feature), contentType: "application/geo+json")
    }

    private func nearest(_ request: Request) async throws -> Response {
        let query = AnalysisParsing.query(request)
        let crs = try RequestParsing.crs(query["crs"])
        let point = CRS.convert(try RequestParsing.point(lon: query["lon"], lat: query["lat"], crs: crs), from: crs, to: .cgcs2000)
        let k = Int(try AnalysisParsing.number(query["k"].map { .string($0) }, "k", 1...Double(limits.nearest), default: 5))
        let cost = try cost(query), limit = try snapLimit(query)
        let resources = try AnalysisParsing.points(
            try AnalysisParsing.filtered(
                try await layers.features(try RequestParsing.required(query["layer"], "layer"), field: "layer", maximum: limits.layerFeatures),
                query["filter"], field: "filter"),
            field: "layer")
        guard resources.count <= limits.facilities else {
            throw APIError(code: .invalidArgument, message: "\(resources.count) resources; the limit is \(limits.facilities): narrow them with filter",
                details: ["field": "layer", "maximum": .int(Int64(limits.facilities))])
        }
        let router = try await router(query)
        let incident = try Self.snap(router, point, within: limit, field: "lon/lat")
        let found = try await ComputePool.shared.run {
            let positions = resources.map { router.snap($0.position, within: limit) }
            return try router.nearest(positions, to: incident, k: k, by: cost)
        }
        let features = found.map { reach -> Feature in
            var feature = resources[reach.resource].feature
            feature.properties["road_m"] = .double(AnalysisParsing.rounded(reach.metres))
            feature.properties["road_s"] = .double((reach.seconds * 10).rounded() / 10)
            feature.properties["straight_m"] = .double(AnalysisParsing.rounded(EllipsoidalMeasure.distance(from: resources[reach.resource].position, to: point)))
            return feature
        }
        return JSONResponse.bytes(try GeoJSON.encodeBytes(FeatureCollection(features)), contentType: "application/geo+json")
    }

    private func isochrone(_ request: Request) async throws -> Response {
        let query = AnalysisParsing.query(request)
        let crs = try RequestParsing.crs(query["crs"])
        let point = CRS.convert(try RequestParsing.point(lon: query["lon"], lat: query["lat"], crs: crs), from: crs, to: .cgcs2000)
        let cost = try cost(query), snapLimit = try snapLimit(query)
        let limit: Double
        switch cost {
        case .time: limit = 60 * (try RequestParsing.number(try RequestParsing.required(query["minutes"], "minutes"), "minutes", 0.1...limits.isochroneMinutes))
        case .distance: limit = try RequestParsing.number(try RequestParsing.required(query["metres"], "metres"), "metres", 1...limits.isochroneMetres)
        }
        let corridor = try AnalysisParsing.number(query["corridor_m"].map { .string($0) }, "corridor_m", 1...1_000, default: 50)
        let router = try await router(query)
        let start = try Self.snap(router, point, within: snapLimit, field: "lon/lat")
        let area = try await ComputePool.shared.run {
            try router.isochrone(from: start, within: limit, by: cost, corridorMetres: corridor, engine: try GeometryEngine())
        }
        var properties: [String: JSONValue] = ["by": .string(cost.rawValue), "limit": .double(limit), "corridor_m": .double(corridor)]
        properties["road_m"] = .double(AnalysisParsing.rounded(area?.roads.reduce(0) { $0 + EllipsoidalMeasure.length(of: .lineString(LineString($1))) } ?? 0))
        properties["area_m2"] = .double(AnalysisParsing.rounded(area.map { EllipsoidalMeasure.area(of: $0.area) } ?? 0))
        let feature = Feature(geometry: area?.area, properties: properties)
        return JSONResponse.bytes(try GeoJSON.encodeBytes(feature), contentType: "application/geo+json")
    }
}
