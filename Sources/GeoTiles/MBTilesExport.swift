import Foundation
import GeoCore
import GeoEngine
import GeoStore

/// What an export wrote.
public struct MBTilesExportSummary: Hashable, Sendable {
    /// Tiles written (tiles without features are left out, as MBTiles readers treat a missing tile as empty).
    public var tilesWritten: Int
    /// Tiles visited: every tile covering the source's bounds at each zoom.
    public var tilesVisited: Int
    /// Gzipped bytes written.
    public var bytes: Int
}

/// Cuts a source's tile pyramid into an MBTiles 1.3 file: gzipped tiles (the format's custom for `pbf`),
/// metadata with TileJSON-style `json` holding `vector_layers`.
public enum MBTilesExport {
    /// Renders every tile covering the source's bounds from `minzoom` to `maxzoom`, `concurrency` tiles at a
    /// time (each render owns its GEOS context), writing them in batches.
    public static func run(
        service: TileService, source id: String, minzoom: Int, maxzoom: Int, output: String, concurrency: Int = 2,
        progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil
    ) async throws(GeoError) -> MBTilesExportSummary {
        guard 0 <= minzoom, minzoom <= maxzoom, maxzoom <= TileID.maximumZoom else {
            throw GeoError(code: .invalidArgument, message: "zooms must satisfy 0 <= minzoom <= maxzoom <= \(TileID.maximumZoom)", location: "minzoom")
        }
        let source = try service.source(id)
        let info = try await service.info(of: id)
        let writer = try MBTilesFile(creating: output)
        try writer.setMetadata(metadata(info, minzoom: minzoom, maxzoom: maxzoom))
        guard let bounds = info.bounds else { return MBTilesExportSummary(tilesWritten: 0, tilesVisited: 0, bytes: 0) }
        var perZoom: [[TileID]] = []
        for z in minzoom...maxzoom { perZoom.append(try WebMercator.tiles(covering: bounds, zoom: z)) }
        let total = perZoom.reduce(0) { $0 + $1.count }
        var summary = MBTilesExportSummary(tilesWritten: 0, tilesVisited: 0, bytes: 0)
        let batchSize = 256
        for tiles in perZoom {
            var start = 0
            while start < tiles.count {
                let batch = Array(tiles[start..<min(start + batchSize, tiles.count)])
                start += batchSize
                let rendered = try await renderBatch(batch, source: source, service: service, concurrency: max(1, concurrency))
                try writer.write(rendered)
                summary.tilesWritten += rendered.count
                summary.bytes += rendered.reduce(0) { $0 + $1.data.count }
                summary.tilesVisited += batch.count
                progress?(summary.tilesVisited, total)
            }
        }
        return summary
    }

    /// The batch's non-empty tiles, gzipped, in the batch's order.
    private static func renderBatch(
        _ batch: [TileID], source: any TileSource, service: TileService, concurrency: Int
    ) async throws(GeoError) -> [(tile: TileID, data: [UInt8])] {
        let results = await withTaskGroup(of: (Int, Result<[UInt8], GeoError>).self) { group in
            var results = [Result<[UInt8], GeoError>?](repeating: nil, count: batch.count)
            var next = 0
            func add() {
                let k = next
                let tile = batch[k]
                next += 1
                group.addTask {
                    do throws(GeoError) {
                        let rendered = try await service.render(tile, source: source)
                        return (k, .success(rendered.bytes.isEmpty ? [] : try Gzip.compress(rendered.bytes)))
                    } catch {
                        return (k, .failure(error))
                    }
                }
            }
            while next < min(concurrency, batch.count) { add() }
            while let (k, result) = await group.next() {
                results[k] = result
                if next < batch.count { add() }
            }
            return results
        }
        var out: [(tile: TileID, data: [UInt8])] = []
        for (k, result) in results.enumerated() {
            let data = try result!.get()
            if !data.isEmpty { out.append((batch[k], data)) }
        }
        return out
    }

    /// MBTiles 1.3 metadata rows for a vector source.
    static func metadata(_ info: TileSourceInfo, minzoom: Int, maxzoom: Int) throws(GeoError) -> [(name: String, value: String)] {
        let layers: [JSONValue] = info.layers.map { layer in
            var entry: [String: JSONValue] = [
                "id": .string(layer.id), "fields": .object(layer.fields.mapValues(JSONValue.string)),
                "minzoom": .int(Int64(max(layer.minzoom, minzoom))), "maxzoom": .int(Int64(min(layer.maxzoom, maxzoom))),
            ]
            if let description = layer.description { entry["description"] = .string(description) }
            return .object(entry)
        }
        var rows: [(name: String, value: String)] = [
            ("name", info.id), ("format", "pbf"), ("type", "overlay"), ("version", "1"),
            ("description", "CityGeo layers \(info.id)"), ("minzoom", String(minzoom)), ("maxzoom", String(maxzoom)),
            ("json", try JSON.encode(.object(["vector_layers": .array(layers)]))),
        ]
        if let b = info.bounds {
            rows.append(("bounds", "\(b.minX),\(b.minY),\(b.maxX),\(b.maxY)"))
            rows.append(("center", "\(b.center.x),\(b.center.y),\(min(max(minzoom, 12), maxzoom))"))
        }
        return rows
    }
}
