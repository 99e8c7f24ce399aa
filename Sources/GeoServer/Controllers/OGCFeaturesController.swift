import Foundation
import GeoCore
import GeoGrids
import GeoStore
import Hummingbird

/// `/ogc`: the store's layers as OGC API - Features collections (Part 1 Core with GeoJSON and HTML, Part 2 CRS by
/// reference), so that QGIS, ArcGIS, GDAL and OWSLib read them from the running server. The same keys, scopes and
/// regions hold as on `/v1/layers`.
struct OGCFeaturesController {
    let store: any CityStore
    /// The most features one page may hold; a larger `limit` is served as this many, as the standard asks.
    let maximumFeatures: Int
    /// Where features lie, for keys limited to regions.
    let grids: LayerVersionedValue<GridLocator>

    /// Features per page when the client names no `limit`.
    static let defaultLimit = 10
    /// The property whose value places a feature in time, for `datetime` (the case layers' `time`).
    static let timeField = "time"

    func register(on router: Router<CityRequestContext>) {
        let ogc = router.group(RouterPath(OGCDocuments.root))
        ogc.get("", use: landingPage)
        ogc.get("conformance", use: conformancePage)
        ogc.get("collections", use: collections)
        ogc.get("collections/:collectionId", use: collection)
        ogc.get("collections/:collectionId/items", use: ComputePool.shared.offloaded(items))
    }

    /// `GET /ogc` (and `GET /` for a client asking for JSON).
    @Sendable func landingPage(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        let root = RequestParsing.baseURL(request) + OGCDocuments.root
        let links =
            OGCDocuments.selfLinks(root, format: format) + [
                OGCDocuments.link(root + "/api", rel: "service-desc", type: OGCDocuments.openAPI30Type, title: "the API definition (OpenAPI 3.0)"),
                OGCDocuments.link(
                    RequestParsing.baseURL(request) + "/openapi.json", rel: "alternate",
                    type: "application/vnd.oai.openapi+json;version=3.1", title: "the API definition (OpenAPI 3.1)"),
                OGCDocuments.link(root + "/conformance", rel: "conformance", type: "application/json", title: "conformance classes"),
                OGCDocuments.link(root + "/collections", rel: "data", type: "application/json", title: "the layers as collections"),
                OGCDocuments.link(
                    root + "/tileMatrixSets", rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", type: "application/json",
                    title: "tile matrix sets"),
            ]
        let document: JSONValue = .object([
            "title": "CityGeo",
            "description": "城市网格化管理 layers (unit grids, communities, streets, sample points, cases …) as OGC API - Features and Tiles",
            "links": .array(links),
        ])
        return try OGCDocuments.respond(document, title: "CityGeo", format: format)
    }

    /// `GET /ogc/conformance`.
    @Sendable func conformancePage(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        let classes = OGCDocuments.conformance
        let document: JSONValue = .object([
            "conformsTo": .array(classes.map(JSONValue.string)),
            "links": .array(OGCDocuments.selfLinks(RequestParsing.baseURL(request) + OGCDocuments.root + "/conformance", format: format)),
        ])
        return try OGCDocuments.respond(document, title: "Conformance", format: format)
    }

    /// `GET /ogc/collections`: every layer stored in longitude, latitude (EPSG:4490 or 4326).
    @Sendable func collections(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        let base = RequestParsing.baseURL(request)
        let layers = try await store.layers().filter { CRSReference.storage(srid: $0.srid) != nil }
        let document: JSONValue = .object([
            "collections": .array(layers.map { .object(Self.describe($0, base: base)) }),
            "links": .array(OGCDocuments.selfLinks(base + OGCDocuments.root + "/collections", format: format)),
        ])
        return try OGCDocuments.respond(document, title: "Collections", format: format)
    }

    /// `GET /ogc/collections/{collectionId}`.
    @Sendable func collection(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        let (layer, _) = try await Self.collectionLayer(context, store: store)
        let base = RequestParsing.baseURL(request)
        var document = Self.describe(layer, base: base)
        document["links"] = .array(
            OGCDocuments.selfLinks(Self.collectionURL(layer.name, base: base), format: format) + Self.collectionLinks(layer.name, base: base))
        return try OGCDocuments.respond(.object(document), title: layer.title ?? layer.name, format: format)
    }

