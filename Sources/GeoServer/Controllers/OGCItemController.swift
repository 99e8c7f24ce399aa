import Foundation
import GeoCore
import GeoGrids
import GeoStore
import Hummingbird

/// One item of a collection: read (`GET`), and for the layers a city edits by hand, created, replaced and deleted
/// one at a time (OGC API - Features Part 4) behind the `admin` scope. Each write is one store transaction that
/// takes a new layer version, so tiles, indexes and the replicas of a cluster follow it.
struct OGCItemController {
    let store: any CityStore
    /// The layers that accept item writes (``ServerConfiguration/editableLayers``).
    let editableLayers: Set<String>
    let maximumBodyBytes: Int
    let maximumGeometryVertices: Int
    /// Where features lie, for keys limited to regions.
    let grids: LayerVersionedValue<GridLocator>
    /// Called with the layer's name after each write, so this server's indexes and tiles follow it at once.
    let layerChanged: @Sendable (String) -> Void

    func register(on router: Router<CityRequestContext>) {
        let ogc = router.group(RouterPath(OGCDocuments.root))
        ogc.get("collections/:collectionId/items/:featureId", use: item)
        ogc.post("collections/:collectionId/items", use: create)
        ogc.put("collections/:collectionId/items/:featureId", use: replace)
        ogc.delete("collections/:collectionId/items/:featureId", use: delete)
    }

    /// `GET /ogc/collections/{collectionId}/items/{featureId}`.
    @Sendable func item(_ request: Request, context: CityRequestContext) async throws -> Response {
        let format = try OGCDocuments.format(of: request)
        let (layer, storage) = try await OGCFeaturesController.collectionLayer(context, store: store)
        let fid = try Self.featureID(context)
        let target = try request.uri.queryParameters["crs"].map { try OGCItemsQuery.reference(String($0), field: "crs") } ?? .crs84
        guard let stored = try await store.feature(in: layer.name, fid: fid) else { throw Self.notFound(fid, layer: layer.name) }
        if let region = try await RegionFilter.of(context, grids: grids), !region.contains(stored.feature) {
            throw Self.notFound(fid, layer: layer.name)
        }
        let base = RequestParsing.baseURL(request)
        let url = OGCFeaturesController.collectionURL(layer.name, base: base) + "/items/\(fid)"
        let links = OGCDocuments.selfLinks(url, format: format, jsonType: "application/geo+json") + [
            OGCDocuments.link(OGCFeaturesController.collectionURL(layer.name, base: base), rel: "collection", type: "application/json",
                title: "the collection"),
        ]
        let feature = OGCFeaturesController.itemFeature(stored, storage: storage, target: target)
        let bytes = try GeoJSON.encodeBytes(feature, foreignMembers: [("links", .array(links))])
        return try OGCDocuments.respondGeoJSON(bytes, title: "\(layer.title ?? layer.name) \(fid)", format: format, crs: target)
    }

    /// `POST /ogc/collections/{collectionId}/items`: 201 with `Location`, the stored item as the body.
    @Sendable func create(_ request: Request, context: CityRequestContext) async throws -> Response {
        let (layer, storage) = try await editableLayer(context)
        let feature = try await body(request, context: context, storage: storage)
        let edit = try await mapped(nil, layer: layer.name) { () async throws(GeoError) in try await store.insertFeature(feature, into: layer.name) }
        layerChanged(layer.name)
        return try written(edit, feature: feature, storage: storage, request: request, status: .created)
    }

    /// `PUT /ogc/collections/{collectionId}/items/{featureId}`: the item replaced whole; 200 with it.
    @Sendable func replace(_ request: Request, context: CityRequestContext) async throws -> Response {
        let (layer, storage) = try await editableLayer(context)
        let fid = try Self.featureID(context)
        let feature = try await body(request, context: context, storage: storage)
        try await requireInRegion(fid: fid, layer: layer.name, context: context)
        let edit = try await mapped(fid, layer: layer.name) { () async throws(GeoError) in
            try await store.replaceFeature(fid: fid, in: layer.name, with: feature)
        }
        layerChanged(layer.name)
        return try written(edit, feature: feature, storage: storage, request: request, status: .ok)
    }

    /// `DELETE /ogc/collections/{collectionId}/items/{featureId}`: 204.
    @Sendable func delete(_ request: Request, context: CityRequestContext) async throws -> Response {
        let (layer, _) = try await editableLayer(context)
        let fid = try Self.featureID(context)
        try await requireInRegion(fid: fid, layer: layer.name, context: context)
        _ = try await mapped(fid, layer: layer.name) { () async throws(GeoError) in try await store.deleteFeature(fid: fid, in: layer.name) }
        layerChanged(layer.name)
        return Response(status: .noContent)
    }

