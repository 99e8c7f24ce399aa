import Foundation
import GeoCore
import GeoTiles
import Hummingbird

/// OGC API - Tiles over the vector tiles `/tiles` already serves: the WebMercatorQuad tile matrix set, and per
/// collection a tileset list and the tileset whose tile template is today's `/tiles/{layer}/{z}/{x}/{y}.mvt`.
struct OGCTilesController {
    let service: TileService

    /// The one tile matrix set: spherical Mercator in 256-pixel tiles, 2^z × 2^z tiles at level z.
    static let matrixSetID = "WebMercatorQuad"
    static let matrixSetURI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
    static let tileType = "application/vnd.mapbox-vector-tile"

    func register(on router: Router<CityRequestContext>) {
        let ogc = router.group(RouterPath(OGCDocuments.root))
        ogc.get("tileMatrixSets", use: tileMatrixSets)
        ogc.get("tileMatrixSets/:tileMatrixSetId", use: tileMatrixSet)
        ogc.get("collections/:collectionId/tiles", use: tilesets)
        ogc.get("collections/:collectionId/tiles/:tileMatrixSetId", use: tileset)
    }

    /// `GET /ogc/tileMatrixSets`.
    @Sendable func tileMatrixSets(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        let root = RequestParsing.baseURL(request) + OGCDocuments.root
        let document: JSONValue = .object([
            "tileMatrixSets": .array([.object([
                "id": .string(Self.matrixSetID), "title": "Google Maps compatible for the World", "uri": .string(Self.matrixSetURI),
                "links": .array([Self.tilingSchemeLink(root, rel: "self")]),
            ])]),
            "links": .array(OGCDocuments.selfLinks(root + "/tileMatrixSets", format: format)),
        ])
        return try OGCDocuments.respond(document, title: "Tile matrix sets", format: format)
    }

    /// `GET /ogc/tileMatrixSets/WebMercatorQuad`: the definition in the JSON encoding of OGC 2D-TMS 2.0.
    @Sendable func tileMatrixSet(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        try Self.requireMatrixSet(context)
        return try OGCDocuments.respond(Self.matrixSetDefinition, title: Self.matrixSetID, format: format)
    }

