import Foundation
import GeoCore
import Synchronization
import GeoEngine
import GeoStore

/// One store layer at one version, ready for cutting tiles: geometries projected once to world coordinates,
/// their bounding boxes in a packed R-tree, attributes converted to tile values.
///
/// Reading the layer once per version and answering every tile from memory is much faster than a SpatiaLite
/// R*Tree query plus WKB decoding per tile (at low zooms a tile covers the whole layer).
public struct LayerSnapshot: Sendable {
    public struct Item: Sendable {
        /// The tile feature id: the source id when it is a non-negative integer, else the store's `fid`.
        public let id: UInt64
        public let world: Geometry
        public let worldBox: BoundingBox
        public let importance: Double
        public let properties: [String: TileValue]
        /// Hash of the stored feature (geometry, id and properties) to find what changed between versions.
        let contentHash: Int
    }

    public let info: LayerInfo
    public let items: [Item]
    let tree: PackedRTree

    public var version: Int64 { info.version }

    init(info: LayerInfo, stored: [StoredFeature]) {
        self.info = info
        var items: [Item] = []
        items.reserveCapacity(stored.count)
        // Invalid polygons (self-crossing rings, bow-ties) are repaired once here rather than per tile: GEOS
        // clips them into self-crossing rings that renderers fill wrongly. Made here, used here, never shared.
        let engine = try? GeometryEngine()
        for entry in stored {
            guard let geometry = entry.feature.geometry, !geometry.isEmpty else { continue }
            var world = geometry.mapCoordinates(WorldCoordinates.project)
            if let engine, TileClipper.dimension(of: world) == 2, let report = try? engine.validate(world), !report.isValid,
                let repaired = try? engine.makeValid(world)
            {
                world = repaired
            }
            guard let box = world.boundingBox else { continue }
            let id: UInt64 =
                if case .int(let i)? = entry.feature.id, i >= 0 { UInt64(i) } else { UInt64(bitPattern: entry.fid) }
            items.append(Item(
                id: id, world: world, worldBox: box, importance: Self.importance(of: world),
                properties: entry.feature.properties.compactMapValues(TileValue.init), contentHash: entry.feature.hashValue))
        }
        self.items = items
        tree = PackedRTree(boxes: items.map(\.worldBox))
    }

    /// The items whose boxes meet `worldBox`, in store order.
    public func items(in worldBox: BoundingBox) -> [Item] { tree.search(worldBox).map { items[$0] } }

    /// Planar area for polygons, length for lines, 0 for points (all in world units).
    static func importance(of geometry: Geometry) -> Double {
        switch geometry {
        case .point, .multiPoint: 0
        case .lineString(let l): Planar.length(of: l.coordinates)
        case .multiLineString(let m): m.lineStrings.reduce(0) { $0 + Planar.length(of: $1.coordinates) }
        case .polygon(let p): Planar.area(of: p)
        case .multiPolygon(let m): m.polygons.reduce(0) { $0 + Planar.area(of: $1) }
        case .geometryCollection(let c): c.geometries.reduce(0) { $0 + importance(of: $1) }
        }
    }

    /// The longitude/latitude box of the features present in one snapshot and not the other (compared by
    /// content, so a replace import that renumbers features but changes nothing gives nil).
    static func changedBounds(from old: LayerSnapshot, to new: LayerSnapshot) -> BoundingBox? {
        var counts: [Int: Int] = [:]
        for item in old.items { counts[item.contentHash, default: 0] += 1 }
        for item in new.items { counts[item.contentHash, default: 0] -= 1 }
        var box: BoundingBox?
        func add(_ item: Item) {
            let b = WorldCoordinates.unprojectBox(item.worldBox)
            box = box?.union(b) ?? b
        }
        var remaining = counts
        for item in old.items where (remaining[item.contentHash] ?? 0) > 0 {
            add(item)
            remaining[item.contentHash]! -= 1
        }
        for item in new.items where (remaining[item.contentHash] ?? 0) < 0 {
            add(item)
            remaining[item.contentHash]! += 1
        }
        return box
    }
}

