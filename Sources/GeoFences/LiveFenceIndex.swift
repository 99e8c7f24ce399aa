import GeoCore

/// The fence index of a running monitor, cheap to change one fence at a time.
///
/// A ``FenceIndex`` is immutable and costs O(n) to build, so rebuilding it on every created fence made 10,000
/// fences posted one by one take about two minutes. Here a large `base` index built once is kept beside a small
/// `recent` one holding the fences added or replaced since, built in the base's frame; fences removed or replaced
/// are masked. A change rebuilds only `recent` (a few hundred fences at most), and when `recent` or the mask
/// grows past a share of the base everything is compacted into a new base, so the amortised cost of a change is
/// a small constant and queries stay one grid cell in each of two indexes.
///
/// Positions (``FenceHit/fence``) number the base's fences first, then the recent ones, and stay valid until the
/// next change; evaluator states key fences by id, never by position, so they survive any change.
public struct LiveFenceIndex: Sendable {
    /// The fences built into the base index.
    public let base: FenceIndex
    /// The fences changed since the base was built, indexed in the base's frame.
    public let recent: FenceIndex
    /// Positions of fences removed or replaced since the base was built.
    private let removed: Set<Int>
    /// Live fence position by id.
    public let positionById: [String: Int]

    /// Most fences `recent` holds before a change compacts: a rebuild of this many costs well under a millisecond.
    public static let recentLimit = 256

    /// An index of `fences` with a reach of `reach` metres (see ``FenceIndex/init(_:reach:cellSize:frame:)``).
    public init(_ fences: [Fence], reach: Double) {
        self.init(base: FenceIndex(fences, reach: reach))
    }

    /// An index over a built one.
    public init(base: FenceIndex) {
        self.init(base: base, recent: FenceIndex([], reach: base.reach, frame: base.frame), removed: [])
    }

    private init(base: FenceIndex, recent: FenceIndex, removed: Set<Int>) {
        self.base = base
        self.recent = recent
        self.removed = removed
        var positions: [String: Int] = [:]
        positions.reserveCapacity(base.fences.count + recent.fences.count)
        for (f, fence) in base.fences.enumerated() where !removed.contains(f) { positions[fence.id] = f }
        for (k, fence) in recent.fences.enumerated() { positions[fence.id] = base.fences.count + k }
        positionById = positions
    }

    /// Every fence by position: removed ones are still there (``isLive(_:)`` tells), so positions stay put.
    public var fences: FenceList { FenceList(base: base.fences, recent: recent.fences) }

    /// How far outside a fence's edge it is still reported, metres.
    public var reach: Double { base.reach }

    /// The frame distances are measured in.
    public var frame: LocalFrame { base.frame }

    /// The positions of the fences in force, in position order.
    public var livePositions: [Int] { (0..<(base.fences.count + recent.fences.count)).filter(isLive) }

    /// Whether the fence at `position` is in force (not removed or replaced since the base was built).
    public func isLive(_ position: Int) -> Bool { position >= base.fences.count || !removed.contains(position) }

    /// The fences in force, in position order.
    public var liveFences: [Fence] { livePositions.map { fences[$0] } }

    // MARK: changes

    /// The index with `fence` added, or replacing the fence of the same id.
    public func upserting(_ fence: Fence) -> LiveFenceIndex {
        var removed = removed
        var recentFences = recent.fences
        if let old = positionById[fence.id] {
            if old < base.fences.count {
                removed.insert(old)
            } else {
                recentFences.remove(at: old - base.fences.count)
            }
        }
        recentFences.append(fence)
        return rebuilt(recent: recentFences, removed: removed, farFromFrame: !isNearFrame(fence))
    }

    /// Whether `fence` lies within ``frameReach`` of the frame's origin, where the frame measures metres well.
    private func isNearFrame(_ fence: Fence) -> Bool {
        guard !base.fences.isEmpty else { return false }
        let anchor = fence.center ?? fence.line.first ?? fence.polygons.first?.first?.first
        return anchor.map { base.frame.distance($0, base.frame.origin) <= Self.frameReach } ?? true
    }

