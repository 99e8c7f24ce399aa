import Foundation
import GeoCore
import GeoGrids
import GeoStore
import Hummingbird

/// `/v1/layers`: the layer catalogue and the features of a layer as GeoJSON.
struct LayerController {
    let store: any CityStore
    let maximumFeatures: Int
    /// Where features lie, for keys limited to regions.
    let grids: LayerVersionedValue<GridLocator>

    func register(on group: RouterGroup<CityRequestContext>) {
        group.get("layers", use: listLayers)
        group.get("layers/:name", use: getLayer)
        group.get("layers/:name/features", use: ComputePool.shared.offloaded(layerFeatures))
    }

    /// `GET /v1/layers`.
    @Sendable func listLayers(_ request: Request, context: CityRequestContext) async throws -> Response {
        let layers = try await store.layers()
        return try JSONResponse.make(.object(["layers": .array(layers.map(Self.describe))]))
    }

    /// `GET /v1/layers/:name`.
    @Sendable func getLayer(_ request: Request, context: CityRequestContext) async throws -> Response {
        let name = try RequestParsing.layerName(context.parameters.require("name"), field: "name")
        guard let layer = try await store.layer(named: name) else { throw Self.notFound(name) }
        return try JSONResponse.make(Self.describe(layer))
    }

    /// `GET /v1/layers/:name/features`.
    @Sendable func layerFeatures(_ request: Request, context: CityRequestContext) async throws -> Response {
        let name = try RequestParsing.layerName(context.parameters.require("name"), field: "name")
        guard try await store.layer(named: name) != nil else { throw Self.notFound(name) }
        let query = request.uri.queryParameters
        let bbox = try query["bbox"].map { try RequestParsing.boundingBox(String($0)) }
        let limit = try query["limit"].map { try Self.parseCount(String($0), field: "limit", maximum: maximumFeatures) } ?? maximumFeatures
        let offset = try query["offset"].map { try Self.parseCount(String($0), field: "offset", maximum: Int(Int32.max)) } ?? 0
        let region = try await RegionFilter.of(context, grids: grids)
        var filter = FeatureFilter(bbox: bbox)
        if let region { filter.accepts = { region.contains($0) } }
        let features = try await store.features(in: name, matching: filter, limit: limit, offset: offset, countingMatches: false).features.map(\.feature)
        let collection = FeatureCollection(features)
        return JSONResponse.bytes(try GeoJSON.encodeBytes(collection), contentType: "application/geo+json")
    }

    static func notFound(_ name: String) -> APIError {
        APIError(code: .layerNotFound, message: "no layer named \"\(name)\"", details: ["field": "name"])
    }

    /// The catalogue entry as the API shows it.
    static func describe(_ layer: LayerInfo) -> JSONValue {
        var entry: [String: JSONValue] = [
            "name": .string(layer.name), "title": layer.title.map(JSONValue.string) ?? .null,
            "geometry_type": layer.geometryType.map { .string($0.rawValue) } ?? .null, "srid": .int(Int64(layer.srid)),
            "feature_count": .int(Int64(layer.featureCount)), "version": .int(layer.version),
            "schema": .array(layer.schema.map { .object(["name": .string($0.name), "type": .string($0.type.rawValue)]) }),
            "updated_at": .string(TimeText.format(layer.updatedAt.timeIntervalSince1970)),
        ]
        if let box = layer.bbox {
            entry["bbox"] = .array([.double(box.minX), .double(box.minY), .double(box.maxX), .double(box.maxY)])
        } else {
            entry["bbox"] = .null
        }
        return .object(entry)
    }

    /// A non-negative integer no larger than `maximum`.
    static func parseCount(_ text: String, field: String, maximum: Int) throws -> Int {
        guard let value = Int(text), value >= 0 else {
            throw APIError(
                code: .invalidArgument, message: "\(field) must be a non-negative integer, got \"\(text)\"",
                details: ["field": .string(field)])
        }
        guard value <= maximum else {
            throw APIError(
                code: .invalidArgument, message: "\(field) \(value) exceeds the maximum \(maximum)",
                details: ["field": .string(field), "maximum": .int(Int64(maximum))])
        }
        return value
    }
}