    /// `GET /ogc/collections/{collectionId}/tiles`.
    @Sendable func tilesets(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        let info = try await sourceInfo(context)
        let base = RequestParsing.baseURL(request)
        let url = OGCFeaturesController.collectionURL(info.id, base: base) + "/tiles"
        var entry = try Self.tilesetDocument(info, base: base)
        entry["links"] = .array([
            OGCDocuments.link(url + "/" + Self.matrixSetID, rel: "self", type: "application/json", title: "the tileset"),
            Self.tilingSchemeLink(base + OGCDocuments.root, rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"),
        ])
        let document: JSONValue = .object([
            "tilesets": .array([.object(entry.filter { ["title", "dataType", "crs", "tileMatrixSetURI", "links"].contains($0.key) })]),
            "links": .array(OGCDocuments.selfLinks(url, format: format)),
        ])
        return try OGCDocuments.respond(document, title: "\(info.id): tilesets", format: format)
    }

    /// `GET /ogc/collections/{collectionId}/tiles/WebMercatorQuad`.
    @Sendable func tileset(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        try Self.requireMatrixSet(context)
        let info = try await sourceInfo(context)
        let base = RequestParsing.baseURL(request)
        var document = try Self.tilesetDocument(info, base: base)
        let url = OGCFeaturesController.collectionURL(info.id, base: base) + "/tiles/" + Self.matrixSetID
        document["links"] = .array(
            OGCDocuments.selfLinks(url, format: format) + [
                Self.tilingSchemeLink(base + OGCDocuments.root, rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"),
                OGCDocuments.link(
                    base + "/tiles/\(info.id)/{tileMatrix}/{tileCol}/{tileRow}.mvt", rel: "item", type: Self.tileType,
                    title: "a tile (Mapbox Vector Tile)", templated: true),
                OGCDocuments.link(OGCFeaturesController.collectionURL(info.id, base: base), rel: "collection", type: "application/json",
                    title: "the collection"),
                OGCDocuments.link(base + "/tiles/\(info.id).json", rel: "related", type: "application/json", title: "TileJSON 3.0.0"),
            ])
        return try OGCDocuments.respond(.object(document), title: "\(info.id): \(Self.matrixSetID) tileset", format: format)
    }

    // MARK: documents

    /// The tileset metadata of a source: its zoom range as tile matrix limits over its bounds, and its layers.
    static func tilesetDocument(_ info: TileSourceInfo, base: String) throws -> [String: JSONValue] {
        var limits: [JSONValue] = []
        if let box = info.bounds {
            let north = Coordinate(x: box.minX, y: min(box.maxY, WebMercator.maximumLatitude))
            let south = Coordinate(x: box.maxX, y: max(box.minY, -WebMercator.maximumLatitude))
            for z in info.minzoom...info.maxzoom {
                let first = try WebMercator.tile(containing: north, zoom: z)
                let last = try WebMercator.tile(containing: south, zoom: z)
                limits.append(.object([
                    "tileMatrix": .string(String(z)), "minTileRow": .int(Int64(first.y)), "maxTileRow": .int(Int64(last.y)),
                    "minTileCol": .int(Int64(first.x)), "maxTileCol": .int(Int64(last.x)),
                ]))
            }
        }
        var document: [String: JSONValue] = [
            "title": .string(info.layers.first?.description ?? info.id),
            "dataType": "vector",
            "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
            "tileMatrixSetURI": .string(matrixSetURI),
            "tileMatrixSetLimits": .array(limits),
            "layers": .array(info.layers.map { layer in
                var entry: [String: JSONValue] = [
                    "id": .string(layer.id), "dataType": "vector",
                    "minTileMatrix": .string(String(layer.minzoom)), "maxTileMatrix": .string(String(layer.maxzoom)),
                    "propertiesSchema": .object([
                        "type": "object",
                        "properties": .object(layer.fields.mapValues { type in .object(["type": .string(jsonSchemaType(type))]) }),
                    ]),
                ]
                if let type = layer.geometryType { entry["geometryType"] = .string(geometryDimension(type)) }
                return .object(entry)
            }),
        ]
        if let box = info.bounds {
            document["boundingBox"] = .object([
                "lowerLeft": .array([.double(box.minX), .double(box.minY)]), "upperRight": .array([.double(box.maxX), .double(box.maxY)]),
                "crs": .string(CRSReference.crs84.uri),
            ])
        }
        return document
    }

    /// WebMercatorQuad levels 0 to 24, the usual deepest level, in the JSON encoding of 2D-TMS 2.0, with the
    /// members of the TMS 1.0 encoding beside them (`type`, `identifier`, `supportedCRS`, `tileMatrix`): GDAL
    /// before 3.7 (Debian 12's 3.6) reads only those, and 2.0 readers ignore them.
    static let matrixSetDefinition: JSONValue = {
        let origin = WebMercator.originShift
        let crs: JSONValue = "http://www.opengis.net/def/crs/EPSG/0/3857"
        var levels: [JSONValue] = [], levelsTMS1: [JSONValue] = []
        for z in 0...24 {
            let cellSize = 2 * origin / 256 / Double(1 << z)
            let common: [String: JSONValue] = [
                "scaleDenominator": .double(cellSize / 0.000_28), "tileWidth": 256, "tileHeight": 256,
                "matrixWidth": .int(Int64(1 << z)), "matrixHeight": .int(Int64(1 << z)),
            ]
            levels.append(.object(common.merging([
                "id": .string(String(z)), "cellSize": .double(cellSize), "cornerOfOrigin": "topLeft",
                "pointOfOrigin": .array([.double(-origin), .double(origin)]),
            ]) { a, _ in a }))
            levelsTMS1.append(.object(common.merging([
                "type": "TileMatrixType", "identifier": .string(String(z)), "topLeftCorner": .array([.double(-origin), .double(origin)]),
            ]) { a, _ in a }))
        }
        return .object([
            "id": .string(matrixSetID), "title": "Google Maps compatible for the World", "uri": .string(matrixSetURI),
            "crs": crs, "orderedAxes": .array(["X", "Y"]),
            "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
            "tileMatrices": .array(levels),
            "type": "TileMatrixSetType", "identifier": .string(matrixSetID), "supportedCRS": crs, "tileMatrix": .array(levelsTMS1),
        ])
    }()

    static func tilingSchemeLink(_ root: String, rel: String) -> JSONValue {
        OGCDocuments.link(root + "/tileMatrixSets/" + matrixSetID, rel: rel, type: "application/json", title: "the WebMercatorQuad tile matrix set")
    }

    static func requireMatrixSet(_ context: CityRequestContext) throws {
        let id = try context.parameters.require("tileMatrixSetId")
        guard id == matrixSetID else {
            throw APIError(
                code: .notFound, message: "no tile matrix set \"\(id)\"; tiles are served in \(matrixSetID)",
                details: ["field": "tileMatrixSetId"])
        }
    }

    /// The tile source of the collection a request names, 404 when there is none.
    private func sourceInfo(_ context: CityRequestContext) async throws -> TileSourceInfo {
        let name = try RequestParsing.layerName(context.parameters.require("collectionId"), field: "collectionId")
        do {
            return try await service.info(of: name)
        } catch {
            guard error.code == .tileSourceNotFound else { throw error }
            throw APIError(code: .layerNotFound, message: "no collection \"\(name)\"", details: ["field": "collectionId"])
        }
    }

    /// A TileJSON field type (`String`, `Number`, `Boolean`) as a JSON Schema type.
    static func jsonSchemaType(_ type: String) -> String {
        switch type.lowercased() {
        case "number": "number"
        case "boolean": "boolean"
        default: "string"
        }
    }

    /// The `geometryType` a tileset layer declares: points, lines or polygons.
    static func geometryDimension(_ type: GeometryType) -> String {
        switch type {
        case .point, .multiPoint: "points"
        case .lineString, .multiLineString: "lines"
        case .polygon, .multiPolygon: "polygons"
        case .geometryCollection: "geometries"
        }
    }
}