    /// How far from the frame's origin a changed fence may lie and still join `recent` in that frame: at 50 km the
    /// frame's scale error is under 0.7 %; farther (a fence in another city, or the first fence of an empty index)
    /// everything is compacted into a new base centred on all fences.
    public static let frameReach = 50_000.0

    /// The index without the fence `id` (unchanged when there is none).
    public func removing(id: String) -> LiveFenceIndex {
        guard let old = positionById[id] else { return self }
        var removed = removed
        var recentFences = recent.fences
        if old < base.fences.count {
            removed.insert(old)
        } else {
            recentFences.remove(at: old - base.fences.count)
        }
        return rebuilt(recent: recentFences, removed: removed, farFromFrame: false)
    }

    /// `recent` rebuilt, or everything compacted into a new base when the changes outgrow their share or a fence
    /// lies too far from the frame.
    private func rebuilt(recent recentFences: [Fence], removed: Set<Int>, farFromFrame: Bool) -> LiveFenceIndex {
        if farFromFrame || recentFences.count > Self.recentLimit || removed.count > max(Self.recentLimit, base.fences.count / 8) {
            let live = base.fences.enumerated().filter { !removed.contains($0.offset) }.map(\.element) + recentFences
            return LiveFenceIndex(base: FenceIndex(live, reach: base.reach))
        }
        return LiveFenceIndex(base: base, recent: FenceIndex(recentFences, reach: base.reach, frame: base.frame), removed: removed)
    }

    // MARK: queries

    /// Per-caller working memory of queries (one per task).
    public struct Scratch: Sendable {
        var base: FenceIndex.Scratch
        var recent: FenceIndex.Scratch
        var recentHits: [FenceHit] = []
    }

    /// Scratch sized for this index.
    public func makeScratch() -> Scratch { Scratch(base: base.makeScratch(), recent: recent.makeScratch()) }

    /// Replaces `hits` with every live fence whose edge is within ``reach`` metres of `position` (and every
    /// live fence holding it), one hit per fence.
    public func query(_ position: Coordinate, into hits: inout [FenceHit], scratch: inout Scratch) {
        base.query(position, into: &hits, scratch: &scratch.base)
        if !removed.isEmpty { hits.removeAll { removed.contains($0.fence) } }
        guard !recent.fences.isEmpty else { return }
        recent.query(position, into: &scratch.recentHits, scratch: &scratch.recent)
        let offset = base.fences.count
        for var hit in scratch.recentHits {
            hit.fence += offset
            hits.append(hit)
        }
    }

    /// The hits of one position as a new array (convenient, allocates).
    public func query(_ position: Coordinate) -> [FenceHit] {
        var hits: [FenceHit] = []
        var scratch = makeScratch()
        query(position, into: &hits, scratch: &scratch)
        return hits
    }

    /// Metres from the edge of fence `fence` (positive when outside), exactly, however far.
    public func outsideBy(fence: Int, position: Coordinate) -> Double {
        fence < base.fences.count
            ? base.outsideBy(fence: fence, position: position) : recent.outsideBy(fence: fence - base.fences.count, position: position)
    }

    /// Metres from `position` to corridor fence `fence`'s line, however far.
    public func corridorDistance(fence: Int, from position: Coordinate) -> Double {
        fence < base.fences.count
            ? base.corridorDistance(fence: fence, from: position)
            : recent.corridorDistance(fence: fence - base.fences.count, from: position)
    }
}

/// The fences of a ``LiveFenceIndex`` by position, without copying the two indexes' arrays.
public struct FenceList: RandomAccessCollection, Sendable {
    let base: [Fence]
    let recent: [Fence]

    public var startIndex: Int { 0 }
    public var endIndex: Int { base.count + recent.count }
    public subscript(position: Int) -> Fence { position < base.count ? base[position] : recent[position - base.count] }
}
