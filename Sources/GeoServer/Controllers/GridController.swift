import GeoCore
import GeoEngine
import GeoGrids
import GeoStore
import Hummingbird

/// `/v1/locate`: the district, street, community, unit grid and responsibility grids of a point, and the polygons
/// of the lookup families asked that hold it, one at a time or in batches, from the in-memory `GridLocator` and
/// family indexes.
struct GridController {
    let grids: LayerVersionedValue<GridLocator>
    let families: PolygonFamilies
    /// The census report of the unit-grid layer: a full GEOS pass, computed on first request and again only when
    /// the unit grids or communities change.
    let census: LayerVersionedValue<GridQualityReport>
    let maximumBatchPoints: Int
    let maximumBodyBytes: Int

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("locate", use: locate)
        group.post("locate/batch", use: ComputePool.shared.offloaded(locateBatch))
        group.get("grids/check", use: checkGrids)
        group.get("grids/stats", use: gridStatistics)
    }

    /// `GET /v1/locate`.
    @Sendable func locate(_ request: Request, context: CityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let crs = try RequestParsing.crs(query["crs"].map(String.init))
        let point = try RequestParsing.point(
            lon: query["lon"].map(String.init), lat: query["lat"].map(String.init), crs: crs)
        let position = CRS.convert(point, from: crs, to: .cgcs2000)
        try await RegionFilter.of(context, grids: grids)?.require(position, field: "lon")
        let location = try await grids.value.locate(position)
        var body = Self.describe(location, point: point)
        if let names = query["families"] {
            let indexes = try await familyIndexes(String(names))
            var found: [Int] = []
            body = Self.adding(families: indexes, at: position, attributes: true, to: body, scratch: &found)
        }
        return try JSONResponse.make(body)
    }

    /// The indexes of the families a request names, 400 naming `families` for a name that is not one.
    func familyIndexes(_ names: String) async throws -> [FamilyIndex] {
        do {
            return try await families.indexes(named: names)
        } catch let error as GeoError {
            throw APIError(error, field: "families")
        }
    }

    /// `body` with `families`: per family, the polygons holding `position` (code, name and, with `attributes`,
    /// their properties).
    static func adding(families: [FamilyIndex], at position: Coordinate, attributes: Bool, to body: JSONValue, scratch: inout [Int]) -> JSONValue {
        guard case .object(var object) = body else { return body }
        var hits: [String: JSONValue] = [:]
        for family in families {
            family.containing(position, into: &scratch)
            hits[family.family.layer] = .array(
                scratch.map { k in
                    let hit = family.hit(k)
                    var entry: [String: JSONValue] = ["code": .string(hit.code), "name": .string(hit.name)]
                    if attributes { entry["attributes"] = .object(hit.attributes) }
                    return .object(entry)
                })
        }
        object["families"] = .object(hits)
        return .object(object)
    }

    /// `POST /v1/locate/batch`.
    @Sendable func locateBatch(_ request: Request, context: CityRequestContext) async throws -> Response {
        let body = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes)
        guard case .object(let object) = body else {
            throw APIError(code: .invalidArgument, message: "body must be a JSON object with \"points\"", details: ["field": "$"])
        }
        let crs = try RequestParsing.crs(member: object["crs"])
        let points = try RequestParsing.pointArray(object["points"], field: "points", maximumCount: maximumBatchPoints, crs: crs)
        let locator = try await grids.value
        if let fields = object["fields"], fields != .null, fields.stringValue == nil {
            throw APIError(code: .invalidArgument, message: "fields must be a string (\"unit_grid\")", details: ["field": "fields"])
        }
        let codesOnly = object["fields"]?.stringValue == "unit_grid"
        let familyIndexes = try await batchFamilies(object["families"])
        if !familyIndexes.isEmpty && codesOnly {
            throw APIError(code: .invalidArgument, message: "fields \"unit_grid\" answers codes only; leave it out to ask families", details: ["field": "fields"])
        }
        if let value = object["attributes"], value != .bool(true), value != .bool(false) {
            throw APIError(code: .invalidArgument, message: "attributes must be true or false", details: ["field": "attributes"])
        }
        let attributes = object["attributes"] == .bool(true)
        var scratch: [Int] = []
        var results: [JSONValue] = []
        results.reserveCapacity(points.count)
        var located = 0
        for (k, point) in points.enumerated() {
            if k % 4096 == 0 { try GeoError.throwIfCancelled() }
            let position = CRS.convert(point, from: crs, to: .cgcs2000)
            // Asked only for the unit grid, skip the community/street/district lookups.
            if codesOnly {
                let grid = locator.unitGrid(at: position)
                if grid != nil { located += 1 }
                results.append(grid.map { .string($0.code) } ?? .null)
            } else {
                let location = locator.locate(position)
                if location.unitGrid != nil { located += 1 }
                let described = Self.describe(location, point: nil)
                results.append(
                    familyIndexes.isEmpty
                        ? described : Self.adding(families: familyIndexes, at: position, attributes: attributes, to: described, scratch: &scratch))
            }
        }
        return try JSONResponse.make(.object(["count": .int(Int64(points.count)), "results": .array(results), "located": .int(Int64(located))]))
    }

    /// The families of a batch's `families` member: `all`, names separated by commas, or an array of names.
    private func batchFamilies(_ value: JSONValue?) async throws -> [FamilyIndex] {
        switch value {
        case nil, .null?: return []
        case .string(let names)?: return try await familyIndexes(names)
        case .array(let items)? where items.allSatisfy({ $0.stringValue != nil }):
            return try await familyIndexes(items.compactMap(\.stringValue).joined(separator: ","))
        default:
            throw APIError(code: .invalidArgument, message: "families must be \"all\", a list of names or an array of names", details: ["field": "families"])
        }
    }

    /// `GET /v1/grids/check`.
    @Sendable func checkGrids(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = request.uri.queryParameters["format"].map(String.init) ?? "json"
        guard format == "json" || format == "geojson" else {
            throw APIError(code: .invalidArgument, message: "format \"\(format)\" is not json or geojson", details: ["field": "format"])
        }
        let report = try await census.value
        if format == "geojson" {
            return JSONResponse.bytes(try GeoJSON.encodeBytes(report.problemFeatures), contentType: "application/geo+json")
        }
        let counts = JSONValue.object(Dictionary(uniqueKeysWithValues: report.problemCounts.map { ($0.kind.rawValue, JSONValue.int(Int64($0.count))) }))
        let problems = JSONValue.array(
            report.problems.map { problem in
                .object([
                    "kind": .string(problem.kind.rawValue), "codes": .array(problem.codes.map { .string($0) }),
                    "message": .string(problem.message), "area_m2": problem.areaSquareMetres.map { .double($0) } ?? .null,
                ])
            })
        return try JSONResponse.make(.object(["counts": counts, "problems": problems, "statistics": Self.describe(report.overall)]))
    }

    /// `GET /v1/grids/stats`.
    @Sendable func gridStatistics(_ request: Request, context: CityRequestContext) async throws -> Response {
        let report = try await census.value
        let communities = JSONValue.array(
            report.perCommunity.map { entry in
                var row = Self.describe(entry.statistics)
                if case .object(var object) = row { object["community_code"] = .string(entry.code); row = .object(object) }
                return row
            })
        return try JSONResponse.make(.object(["overall": Self.describe(report.overall), "communities": communities]))
    }

    static func describe(_ statistics: GridQualityReport.AreaStatistics) -> JSONValue {
        func rounded(_ value: Double) -> JSONValue { .double((value * 10).rounded() / 10) }
        return .object([
            "count": .int(Int64(statistics.count)), "total_area_m2": rounded(statistics.totalArea), "mean_area_m2": rounded(statistics.meanArea),
            "min_area_m2": rounded(statistics.minimumArea), "max_area_m2": rounded(statistics.maximumArea),
        ])
    }

    /// The location as the API shows it; regions absent from the answer are null.
    static func describe(_ location: GridLocation, point: Coordinate?) -> JSONValue {
        func region(_ reference: RegionReference?) -> JSONValue {
            reference.map { .object(["code": .string($0.code), "name": .string($0.name)]) } ?? .null
        }
        var body: [String: JSONValue] = [
            "district": region(location.district), "street": region(location.street), "community": region(location.community),
            "unit_grid": region(location.unitGrid), "responsibility_grids": .array(location.responsibilityGrids.map { region($0) }),
        ]
        if let point { body["point"] = .array([.double(point.x), .double(point.y)]) }
        return .object(body)
    }
}

extension GridQualityReport {
    /// The census report of `store`'s unit grids against its communities, rebuilt when either layer changes. The
    /// GEOS pass runs on the ``ComputePool``, off the event loops; it is shared by every request waiting for it, so
    /// one client going away does not stop it.
    static func versioned(store: any FeatureStore, checkInterval: Duration) -> LayerVersionedValue<GridQualityReport> {
        let grids = GridLocator.layerNames.unitGrids, communities = GridLocator.layerNames.communities
        return LayerVersionedValue(store: store, layerNames: [grids, communities], checkInterval: checkInterval) { store in
            guard try await store.layer(named: grids) != nil else {
                throw APIError(code: .layerNotFound, message: "no layer named \"\(grids)\"; import one first")
            }
            let unitGrids = try await store.features(in: grids).map(\.feature)
            let communityFeatures = try await store.layer(named: communities) == nil ? [] : try await store.features(in: communities).map(\.feature)
            return try await ComputePool.shared.run {
                try GridQualityChecker().check(unitGrids: unitGrids, communities: communityFeatures, engine: try GeometryEngine())
            }
        }
    }
}
