import Foundation
import GeoCore
import GeoTiles
import Hummingbird

/// `/tiles`: Mapbox Vector Tiles of store layers (one layer, or several joined by commas in one tile), their
/// TileJSON, the catalogue of sources and the feed of changed tiles.
struct TileController {
    let service: TileService
    /// The `Cache-Control` of tiles and TileJSON.
    let cacheControl: String

    static let contentType = "application/vnd.mapbox-vector-tile"

    func register(on router: Router<CityRequestContext>) {
        let tiles = router.group("tiles")
        tiles.get("catalog", use: tileCatalog)
        tiles.get("changes", use: tileChanges)
        tiles.get(":source", use: tileJSON)
        tiles.get(":source/:z/:x/:y", use: tile)
    }

    /// `GET /tiles/catalog`.
    @Sendable func tileCatalog(_ request: Request, context: CityRequestContext) async throws -> Response {
        let base = RequestParsing.baseURL(request)
        let sources = try await service.catalog()
        return try JSONResponse.make(.object(["sources": .array(sources.map { Self.catalogEntry($0, base: base) })]))
    }

    /// `GET /tiles/changes`.
    @Sendable func tileChanges(_ request: Request, context: CityRequestContext) async throws -> Response {
        let since: Int64
        if let text = request.uri.queryParameters["since"] {
            guard let value = Int64(String(text)), value >= 0 else {
                throw APIError(code: .invalidSince, message: "since must be a non-negative change sequence number, got \"\(text)\"",
                    details: ["field": "since"])
            }
            since = value
        } else {
            since = 0
        }
        let feed = try await service.changes(since: since)
        let maxZoom = service.configuration.changeFeedMaxZoom
        return try JSONResponse.make(.object([
            "latest": .int(feed.latest),
            "changes": .array(feed.changes.map { Self.describe($0, maxZoom: maxZoom) }),
        ]))
    }

    /// `GET /tiles/:source`: same parameter name as the tile route's first segment: the router allows one name per position.
    @Sendable func tileJSON(_ request: Request, context: CityRequestContext) async throws -> Response {
        let file = try context.parameters.require("source")
        guard file.hasSuffix(".json") else {
            throw APIError(code: .notFound, message: "no resource /tiles/\(file); TileJSON is /tiles/{source}.json",
                           details: ["field": "source"])
        }
        let info = try await mapped { () async throws(GeoError) in try await service.info(of: String(file.dropLast(5))) }
        var response = try JSONResponse.make(Self.tileJSON(info, base: RequestParsing.baseURL(request)))
        response.headers[.cacheControl] = cacheControl
        response.headers[.accessControlAllowOrigin] = "*"
        return response
    }

