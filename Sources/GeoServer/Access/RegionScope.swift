import GeoCore
import GeoGrids
import GeoStore

/// Keys limited to regions (`citygeo keys create --regions 320904001`): such a key sees only the subtrees of its
/// region codes (a 6-digit county, 9-digit street, 12-digit community, 15-digit unit grid).
///
/// Only the routes in ``routes`` know regions: they refuse a place outside with 403 `out_of_region` naming the
/// field, or leave out what lies outside. Every other route refuses a region-limited key outright (closed by
/// default), unless its scope is public: then the key sees what anyone sees.
enum RegionScope {
    /// The routes that check or filter by region.
    static let routes: Set<String> = [
        // The catalogue (names, schemas, counts) tells nothing about places.
        "GET /v1/layers", "GET /v1/layers/{name}",
        // Features, cases and staff: only those lying in the regions; a query point must lie in them.
        "GET /v1/layers/{name}/features", "GET /v1/locate", "GET /v1/nearest", "GET /v1/within",
        "POST /v1/cases/duplicates", "GET /v1/reverse",
        // Vehicles: events that started in the regions.
        "GET /v1/events", "GET /v1/events/stream",
    ]

    /// Refuses a region-limited key on a route that does not know regions.
    static func admit(_ caller: Caller, route: String) throws(APIError) {
        guard !caller.regions.isEmpty, !routes.contains(route) else { return }
        throw APIError(
            code: .outOfRegion,
            message: "key \(caller.keyId) is limited to the regions \(caller.regions.joined(separator: ", ")); \(route) is not "
                + "available to region-limited keys (it cannot be limited to a region)",
            details: ["key_id": .string(caller.keyId), "regions": .array(caller.regions.map(JSONValue.string))])
    }
}

/// The regions a request's key is limited to, with the grid locator that says where a point lies.
struct RegionFilter: Sendable {
    let regions: [String]
    let locator: GridLocator

    /// The filter of the request's caller, nil when the caller may see everywhere.
    static func of(_ context: CityRequestContext, grids: LayerVersionedValue<GridLocator>) async throws -> RegionFilter? {
        guard let regions = context.caller?.regions, !regions.isEmpty else { return nil }
        return RegionFilter(regions: regions, locator: try await grids.value)
    }

    /// Whether a CGCS2000 point lies in one of the regions: one of the codes of the area it falls in (unit grid,
    /// community, street, district) starts with a region code.
    func contains(_ point: Coordinate) -> Bool {
        let location = locator.locate(point)
        let codes = [location.unitGrid, location.community, location.street, location.district].compactMap { $0?.code }
        return codes.contains { code in regions.contains { code.hasPrefix($0) } }
    }

    /// Whether a feature lies in the regions, judged by its representative point: a point itself, the centre of the
    /// bounding box of anything else. Features without geometry lie nowhere.
    func contains(_ feature: Feature) -> Bool {
        guard let box = feature.geometry?.boundingBox else { return false }
        return contains(Coordinate(x: (box.minX + box.maxX) / 2, y: (box.minY + box.maxY) / 2))
    }

    /// Refuses a query point outside the regions, naming the parameter.
    func require(_ point: Coordinate, field: String) throws(APIError) {
        guard !contains(point) else { return }
        throw APIError(
            code: .outOfRegion,
            message: "\(field) lies outside the regions this key is limited to (\(regions.joined(separator: ", ")))",
            details: ["field": .string(field), "regions": .array(regions.map(JSONValue.string))])
    }
}