extension WorldCoordinates {
    /// A world-coordinate box back in longitude/latitude.
    public static func unprojectBox(_ box: BoundingBox) -> BoundingBox {
        func unproject(_ x: Double, _ y: Double) -> Coordinate {
            let m = WebMercator.originShift
            return WebMercator.unproject(Coordinate(x: x * 2 * m - m, y: m - y * 2 * m))
        }
        let northWest = unproject(box.minX, box.minY)
        let southEast = unproject(box.maxX, box.maxY)
        return BoundingBox(minX: northWest.x, minY: southEast.y, maxX: southEast.x, maxY: northWest.y)
    }

    /// A longitude/latitude box in world coordinates.
    public static func projectBox(_ box: BoundingBox) -> BoundingBox {
        let northWest = project(Coordinate(x: box.minX, y: box.maxY))
        let southEast = project(Coordinate(x: box.maxX, y: box.minY))
        return BoundingBox(minX: northWest.x, minY: northWest.y, maxX: southEast.x, maxY: southEast.y)
    }
}

/// A change of a store layer seen by the tile service: which version replaced which, and where features
/// differ. Tiles meeting `bounds` (plus their buffer) at any zoom changed; all others did not.
public struct TileChange: Hashable, Sendable {
    /// Position in the change feed, from 1 up; `GET /tiles/changes?since=` takes the last one seen.
    public let sequence: Int64
    public let layer: String
    public let fromVersion: Int64
    /// nil when the layer was deleted.
    public let toVersion: Int64?
    /// Longitude/latitude box of the changed features; nil when no feature differs.
    public let bounds: BoundingBox?
    public let detectedAt: Date
}

