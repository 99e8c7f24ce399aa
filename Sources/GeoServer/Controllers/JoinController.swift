import Foundation
import GeoCore
import GeoGrids
import GeoStore
import Hummingbird

/// `/v1/nearest`, `/v1/within`, `/v1/cases/duplicates`, `/v1/aggregate`, `/v1/heat`: spatial joins over point
/// layers of the store (staff, components, cameras, cases), answered from in-memory indexes that are rebuilt
/// when the layer's version changes.
struct JoinController {
    let grids: LayerVersionedValue<GridLocator>
    let points: PointLayers
    let maximumBodyBytes: Int
    let maximumGeometryVertices: Int

    static let maximumNeighbours = 1_000
    static let maximumRadiusMetres = 50_000.0

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("nearest", use: nearest)
        group.get("within", use: withinRadius)
        group.post("within", use: ComputePool.shared.offloaded(withinPolygon))
        group.post("cases/duplicates", use: ComputePool.shared.offloaded(duplicateCases))
        group.get("aggregate", use: ComputePool.shared.offloaded(aggregate))
        group.get("heat", use: ComputePool.shared.offloaded(heat))
    }

    /// `GET /v1/nearest`.
    @Sendable func nearest(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let index = try await pointIndex(try RequestParsing.required(query["layer"], "layer"))
        let crs = try RequestParsing.crs(query["crs"].map(String.init))
        let point = try RequestParsing.point(lon: query["lon"].map(String.init), lat: query["lat"].map(String.init), crs: crs)
        let k = try query["k"].map { try RequestParsing.number(String($0), "k", 1...Double(Self.maximumNeighbours)) }.map(Int.init) ?? 5
        let maximum = try query["max_distance"].map { try RequestParsing.number(String($0), "max_distance", 0...Self.maximumRadiusMetres) }
        let filter = try Self.filter(query["filter"])
        let origin = CRS.convert(point, from: crs, to: .cgcs2000)
        guard let region = try await RegionFilter.of(context, grids: grids) else {
            return try Self.collection(index.nearest(to: origin, k: k, maxDistanceMetres: maximum, filter: filter), from: index)
        }
        // A region-limited key: the k nearest among those in its regions, found among everything within reach.
        try region.require(origin, field: "lon")
        let reachable = index.within(radiusMetres: maximum ?? Self.maximumRadiusMetres, of: origin, filter: filter)
        return try Self.collection(Array(Self.inRegion(reachable, of: index, region).prefix(k)), from: index)
    }

    /// `GET /v1/within`.
    @Sendable func withinRadius(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let index = try await pointIndex(try RequestParsing.required(query["layer"], "layer"))
        let crs = try RequestParsing.crs(query["crs"].map(String.init))
        let point = try RequestParsing.point(lon: query["lon"].map(String.init), lat: query["lat"].map(String.init), crs: crs)
        let radius = try RequestParsing.number(try RequestParsing.required(query["radius"], "radius"), "radius", 0...Self.maximumRadiusMetres)
        let origin = CRS.convert(point, from: crs, to: .cgcs2000)
        let region = try await RegionFilter.of(context, grids: grids)
        try region?.require(origin, field: "lon")
        let found = index.within(radiusMetres: radius, of: origin, filter: try Self.filter(query["filter"]))
        return try Self.collection(region.map { Self.inRegion(found, of: index, $0) } ?? found, from: index)
    }

    /// `POST /v1/within`.
    @Sendable func withinPolygon(_ request: Request, context: CityRequestContext) async throws -> Response {
        let body = try await Self.object(request, context: context, maximumBytes: maximumBodyBytes)
        let index = try await pointIndex(try RequestParsing.required(body["layer"]?.stringValue, "layer"))
        guard let polygonValue = body["polygon"] else {
            throw APIError(code: .invalidArgument, message: "body needs \"polygon\", a GeoJSON Polygon or MultiPolygon", details: ["field": "polygon"])
        }
        let polygon: Geometry
        do throws(GeoError) {
            polygon = try GeoJSON.decodeGeometry(from: polygonValue)
        } catch {
            throw APIError(code: error.code, message: error.message, details: ["field": .string("polygon" + (error.location.map { ".\($0)" } ?? ""))])
        }
        guard polygon.type == .polygon || polygon.type == .multiPolygon else {
            throw APIError(code: .invalidGeometry, message: "polygon is a \(polygon.type.rawValue), not a Polygon or MultiPolygon", details: ["field": "polygon"])
        }
        try RequestParsing.checkVertexCount(polygon, field: "polygon", maximum: maximumGeometryVertices)
        let found = index.within(polygon: polygon, filter: try Self.filter(body["filter"]?.stringValue.map { Substring($0) }))
        return try Self.collection(found.map { Neighbour(index: $0, distanceMetres: 0) }, from: index, withDistance: false)
    }

    /// `POST /v1/cases/duplicates`: the similar cases (类似案件) and the closed cases it repeats (重复案件) of one case,
    /// in two lists.
    @Sendable func duplicateCases(_ request: Request, context: CityRequestContext) async throws -> Response {
        let body = try await Self.object(request, context: context, maximumBytes: maximumBodyBytes)
        for replaced in ["distance_m", "window_days"] where body[replaced] != nil {
            throw APIError(
                code: .invalidArgument,
                message: "\(replaced) is no longer read: similar and repeat cases have rules of their own (similar.distance_m, similar.window_hours, repeat.distance_m, repeat.window_days)",
                details: ["field": .string(replaced)])
        }
        let layer = body["layer"]?.stringValue ?? "cases"
        let crs = try RequestParsing.crs(member: body["crs"])
        guard case .object(let caseObject)? = body["case"] else {
            throw APIError(code: .invalidArgument, message: "body needs \"case\": {lon, lat, category, time}", details: ["field": "case"])
        }
        guard let lon = caseObject["lon"]?.doubleValue, let lat = caseObject["lat"]?.doubleValue else {
            throw APIError(code: .invalidCoordinate, message: "case.lon and case.lat must be numbers", details: ["field": "case.lon"])
        }
        let point = CRS.convert(try RequestParsing.checked(Coordinate(x: lon, y: lat), field: "case"), from: crs, to: .cgcs2000)
        let region = try await RegionFilter.of(context, grids: grids)
        try region?.require(point, field: "case.lon")
        let category = try RequestParsing.required(caseObject["category"]?.stringValue, "case.category")
        let time = try Self.date(caseObject["time"]?.scalarText, field: "case.time")
        let locator = try await grids.value
        var detector = try await Self.layerLookup(layer) { try await points.cases(of: $0) }
        try CaseRulesParsing.apply(body, to: &detector)
        let newCase = CaseRecord(
            id: caseObject["id"]?.scalarText ?? "", category: category, time: time, position: point, gridCode: locator.unitGrid(at: point)?.code)
        let rules = detector.rules(for: category)
        // A region-limited key sees the matches in its regions only.
        let similar = detector.similar(to: newCase).filter { region?.contains($0.record.position) ?? true }.map { match -> JSONValue in
            var entry = Self.describe(match.record, distance: match.distanceMetres)
            entry["hours_apart"] = .double((match.secondsApart / 36).rounded() / 100)
            return .object(entry)
        }
        let repeats = detector.repeats(of: newCase).filter { region?.contains($0.record.position) ?? true }.map { match -> JSONValue in
            var entry = Self.describe(match.record, distance: match.distanceMetres)
            entry["same_grid"] = .bool(match.sameGrid)
            entry["days_since_closed"] = .double((match.secondsSinceClosed / 864).rounded() / 100)
            return .object(entry)
        }
        return try JSONResponse.make(
            .object([
                "grid_code": newCase.gridCode.map(JSONValue.string) ?? .null, "similar": .array(similar), "repeat": .array(repeats),
                "rules": CaseRulesParsing.describe(rules.similar, rules.repeat),
            ]))
    }

    /// A matched case as both lists show it.
    static func describe(_ record: CaseRecord, distance: Double) -> [String: JSONValue] {
        [
            "id": .string(record.id), "category": .string(record.category), "time": .string(TimeText.format(record.time.timeIntervalSince1970)),
            "status": .string(record.status), "grid_code": record.gridCode.map(JSONValue.string) ?? .null,
            "closed_time": record.closedTime.map { .string(TimeText.format($0.timeIntervalSince1970)) } ?? .null,
            "distance_m": .double((distance * 100).rounded() / 100),
        ]
    }

    /// `GET /v1/aggregate`.
    @Sendable func aggregate(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let layer = try RequestParsing.required(query["layer"], "layer")
        let level: RegionLevel =
            switch query["level"].map(String.init) ?? "unit_grid" {
            case "unit_grid": .unitGrid
            case "community": .community
            case "street": .street
            case "district": .district
            case let other:
                throw APIError(code: .invalidArgument, message: "level \"\(other)\" is not unit_grid, community, street or district", details: ["field": "level"])
            }
        let from = try Self.date(query["from"].map(String.init), field: "from")
        let to = try Self.date(query["to"].map(String.init), field: "to")
        guard from < to else {
            throw APIError(code: .invalidArgument, message: "the time range is empty: from must be before to",
                details: ["field": "from"])
        }
        let timeField = query["time_field"].map(String.init) ?? "time"
        let sumField = query["sum"].map(String.init)
        let locator = try await grids.value
        let index = try await pointIndex(layer)
        var records: [GridAggregator.Record] = []
        for (k, feature) in index.features.enumerated() {
            if k % 4096 == 0 { try GeoError.throwIfCancelled() }
            guard case .point(let p)? = feature.geometry, let text = feature.properties[timeField]?.stringValue, let time = Self.parseDate(text) else { continue }
            var value: Double?
            if let sumField {
                guard let number = feature.properties[sumField]?.doubleValue else {
                    throw APIError(code: .invalidArgument, message: "feature \(k) of \(layer) has no number \"\(sumField)\" to sum", details: ["field": "sum"])
                }
                value = number
            }
            let grid = feature.properties["grid_code"]?.stringValue ?? locator.unitGrid(at: p.coordinate)?.code
            if let grid { records.append(GridAggregator.Record(gridCode: grid, time: time, value: value)) }
        }
        let rows = try GridAggregator.aggregate(records, level: level, from: from, to: to)
        return try JSONResponse.make(
            .object([
                "level": .string(query["level"].map(String.init) ?? "unit_grid"), "total": .int(Int64(rows.reduce(0) { $0 + $1.count })),
                "rows": .array(rows.map { row in
                    .object(["code": .string(row.code), "count": .int(Int64(row.count)), "sum": row.sum.map(JSONValue.double) ?? .null])
                }),
            ]))
    }

    /// `GET /v1/heat`.
    @Sendable func heat(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let index = try await pointIndex(try RequestParsing.required(query["layer"], "layer"))
        let box = try RequestParsing.boundingBox(try RequestParsing.required(query["bbox"], "bbox"))
        let cell = try RequestParsing.number(query["cell_m"].map(String.init) ?? "500", "cell_m", 10...50_000)
        let timeField = query["time_field"].map(String.init) ?? "time"
        let from = try query["from"].map { try Self.date(String($0), field: "from") }
        let to = try query["to"].map { try Self.date(String($0), field: "to") }
        var positions: [Coordinate] = []
        for feature in index.features {
            guard case .point(let p)? = feature.geometry else { continue }
            if from != nil || to != nil {
                guard let time = feature.properties[timeField]?.stringValue.flatMap(Self.parseDate) else { continue }
                if let from, time < from { continue }
                if let to, time >= to { continue }
            }
            positions.append(p.coordinate)
        }
        let cells: [GridAggregator.HeatCell]
        do throws(GeoError) {
            cells = try GridAggregator.heat(positions, box: box, cellMetres: cell)
        } catch {
            throw APIError(code: error.code, message: error.message, details: ["field": "cell_m"])
        }
        let features = cells.map { cell in
            Feature(
                geometry: .polygon(cell.bounds.polygon),
                properties: ["column": .int(Int64(cell.column)), "row": .int(Int64(cell.row)), "count": .int(Int64(cell.count))])
        }
        return JSONResponse.bytes(try GeoJSON.encodeBytes(FeatureCollection(features)), contentType: "application/geo+json")
    }

    /// The point index of the layer a request names; the name is checked first, and an unknown layer is 404
    /// naming the field `layer`.
    func pointIndex(_ layer: String) async throws -> PointLayerIndex {
        try await Self.layerLookup(layer) { try await points.index(of: $0) }
    }

    static func layerLookup<T>(_ layer: String, _ lookup: (String) async throws -> T) async throws -> T {
        let name = try RequestParsing.layerName(layer, field: "layer")
        do {
            return try await lookup(name)
        } catch let error as GeoError where error.code == .layerNotFound {
            throw APIError(error, field: "layer")
        }
    }

    // MARK: Parsing

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): s
        default: "\(value)"
        }
    }

    static func filter(_ text: Substring?) throws -> AttributeFilter? {
        guard let text, !text.isEmpty else { return nil }
        do {
            return try AttributeFilter(parsing: String(text))
        } catch {
            throw APIError(code: error.code, message: error.message, details: ["field": "filter"])
        }
    }

    /// A stored time (a feature's `time` property) in one of ``TimeText``'s forms; nil when it is not one.
    static func parseDate(_ text: String) -> Date? {
        (try? TimeText.seconds(text)).map { Date(timeIntervalSince1970: $0) }
    }

    /// A required time parameter in one of ``TimeText``'s forms; 400 naming the field otherwise.
    static func date(_ text: String?, field: String) throws -> Date {
        Date(timeIntervalSince1970: try RequestParsing.time(try RequestParsing.required(text, field), field: field))
    }

    static func object(_ request: Request, context: some RequestContext, maximumBytes: Int) async throws -> [String: JSONValue] {
        guard case .object(let object) = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBytes) else {
            throw APIError(code: .invalidArgument, message: "body must be a JSON object", details: ["field": "$"])
        }
        return object
    }

    /// The found features as GeoJSON, each with `distance_m` added, in the given order.
    /// The neighbours whose features lie in the caller's regions.
    static func inRegion(_ found: [Neighbour], of index: PointLayerIndex, _ region: RegionFilter) -> [Neighbour] {
        found.filter { region.contains(index.features[$0.index]) }
    }

    static func collection(_ found: [Neighbour], from index: PointLayerIndex, withDistance: Bool = true) throws -> Response {
        let features = found.map { neighbour -> Feature in
            var feature = index.features[neighbour.index]
            if withDistance { feature.properties["distance_m"] = .double((neighbour.distanceMetres * 100).rounded() / 100) }
            return feature
        }
        return JSONResponse.bytes(try GeoJSON.encodeBytes(FeatureCollection(features)), contentType: "application/geo+json")
    }
}
