import GeoCore
import GeoGrids
import Hummingbird

/// `/v1/locate`: the district, street, community, unit grid and responsibility grids of a point, one at a
/// time or in batches, from the in-memory `GridLocator`.
struct GridController {
    let grids: GridService
    let maximumBatchPoints: Int
    let maximumBodyBytes: Int

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("locate") { request, _ -> Response in
            let query = request.uri.queryParameters
            let crs = try RequestParsing.crs(query["crs"].map(String.init))
            let point = try RequestParsing.point(
                lon: query["lon"].map(String.init), lat: query["lat"].map(String.init), crs: crs)
            let location = await grids.locator.locate(CRS.convert(point, from: crs, to: .cgcs2000))
            return try JSONResponse.make(Self.describe(location, point: point))
        }
        group.post("locate/batch") { request, context -> Response in
            let body = try await RequestParsing.jsonBody(request, context: context, maximumBytes: maximumBodyBytes)
            guard case .object(let object) = body else {
                throw APIError(status: .badRequest, code: "invalid_argument", message: "body must be a JSON object with \"points\"", details: ["field": "$"])
            }
            let crs = try RequestParsing.crs(object["crs"]?.stringValue)
            let points = try RequestParsing.pointArray(object["points"], field: "points", maximumCount: maximumBatchPoints, crs: crs)
            let locator = await grids.locator
            let codesOnly = object["fields"]?.stringValue == "unit_grid"
            var results: [JSONValue] = []
            results.reserveCapacity(points.count)
            for point in points {
                let location = locator.locate(CRS.convert(point, from: crs, to: .cgcs2000))
                results.append(codesOnly ? (location.unitGrid.map { .string($0.code) } ?? .null) : Self.describe(location, point: nil))
            }
            let located = results.filter { $0 != .null && $0 != .object([:]) }.count
            return try JSONResponse.make(.object(["count": .int(Int64(points.count)), "results": .array(results), "located": .int(Int64(located))]))
        }
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

/// The server's current grid locator, rebuilt from the store when grid layers change.
actor GridService {
    private(set) var locator: GridLocator

    init(locator: GridLocator) { self.locator = locator }

    func replace(with locator: GridLocator) { self.locator = locator }
}