    // MARK: pieces

    /// The collection of the request, refused with 405 when it is not one of the editable layers.
    private func editableLayer(_ context: CityRequestContext) async throws -> (LayerInfo, CRSReference) {
        let (layer, storage) = try await OGCFeaturesController.collectionLayer(context, store: store)
        guard editableLayers.contains(layer.name) else {
            throw APIError(
                code: .methodNotAllowed,
                message: "\(layer.name) is read-only over OGC API; editable layers: \(editableLayers.sorted().joined(separator: ", ")) (ogc.editable_layers)",
                details: ["field": "collectionId", "allowed": .array(["GET"])])
        }
        return (layer, storage)
    }

    /// The request's GeoJSON Feature, in the system its `Content-Crs` header names (CRS84 by default), as longitude
    /// and latitude of the layer; its vertex count bounded, and within the caller's regions.
    private func body(_ request: Request, context: CityRequestContext, storage: CRSReference) async throws -> Feature {
        let source = try request.headers[.init("Content-Crs")!].map { header in
            try OGCItemsQuery.reference(header.trimmingCharacters(in: CharacterSet(charactersIn: "<> ")), field: "Content-Crs")
        } ?? .crs84
        let bytes = try await RequestParsing.rawBody(request, context: context, maximumBytes: maximumBodyBytes)
        var feature: Feature
        do {
            // Latitude-first input is range-checked after its axes are put in order.
            feature = try GeoJSON.decodeFeature(bytes, options: source.latitudeFirst ? .projected : .geographic)
        } catch {
            throw APIError(error, field: "body")
        }
        guard let geometry = feature.geometry else {
            throw APIError(code: .invalidGeometry, message: "the feature has no geometry", details: ["field": "geometry"])
        }
        let ordered = source.toLonLat(geometry, target: storage.crs)
        try RequestParsing.checkVertexCount(ordered, field: "geometry", maximum: maximumGeometryVertices)
        feature.geometry = ordered
        feature.id = nil
        if let region = try await RegionFilter.of(context, grids: grids), !region.contains(feature) {
            throw APIError(
                code: .outOfRegion, message: "the feature lies outside the regions this key is limited to (\(region.regions.joined(separator: ", ")))",
                details: ["field": "geometry"])
        }
        return feature
    }

    /// A key limited to regions edits only the features lying in them.
    private func requireInRegion(fid: Int64, layer: String, context: CityRequestContext) async throws {
        guard let region = try await RegionFilter.of(context, grids: grids) else { return }
        guard let stored = try await store.feature(in: layer, fid: fid) else { throw Self.notFound(fid, layer: layer) }
        guard region.contains(stored.feature) else {
            throw APIError(
                code: .outOfRegion, message: "feature \(fid) lies outside the regions this key is limited to", details: ["field": "featureId"])
        }
    }

    /// The answer to a write: the stored item in CRS84, `Location` naming it, the layer's new version in a header.
    private func written(_ edit: FeatureEdit, feature: Feature, storage: CRSReference, request: Request, status: HTTPResponse.Status) throws -> Response {
        let item = OGCFeaturesController.itemFeature(StoredFeature(fid: edit.fid, feature: feature), storage: storage, target: .crs84)
        var response = JSONResponse.bytes(try GeoJSON.encodeBytes(item), contentType: "application/geo+json", status: status)
        response.headers[.location] = OGCFeaturesController.collectionURL(edit.layer.name, base: RequestParsing.baseURL(request)) + "/items/\(edit.fid)"
        response.headers[.init("X-Layer-Version")!] = String(edit.layer.version)
        return response
    }

    /// Runs a store edit of feature `fid` (nil for a new one): its absence is a 404 naming `featureId`, a refused
    /// feature names the member at fault (`geometry`).
    private func mapped<T>(_ fid: Int64?, layer: String, _ body: () async throws(GeoError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            if error.code == .featureNotFound, let fid { throw Self.notFound(fid, layer: layer) }
            throw APIError(error, field: error.location)
        }
    }

    static func featureID(_ context: CityRequestContext) throws -> Int64 {
        let text = try context.parameters.require("featureId")
        guard let fid = Int64(text), fid > 0 else {
            throw APIError(code: .invalidArgument, message: "featureId must be a positive integer (the item's id), got \"\(text)\"",
                details: ["field": "featureId"])
        }
        return fid
    }

    static func notFound(_ fid: Int64, layer: String) -> APIError {
        APIError(code: .featureNotFound, message: "\(layer) has no feature \(fid)", details: ["field": "featureId"])
    }
}
