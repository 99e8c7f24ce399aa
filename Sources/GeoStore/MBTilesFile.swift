import Foundation
import GeoCore
internal import GRDB

/// Writes (and reads back) an MBTiles 1.3 file: a plain SQLite database (no SpatiaLite) with a `metadata` table of name/value
/// pairs and a `tiles` table keyed by zoom, column and **TMS** row (y counted from the south), as the
/// specification stores tiles. Lives in GeoStore because GRDB stays inside this module.
public final class MBTilesFile: Sendable {
    public let path: String
    private let queue: DatabaseQueue

    /// Opens an existing MBTiles file, e.g. to read tiles back.
    public init(openingExisting path: String) throws(GeoError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw GeoError(code: .notFound, message: "there is no MBTiles file at \(path)")
        }
        do {
            queue = try DatabaseQueue(path: path)
        } catch {
            throw GeoError.store(error, "cannot open the MBTiles file \(path)")
        }
    }

    /// Creates the file (an existing file at `path` is replaced) with the MBTiles schema.
    public init(creating path: String) throws(GeoError) {
        self.path = path
        do {
            for suffix in ["", "-journal", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.removeItem(atPath: path + suffix)
            }
            queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
                    CREATE UNIQUE INDEX metadata_name ON metadata (name);
                    CREATE TABLE tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL);
                    CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
                    """)
            }
        } catch {
            throw GeoError.store(error, "cannot create the MBTiles file \(path)")
        }
    }

    /// Sets metadata rows (name, format, bounds, center, minzoom, maxzoom, json …), replacing earlier values.
    public func setMetadata(_ entries: [(name: String, value: String)]) throws(GeoError) {
        do {
            try queue.write { db in
                for entry in entries {
                    try db.execute(sql: "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)", arguments: [entry.name, entry.value])
                }
            }
        } catch {
            throw GeoError.store(error, "cannot write MBTiles metadata")
        }
    }

    /// Stores tiles (XYZ ids; the row is flipped to TMS here) in one transaction, replacing existing ones.
    public func write(_ tiles: [(tile: TileID, data: [UInt8])]) throws(GeoError) {
        do {
            try queue.write { db in
                let statement = try db.makeStatement(sql: "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)")
                for entry in tiles {
                    try statement.execute(arguments: [entry.tile.z, entry.tile.x, entry.tile.tmsY, Data(entry.data)])
                }
            }
        } catch {
            throw GeoError.store(error, "cannot write tiles to \(path)")
        }
    }

    /// The stored bytes of a tile (XYZ id), or nil.
    public func tile(_ tile: TileID) throws(GeoError) -> [UInt8]? {
        do {
            return try queue.read { db in
                try Data.fetchOne(
                    db, sql: "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                    arguments: [tile.z, tile.x, tile.tmsY]).map { Array($0) }
            }
        } catch {
            throw GeoError.store(error, "cannot read \(path)")
        }
    }

    /// The number of tiles stored.
    public func tileCount() throws(GeoError) -> Int {
        do {
            return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tiles") ?? 0 }
        } catch {
            throw GeoError.store(error, "cannot read \(path)")
        }
    }

    /// Every metadata row.
    public func metadata() throws(GeoError) -> [String: String] {
        do {
            return try queue.read { db in
                var result: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT name, value FROM metadata") { result[row["name"]] = row["value"] }
                return result
            }
        } catch {
            throw GeoError.store(error, "cannot read \(path)")
        }
    }
}