    /// `GET /ogc/collections/{collectionId}/items`.
    @Sendable func items(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        let (layer, storage) = try await Self.collectionLayer(context, store: store)
        let query = try OGCItemsQuery(request.uri.queryParameters, layer: layer, defaultLimit: Self.defaultLimit, maximumLimit: maximumFeatures)
        var filter = query.filter
        if let region = try await RegionFilter.of(context, grids: grids) { filter.accepts = { region.contains($0) } }
        let page = try await store.features(in: layer.name, matching: filter, limit: query.limit, offset: query.offset)
        let base = RequestParsing.baseURL(request)
        var links = OGCDocuments.selfLinks(
            OGCDocuments.requestURL(request, base: base), format: format, jsonType: "application/geo+json")
        if page.hasMore {
            var next: [(String, String)] = [("offset", String(query.offset + query.limit))]
            if format == .html { next.append(("f", "html")) }
            links.append(OGCDocuments.link(
                OGCDocuments.requestURL(request, base: base, dropping: ["offset"], adding: next), rel: "next",
                type: format == .html ? "text/html" : "application/geo+json", title: "the next page"))
        }
        links.append(OGCDocuments.link(Self.collectionURL(layer.name, base: base), rel: "collection", type: "application/json", title: "the collection"))
        let features = page.features.map { Self.itemFeature($0, storage: storage, target: query.crs) }
        var members: [(String, JSONValue)] = [("links", .array(links)), ("timeStamp", .string(TimeText.format(Date().timeIntervalSince1970, utcOffset: 0)))]
        if let matched = page.numberMatched { members.append(("numberMatched", .int(Int64(matched)))) }
        members.append(("numberReturned", .int(Int64(features.count))))
        let bytes = try GeoJSON.encodeBytes(FeatureCollection(features), foreignMembers: members)
        return try OGCDocuments.respondGeoJSON(bytes, title: "\(layer.title ?? layer.name): items", format: format, crs: query.crs)
    }

    // MARK: documents

    /// The collection document of a layer, without its own self links (see ``collectionLinks(_:base:)``).
    static func describe(_ layer: LayerInfo, base: String) -> [String: JSONValue] {
        let storage = CRSReference.storage(srid: layer.srid) ?? .epsg4490
        var extent: [String: JSONValue] = [:]
        if let box = layer.bbox {
            extent["spatial"] = .object([
                "bbox": .array([.array(CRSReference.crs84.fromLonLat(box, source: storage.crs).map(JSONValue.double))]),
                "crs": .string(CRSReference.crs84.uri),
            ])
        }
        if layer.schema.contains(where: { $0.name == timeField }) {
            // The interval is left open: knowing its ends would mean reading every feature of a case layer.
            extent["temporal"] = .object([
                "interval": .array([.array([.null, .null])]), "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
            ])
        }
        var description = "\(layer.featureCount) features"
        if let type = layer.geometryType { description += ", \(type.rawValue)" }
        description += "; properties " + layer.schema.map { "\($0.name) (\($0.type.rawValue))" }.joined(separator: ", ")
        return [
            "id": .string(layer.name),
            "title": .string(layer.title ?? layer.name),
            "description": .string(description),
            "itemType": "feature",
            "extent": .object(extent),
            "crs": .array(CRSReference.supported.map { .string($0.uri) }),
            "storageCrs": .string(storage.uri),
            "links": .array(collectionLinks(layer.name, base: base)),
        ]
    }

    /// Links from a collection to its items, its tiles and its TileJSON.
    static func collectionLinks(_ name: String, base: String) -> [JSONValue] {
        let url = collectionURL(name, base: base)
        return [
            OGCDocuments.link(url + "/items", rel: "items", type: "application/geo+json", title: "the features"),
            OGCDocuments.link(url + "/items?f=html", rel: "items", type: "text/html", title: "the features as HTML"),
            OGCDocuments.link(
                url + "/tiles", rel: "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", type: "application/json",
                title: "vector tilesets"),
            OGCDocuments.link(base + "/tiles/\(name).json", rel: "related", type: "application/json", title: "TileJSON 3.0.0"),
        ]
    }

    static func collectionURL(_ name: String, base: String) -> String {
        base + OGCDocuments.root + "/collections/" + name
    }

    /// A stored feature as an item: its `fid` as the id, its geometry in `target`.
    static func itemFeature(_ stored: StoredFeature, storage: CRSReference, target: CRSReference) -> Feature {
        var feature = stored.feature
        feature.id = .int(stored.fid)
        feature.geometry = feature.geometry.map { target.fromLonLat($0, source: storage.crs) }
        return feature
    }

