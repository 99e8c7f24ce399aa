import GeoCore
import Synchronization
import GeoEngine

/// A cached tile: its bytes, the gzip of them once asked for, its ETag and the layer versions it shows.
public struct CachedTile: Hashable, Sendable {
    public var bytes: [UInt8]
    public var gzipped: [UInt8]?
    /// A strong ETag of the uncompressed bytes: FNV-1a 64 in hex plus the length, quoted.
    public var etag: String
    public var revision: [String: Int64]

    public init(bytes: [UInt8], gzipped: [UInt8]? = nil, revision: [String: Int64]) {
        self.bytes = bytes
        self.gzipped = gzipped
        self.etag = Self.etag(of: bytes)
        self.revision = revision
    }

    var cost: Int { bytes.count + (gzipped?.count ?? 0) + 128 }

    public static func etag(of bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "-" + String(bytes.count, radix: 16) + "\""
    }
}

/// The key of a cached tile: the source id (layers joined by commas) and the tile.
@MemberwiseInit
public struct TileCacheKey: Hashable, Sendable {
    public var source: String
    public var tile: TileID

    var layers: [Substring] { source.split(separator: ",") }
}

/// An LRU cache of encoded tiles within a byte budget.
///
/// Entries carry the layer versions they were made from and are served only to a request that sees the same
/// versions, so a tile rendered from an old snapshot can never be served after a change. When a layer
/// changes, ``invalidate(_:buffer:extent:)`` drops the entries whose tile (with its buffer) meets the changed
/// features' box and moves every other entry of that layer on to the new version, because its content did
/// not change; after a delete every entry of the layer goes.
public final class TileCache: Sendable {
    private let lru: Mutex<TileLRU>
    public let byteBudget: Int

    public init(byteBudget: Int) {
        self.byteBudget = byteBudget
        lru = Mutex(TileLRU(byteBudget: byteBudget))
    }

    public var count: Int { lru.withLock { $0.count } }
    public var bytes: Int { lru.withLock { $0.bytes } }
    public var hits: Int { lru.withLock { $0.hits } }
    public var misses: Int { lru.withLock { $0.misses } }
    public var evictedByChanges: Int { lru.withLock { $0.evictedByChanges } }

    /// The entry for `key` made from exactly `revision`, marked as most recently used.
    public func get(_ key: TileCacheKey, revision: [String: Int64]) -> CachedTile? { lru.withLock { $0.get(key, revision: revision) } }

    /// Inserts or replaces an entry, then evicts the least recently used ones beyond the budget. An entry
    /// larger than the whole budget is not kept.
    public func put(_ key: TileCacheKey, _ value: CachedTile) { lru.withLock { $0.put(key, value) } }

    /// Applies a layer change: see the type's description. `buffer` and `extent` are the tile options', so the
    /// margin drawn around each tile counts.
    public func invalidate(_ change: TileChange, buffer: Int, extent: Int) {
        lru.withLock { $0.invalidate(change, buffer: buffer, extent: extent) }
    }

    /// Empties the cache.
    public func removeAll() { lru.withLock { $0.removeAll() } }
}

/// The cache's LRU list, behind the cache's lock: a lock rather than an actor, because a cached tile is served
/// in microseconds and an actor hop under load waits in the executor's queue for much longer than that.
private final class TileLRU {
    private final class Node {
        let key: TileCacheKey
        var value: CachedTile
        var newer: Node?
        var older: Node?
        init(key: TileCacheKey, value: CachedTile) {
            self.key = key
            self.value = value
        }
    }

    let byteBudget: Int
    private var nodes: [TileCacheKey: Node] = [:]
    private var newest: Node?
    private var oldest: Node?
    private(set) var bytes = 0
    private(set) var hits = 0
    private(set) var misses = 0
    private(set) var evictedByChanges = 0

    init(byteBudget: Int) { self.byteBudget = byteBudget }

    var count: Int { nodes.count }

    /// The entry for `key` made from exactly `revision`, marked as most recently used.
    func get(_ key: TileCacheKey, revision: [String: Int64]) -> CachedTile? {
        guard let node = nodes[key], node.value.revision == revision else {
            misses += 1
            return nil
        }
        hits += 1
        touch(node)
        return node.value
    }

    /// Inserts or replaces an entry, then evicts the least recently used ones beyond the budget. An entry
    /// larger than the whole budget is not kept.
    func put(_ key: TileCacheKey, _ value: CachedTile) {
        if let node = nodes[key] {
            bytes += value.cost - node.value.cost
            node.value = value
            touch(node)
        } else {
            let node = Node(key: key, value: value)
            nodes[key] = node
            bytes += value.cost
            link(node)
        }
        while bytes > byteBudget, let victim = oldest { remove(victim) }
    }

    /// Applies a layer change: see the type's description. `buffer` and `extent` are the tile options', so the
    /// margin drawn around each tile counts.
    func invalidate(_ change: TileChange, buffer: Int, extent: Int) {
        let changedWorld = change.bounds.map(WorldCoordinates.projectBox)
        let margin = Double(buffer) / Double(extent)
        for (key, node) in nodes where key.layers.contains(Substring(change.layer)) {
            guard let toVersion = change.toVersion, node.value.revision[change.layer] == change.fromVersion else {
                evictedByChanges += 1
                remove(node)
                continue
            }
            if let changedWorld {
                let size = 1 / Double(1 << key.tile.z)
                let tileBox = WorldCoordinates.bounds(of: key.tile).expanded(by: margin * size)
                if tileBox.intersects(changedWorld) {
                    evictedByChanges += 1
                    remove(node)
                    continue
                }
            }
            node.value.revision[change.layer] = toVersion
        }
    }

    /// Empties the cache.
    func removeAll() {
        nodes.removeAll()
        newest = nil
        oldest = nil
        bytes = 0
    }

    private func touch(_ node: Node) {
        guard newest !== node else { return }
        unlink(node)
        link(node)
    }

    private func link(_ node: Node) {
        node.older = newest
        node.newer = nil
        newest?.newer = node
        newest = node
        if oldest == nil { oldest = node }
    }

    private func unlink(_ node: Node) {
        node.newer?.older = node.older
        node.older?.newer = node.newer
        if newest === node { newest = node.older }
        if oldest === node { oldest = node.newer }
        node.newer = nil
        node.older = nil
    }

    private func remove(_ node: Node) {
        unlink(node)
        nodes[node.key] = nil
        bytes -= node.value.cost
    }
}