/// The layer snapshots of one store, refreshed when a layer's version moves, and the feed of changes found.
///
/// Every tile request asks for the snapshot of its layers, which costs one catalogue read; a new version is
/// loaded once (concurrent requests wait for the same load), diffed against the old snapshot, recorded as a
/// ``TileChange`` and handed to `onChange` (the tile cache evicts the changed tiles) before any request sees
/// the new snapshot.
public actor LayerSnapshots {
    public let store: any FeatureStore
    /// How long a snapshot is served after its version was last confirmed without asking the store again.
    public let maximumAge: Duration
    private var snapshots: [String: LayerSnapshot] = [:]
    /// The confirmed snapshots and when (the only record of confirmation), readable without entering the actor:
    /// a tile request under load would
    /// otherwise queue once per layer for an answer that is usually "the one you have is still current".
    private nonisolated let recent = Mutex([String: (snapshot: LayerSnapshot, confirmed: ContinuousClock.Instant)]())
    private var loading: [String: (version: Int64, task: Task<LayerSnapshot, any Error>)] = [:]
    private var feed: [TileChange] = []
    private var sequence: Int64 = 0
    private var onChange: (@Sendable (TileChange) async -> Void)?
    /// Changes kept for the feed; older ones are forgotten (clients that fall further behind refetch all).
    public let feedLimit: Int

    /// - Parameter maximumAge: zero (the default) checks the layer version on every call, so a change is seen
    ///   by the next request; a longer age saves the catalogue read where data cannot change meanwhile (exports).
    public init(store: any FeatureStore, maximumAge: Duration = .zero, feedLimit: Int = 10_000) {
        self.store = store
        self.maximumAge = maximumAge
        self.feedLimit = feedLimit
    }

    /// Sets the function told about every change (before the new snapshot is served).
    public func setChangeHandler(_ handler: @escaping @Sendable (TileChange) async -> Void) {
        onChange = handler
    }

    /// The start of the request being served (set by ``TileService``): a version confirmed since then is not
    /// asked again, so one request reads each layer's version once however many times it needs the snapshot.
    @TaskLocal public static var requestStart: ContinuousClock.Instant?

    /// The current snapshot of `layer`; throws `layer_not_found` for a layer the store does not have.
    public func snapshot(of layer: String) async throws(GeoError) -> LayerSnapshot {
        let snapshot = try await confirmedSnapshot(of: layer)
        recent.withLock { $0[layer] = snapshot }
        return snapshot.snapshot
    }

    /// Forgets the confirmation of `layer`'s version, so that the next tile of it asks the store again: how a
    /// change another process reported (the store's change feed) reaches the tiles at once.
    public nonisolated func invalidate(_ layer: String) {
        recent.withLock { $0[layer] = nil }
    }

    /// ``snapshot(of:)`` without entering the actor when the last confirmation is recent enough (within
    /// `maximumAge`, or since the start of the current request).
    public nonisolated func current(_ layer: String) async throws(GeoError) -> LayerSnapshot {
        if let known = recent.withLock({ $0[layer] }) {
            if maximumAge > .zero, ContinuousClock.now - known.confirmed <= maximumAge { return known.snapshot }
            if let start = Self.requestStart, known.confirmed >= start { return known.snapshot }
        }
        return try await snapshot(of: layer)
    }

    private func confirmedSnapshot(of layer: String) async throws(GeoError) -> (snapshot: LayerSnapshot, confirmed: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        if let current = snapshots[layer] {
            if let at = recent.withLock({ $0[layer]?.confirmed }) {
                if maximumAge > .zero, now - at <= maximumAge { return (current, at) }
                if let start = Self.requestStart, at >= start { return (current, at) }
            }
            // The version alone is a one-column read; the full catalogue entry is read only when it moved.
            if try await store.layerVersion(named: layer) == current.version {
                return (current, now)
            }
        }
        guard let info = try await store.layer(named: layer) else {
            recent.withLock { $0[layer] = nil }
            if let old = snapshots.removeValue(forKey: layer) {
                await record(layer: layer, from: old.version, to: nil, bounds: old.info.bbox)
            }
            throw GeoError(code: .layerNotFound, message: "there is no layer \"\(layer)\"")
        }
        if let current = snapshots[layer], current.version == info.version {
            return (current, now)
        }
        let task: Task<LayerSnapshot, any Error>
        if let pending = loading[layer], pending.version == info.version {
            task = pending.task
        } else {
            let store = self.store
            task = Task { LayerSnapshot(info: info, stored: try await store.features(in: layer)) }
            loading[layer] = (info.version, task)
        }
        let fresh: LayerSnapshot
        do {
            fresh = try await task.value
        } catch {
            if loading[layer]?.version == info.version { loading[layer] = nil }
            throw (error as? GeoError) ?? GeoError(code: .databaseError, message: "cannot read layer \(layer)", underlying: "\(error)")
        }
        if loading[layer]?.version == info.version { loading[layer] = nil }
        // Another request may have installed this or a newer version while we waited.
        if let current = snapshots[layer], current.version >= fresh.version {
            return (current, recent.withLock { $0[layer]?.confirmed } ?? now)
        }
        let old = snapshots[layer]
        snapshots[layer] = fresh
        if let old {
            await record(layer: layer, from: old.version, to: fresh.version, bounds: LayerSnapshot.changedBounds(from: old, to: fresh))
        }
        return (fresh, now)
    }

    /// Checks every layer already snapshotted against the catalogue, so that the feed is current.
    public func refresh() async throws(GeoError) {
        for layer in snapshots.keys.sorted() {
            do {
                _ = try await snapshot(of: layer)
            } catch where error.code == .layerNotFound {
                continue
            }
        }
    }

    /// Changes after `sequence`, oldest first, and the latest sequence number.
    public func changes(since sequence: Int64) -> (latest: Int64, changes: [TileChange]) {
        (self.sequence, feed.filter { $0.sequence > sequence })
    }

    private func record(layer: String, from: Int64, to: Int64?, bounds: BoundingBox?) async {
        sequence += 1
        let change = TileChange(sequence: sequence, layer: layer, fromVersion: from, toVersion: to, bounds: bounds, detectedAt: Date())
        feed.append(change)
        if feed.count > feedLimit { feed.removeFirst(feed.count - feedLimit) }
        await onChange?(change)
    }
}