    /// `GET /tiles/:source/:z/:x/:y`.
    @Sendable func tile(_ request: Request, context: CityRequestContext) async throws -> Response {
        let tile = try Self.tileID(
            z: try context.parameters.require("z"), x: try context.parameters.require("x"), y: try context.parameters.require("y"))
        let sourceID = try context.parameters.require("source")
        let gzip = Self.acceptsGzip(request)
        let served = try await mapped { () async throws(GeoError) in try await service.tile(tile, source: sourceID, gzip: gzip) }
        var headers: HTTPFields = [
            .eTag: served.etag, .cacheControl: cacheControl, .vary: "Accept-Encoding", .accessControlAllowOrigin: "*",
        ]
        if Self.matches(request.headers[.ifNoneMatch], etag: served.etag) {
            return Response(status: .notModified, headers: headers)
        }
        if served.isEmpty {
            // Martin and PostGIS clients expect 204 for a tile without features; map libraries draw nothing.
            return Response(status: .noContent, headers: headers)
        }
        headers[.contentType] = Self.contentType
        if served.isGzipped { headers[.contentEncoding] = "gzip" }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: served.body)))
    }

    /// Runs `body`, answering an unknown layer with 404 and a malformed source list with 400, both naming the
    /// `source` field.
    private func mapped<T>(_ body: () async throws(GeoError) -> T) async throws -> T {
        do {
            return try await body()
        } catch where error.code == .tileSourceNotFound {
            throw APIError(code: error.code, message: error.message, details: ["field": "source"])
        } catch where error.code == .invalidSource {
            throw APIError(code: error.code, message: error.message, details: ["field": "source"])
        }
    }

    /// z, x and y (the last with its `.mvt` or `.pbf` extension) as a valid tile; a bad part is a 400 naming it.
    static func tileID(z: String, x: String, y: String) throws -> TileID {
        var yText = Substring(y)
        for suffix in [".mvt", ".pbf"] where yText.hasSuffix(suffix) { yText = yText.dropLast(suffix.count) }
        guard yText.count < y.count else {
            throw APIError(code: .invalidTile, message: "a tile is /tiles/{source}/{z}/{x}/{y}.mvt or .pbf, got y \"\(y)\"", details: ["field": "y"])
        }
        var numbers: [Int] = []
        for (name, text) in [("z", Substring(z)), ("x", Substring(x)), ("y", yText)] {
            guard let value = Int(text) else {
                throw APIError(code: .invalidTile, message: "\(name) must be an integer, got \"\(text)\"", details: ["field": .string(name)])
            }
            numbers.append(value)
        }
        do {
            return try TileID(z: numbers[0], x: numbers[1], y: numbers[2])
        } catch {
            throw APIError(code: .invalidTile, message: error.message, details: ["field": .string(error.location ?? "z")])
        }
    }

    /// Whether Accept-Encoding allows gzip (a `q=0` refuses it).
    static func acceptsGzip(_ request: Request) -> Bool {
        guard let header = request.headers[.acceptEncoding] else { return false }
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard parts.first == "gzip" || parts.first == "*" else { continue }
            let refused = parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "").hasPrefix("q=0") && !$0.contains(where: { "123456789".contains($0) }) }
            if !refused { return true }
        }
        return false
    }

    /// If-None-Match against an ETag (weak comparison, as RFC 9110 asks for this header).
    static func matches(_ header: String?, etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { item in
            let tag = item.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    /// TileJSON 3.0.0 for a source.
    static func tileJSON(_ info: TileSourceInfo, base: String) -> JSONValue {
        var json: [String: JSONValue] = [
            "tilejson": "3.0.0",
            "name": .string(info.id),
            "scheme": "xyz",
            "tiles": .array([.string("\(base)/tiles/\(info.id)/{z}/{x}/{y}.mvt")]),
            "minzoom": .int(Int64(info.minzoom)),
            "maxzoom": .int(Int64(info.maxzoom)),
            "vector_layers": .array(info.layers.map { layer in
                var entry: [String: JSONValue] = [
                    "id": .string(layer.id),
                    "fields": .object(layer.fields.mapValues(JSONValue.string)),
                    "minzoom": .int(Int64(layer.minzoom)),
                    "maxzoom": .int(Int64(layer.maxzoom)),
                ]
                if let description = layer.description { entry["description"] = .string(description) }
                return .object(entry)
            }),
            // TileJSON's own `version` is a semver of the tileset's schema; the store's layer versions go in a
            // member of our own, so that clients can tell when the data changed.
            "layer_versions": .object(info.revision.mapValues(JSONValue.int)),
        ]
        if let box = info.bounds {
            json["bounds"] = .array([.double(box.minX), .double(box.minY), .double(box.maxX), .double(box.maxY)])
            // The zoom at which the data's width fills about one tile, within the source's range.
            let width = max(box.width, 1e-9)
            let zoom = min(max(Int(log2(360 / width).rounded(.down)), info.minzoom), info.maxzoom)
            json["center"] = .array([.double(box.center.x), .double(box.center.y), .int(Int64(zoom))])
        }
        return .object(json)
    }

    static func catalogEntry(_ info: TileSourceInfo, base: String) -> JSONValue {
        var entry: [String: JSONValue] = [
            "id": .string(info.id),
            "minzoom": .int(Int64(info.minzoom)),
            "maxzoom": .int(Int64(info.maxzoom)),
            "tilejson": .string("\(base)/tiles/\(info.id).json"),
            "version": .int(info.revision[info.id] ?? 0),
            "bounds": info.bounds.map { .array([.double($0.minX), .double($0.minY), .double($0.maxX), .double($0.maxY)]) } ?? .null,
        ]
        if let layer = info.layers.first {
            entry["title"] = layer.description.map(JSONValue.string) ?? .null
            entry["geometry_type"] = layer.geometryType.map { .string($0.rawValue) } ?? .null
            entry["fields"] = .object(layer.fields.mapValues(JSONValue.string))
        }
        return .object(entry)
    }

    static func describe(_ change: TileChange, maxZoom: Int) -> JSONValue {
        var ranges: [JSONValue] = []
        for z in 0...maxZoom {
            guard let r = TileService.tileRange(of: change, zoom: z) else { break }
            ranges.append(.object([
                "z": .int(Int64(z)), "min_x": .int(Int64(r.minX)), "min_y": .int(Int64(r.minY)),
                "max_x": .int(Int64(r.maxX)), "max_y": .int(Int64(r.maxY)),
            ]))
        }
        return .object([
            "sequence": .int(change.sequence),
            "layer": .string(change.layer),
            "from_version": .int(change.fromVersion),
            "to_version": change.toVersion.map(JSONValue.int) ?? .null,
            "bounds": change.bounds.map { .array([.double($0.minX), .double($0.minY), .double($0.maxX), .double($0.maxY)]) } ?? .null,
            "detected_at": .string(TimeText.format(change.detectedAt.timeIntervalSince1970)),
            "tiles": .array(ranges),
        ])
    }
}