    /// The layer the `collectionId` path parameter names and its storage system; 404 when there is no such layer
    /// (or it is stored in a projected system the OGC routes do not serve).
    static func collectionLayer(_ context: CityRequestContext, store: any CityStore) async throws -> (LayerInfo, CRSReference) {
        let name = try RequestParsing.layerName(context.parameters.require("collectionId"), field: "collectionId")
        guard let layer = try await store.layer(named: name), let storage = CRSReference.storage(srid: layer.srid) else {
            throw APIError(code: .layerNotFound, message: "no collection \"\(name)\"", details: ["field": "collectionId"])
        }
        return (layer, storage)
    }
}

/// The query parameters of an items request, checked against the collection.
struct OGCItemsQuery {
    var filter = FeatureFilter()
    var limit: Int
    var offset = 0
    /// The system the answer's coordinates are written in.
    var crs = CRSReference.crs84

    /// The parameters every items request knows; any other must name a property of the layer (a property filter).
    static let known: Set<String> = ["f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime"]

    init(_ parameters: Parameters, layer: LayerInfo, defaultLimit: Int, maximumLimit: Int) throws {
        limit = try parameters["limit"].map { try RequestParsing.integer(String($0), "limit", 1...Int.max) } ?? defaultLimit
        limit = min(limit, maximumLimit)
        offset = try parameters["offset"].map { try RequestParsing.integer(String($0), "offset", 0...Int(Int32.max)) } ?? 0
        if let text = parameters["crs"] { crs = try Self.reference(String(text), field: "crs") }
        let bboxCRS = try parameters["bbox-crs"].map { try Self.reference(String($0), field: "bbox-crs") } ?? .crs84
        guard parameters["bbox-crs"] == nil || parameters["bbox"] != nil else {
            throw APIError(code: .invalidArgument, message: "bbox-crs is given without bbox", details: ["field": "bbox-crs"])
        }
        let storage = CRSReference.storage(srid: layer.srid) ?? .epsg4490
        if let text = parameters["bbox"] { filter.bbox = try RequestParsing.boundingBox(String(text), crs: bboxCRS, target: storage.crs) }
        if let text = parameters["datetime"] { filter.time = try Self.timeRange(String(text), layer: layer) }
        let fields = Set(layer.schema.map(\.name))
        for (name, value) in parameters where !Self.known.contains(String(name)) {
            guard fields.contains(String(name)) else {
                throw APIError(
                    code: .invalidArgument,
                    message: "unknown parameter \"\(name)\": not one of \(Self.known.sorted().joined(separator: ", ")) nor a property of \(layer.name)",
                    details: ["field": .string(String(name))])
            }
            filter.properties[String(name)] = String(value)
        }
    }

    /// A CRS parameter, refused naming `field`.
    static func reference(_ text: String, field: String) throws -> CRSReference {
        do {
            return try CRSReference.parse(text, field: field)
        } catch {
            throw APIError(error, field: field)
        }
    }

    /// `datetime`: an instant, or an interval `start/end` with `..` (or nothing) for an open end.
    static func timeRange(_ text: String, layer: LayerInfo) throws -> FeatureFilter.TimeRange {
        guard layer.schema.contains(where: { $0.name == OGCFeaturesController.timeField }) else {
            throw APIError(
                code: .invalidArgument,
                message: "datetime filters layers with a \(OGCFeaturesController.timeField) property; \(layer.name) has none",
                details: ["field": "datetime"])
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw APIError(code: .invalidTime, message: "datetime is an instant or start/end, got \"\(text)\"", details: ["field": "datetime"])
        }
        let from = try timeBound(parts[0])
        let to = parts.count == 2 ? try timeBound(parts[1]) : from
        guard parts.count == 2 || from != nil else {
            throw APIError(code: .invalidTime, message: "datetime must not be empty", details: ["field": "datetime"])
        }
        if let from, let to, from > to {
            throw APIError(code: .invalidTime, message: "datetime \(text) ends before it starts", details: ["field": "datetime"])
        }
        return FeatureFilter.TimeRange(field: OGCFeaturesController.timeField, from: from, to: to)
    }

    /// One end of a `datetime` interval: nil when open (`..` or nothing).
    private static func timeBound(_ part: Substring) throws -> Double? {
        part.isEmpty || part == ".." ? nil : try RequestParsing.time(part, field: "datetime")
    }
}
