import Foundation
import GeoCore
import GeoStore

/// The place of a "who passed here" query (违规反查).
public enum PassageArea: Hashable, Sendable {
    /// Within `radius` metres of a line, e.g. a road section.
    case line(LineString, radius: Double)
    /// Within `radius` metres of a point.
    case point(Coordinate, radius: Double)
    /// Inside a polygon (holes excluded).
    case polygon(Polygon)

    /// The area's bounding box in degrees, grown by its radius.
    var boundingBox: BoundingBox {
        let (coordinates, radius): ([Coordinate], Double) =
            switch self {
            case .line(let l, let r): (l.coordinates, r)
            case .point(let c, let r): ([c], r)
            case .polygon(let p): (p.exterior, 0)
            }
        let box = BoundingBox(coordinates: coordinates) ?? BoundingBox(minX: 0, minY: 0, maxX: 0, maxY: 0)
        return LocalFrame(origin: box.center).expand(box, byMetres: radius)
    }
}

/// A vehicle that passed: the first and last time it was in the area within the query's window.
public struct Passage: Hashable, Sendable {
    public var vehicle: String
    /// First and last time (epoch seconds) the track was in the area, within the query's window.
    public var firstTime: Double
    public var lastTime: Double
}

/// Exact tests of tracks against a ``PassageArea``, shared by the in-memory index and the store query.
///
/// A track passes when any fix, or any point of the straight segment between two consecutive fixes at most
/// ``maximumGap`` apart, is in the area; segments are walked every ``step`` metres with times interpolated, so a
/// vehicle crossing a road section between two 10-second fixes is found and its times are exact to the time it
/// takes to drive `step` metres. Segments across a longer gap are not interpolated: where the vehicle went is
/// unknown.
public struct PassageMatcher: Sendable {
    /// The place tested.
    public let area: PassageArea
    /// Sampling step along segments in metres [5].
    public var step: Double
    /// Longest gap in seconds between two fixes whose segment is interpolated [600].
    public var maximumGap: Double
    let frame: LocalFrame
    let region: BoundingBox
    let shape: [Coordinate]
    let holes: [[Coordinate]]
    let radius: Double

    public init(area: PassageArea, step: Double = 5, maximumGap: Double = 600) {
        self.area = area
        self.step = step
        self.maximumGap = maximumGap
        region = area.boundingBox
        let frame = LocalFrame(origin: region.center)
        self.frame = frame
        switch area {
        case .line(let l, let r): shape = l.coordinates.map(frame.project); holes = []; radius = r
        case .point(let c, let r): shape = [frame.project(c)]; holes = []; radius = r
        case .polygon(let p): shape = p.exterior.map(frame.project); holes = p.holes.map { $0.map(frame.project) }; radius = 0
        }
    }

    /// Whether a frame position is in the area.
    func contains(_ p: Coordinate) -> Bool {
        if case .polygon = area {
            return Planar.ring(shape, contains: p) && !holes.contains { Planar.ring($0, contains: p) }
        }
        return Planar.polylineDistance(p, shape) <= radius
    }

    /// First and last time in the area of one vehicle's time-sorted fixes, looking only at segments
    /// `k-1 → k` for k in `segments` (and the fixes themselves), and at times within `from...to`.
    public func passage(_ points: [TrackPoint], segments: ClosedRange<Int>? = nil, from: Double, to: Double) -> (Double, Double)? {
        guard !points.isEmpty else { return nil }
        var first: Double? = nil, last: Double? = nil
        func hit(_ t: Double) {
            guard t >= from && t <= to else { return }
            if first == nil || t < first! { first = t }
            if last == nil || t > last! { last = t }
        }
        let range = segments ?? 0...(points.count - 1)
        for k in range {
            let b = points[k]
            let pb = frame.project(b.coordinate)
            if region.contains(b.coordinate) && contains(pb) { hit(b.time) }
            guard k > 0 else { continue }
            let a = points[k - 1]
            guard b.time - a.time <= maximumGap, b.time >= from, a.time <= to else { continue }
            // Skip segments whose box misses the area's box.
            let box = BoundingBox(minX: min(a.longitude, b.longitude), minY: min(a.latitude, b.latitude),
                                  maxX: max(a.longitude, b.longitude), maxY: max(a.latitude, b.latitude))
            guard box.intersects(region) else { continue }
            let pa = frame.project(a.coordinate)
            let pieces = max(1, Int((Planar.distance(pa, pb) / step).rounded(.up)))
            guard pieces > 1 else { continue }
            for m in 1..<pieces {
                let r = Double(m) / Double(pieces)
                let p = Coordinate(x: pa.x + (pb.x - pa.x) * r, y: pa.y + (pb.y - pa.y) * r)
                if contains(p) { hit(a.time + (b.time - a.time) * r) }
            }
        }
        guard let first, let last else { return nil }
        return (first, last)
    }
}

/// An in-memory index of many vehicles' tracks for "who passed here" queries: each ~200 m cell of
/// ``TrackCell`` maps to runs of consecutive segments of one vehicle that touch it, so a query reads the few
/// cells around the area and tests only those segments exactly.
public struct PassageIndex: Sendable {
    /// A run of segments `firstSegment...lastSegment` (segment k joins fix k-1 and fix k; k = 0 is fix 0 alone).
    struct Run: Hashable, Sendable {
        var vehicle: Int
        var firstSegment: Int
        var lastSegment: Int
    }

    let vehicles: [String]
    let tracks: [[TrackPoint]]
    var cells: [Int64: [Run]] = [:]

    /// The longest time between two fixes that still counts as driving between them (seconds); a longer gap
    /// (a night, a signal loss) is not indexed as a segment, so queries must not ask for a larger `maximumGap`.
    public let maximumGap: Double

    /// Indexes `points` of any vehicles (sorted here by vehicle and time; clean them first if needed).
    /// - Parameter maximumGap: fixes further apart in time than this [600 s] are not joined: without it, the
    ///   overnight jump from one day's last fix to the next day's first would be indexed across every cell between.
    public init(points: [TrackPoint], maximumGap: Double = 600) {
        self.maximumGap = maximumGap
        var byVehicle: [String: [TrackPoint]] = [:]
        for p in points { byVehicle[p.vehicle, default: []].append(p) }
        vehicles = byVehicle.keys.sorted()
        tracks = vehicles.map { v in byVehicle[v]!.sorted { $0.time < $1.time } }
        for (v, track) in tracks.enumerated() {
            for k in track.indices {
                let b = track[k]
                let a = k > 0 && b.time - track[k - 1].time <= maximumGap ? track[k - 1] : b
                let box = BoundingBox(minX: min(a.longitude, b.longitude), minY: min(a.latitude, b.latitude),
                                      maxX: max(a.longitude, b.longitude), maxY: max(a.latitude, b.latitude))
                // The segment's box may list a cell the segment misses; the exact test sorts that out.
                for cell in TrackCell.cells(covering: box) {
                    // Mutated in place through the default subscript: copying a cell's runs per segment would be quadratic.
                    let runs = cells[cell]?.count ?? 0
                    if runs > 0, let lastRun = cells[cell]?.last, lastRun.vehicle == v, lastRun.lastSegment >= k - 1 {
                        cells[cell, default: []][runs - 1].lastSegment = k
                    } else {
                        cells[cell, default: []].append(Run(vehicle: v, firstSegment: k, lastSegment: k))
                    }
                }
            }
        }
    }

    /// Number of cells holding at least one run.
    public var cellCount: Int { cells.count }

    /// Vehicles whose track was in `area` between `from` and `to`, with their first and last time there,
    /// sorted by vehicle.
    public func passages(_ area: PassageArea, from: Double, to: Double, step: Double = 5, maximumGap: Double? = nil) -> [Passage] {
        let matcher = PassageMatcher(area: area, step: step, maximumGap: min(maximumGap ?? self.maximumGap, self.maximumGap))
        var segmentsByVehicle: [Int: [ClosedRange<Int>]] = [:]
        // A large area (a whole district) covers more cells than the index holds: then walk the index instead.
        let touched: [Int64] =
            TrackCell.cellCount(covering: matcher.region) <= cells.count
            ? Array(TrackCell.cells(covering: matcher.region))
            : cells.keys.filter { TrackCell.cell($0, intersects: matcher.region) }
        for cell in touched {
            for run in cells[cell] ?? [] { segmentsByVehicle[run.vehicle, default: []].append(run.firstSegment...run.lastSegment) }
        }
        var result: [Passage] = []
        for (v, ranges) in segmentsByVehicle {
            var first = Double.infinity, last = -Double.infinity
            for range in ranges {
                // Runs out of the time window are skipped before any geometry.
                let track = tracks[v]
                guard track[range.upperBound].time >= from, track[max(0, range.lowerBound - 1)].time <= to else { continue }
                if let (f, l) = matcher.passage(track, segments: range, from: from, to: to) {
                    first = min(first, f)
                    last = max(last, l)
                }
            }
            if first <= last { result.append(Passage(vehicle: vehicles[v], firstTime: first, lastTime: last)) }
        }
        return result.sorted { $0.vehicle < $1.vehicle }
    }
}

extension TrackStore {
    /// "Who passed here" answered from the store: candidate vehicles are those with a fix in the cells around the
    /// area grown by `margin` metres [200, about one cell] between `from` and `to`; each candidate's fixes in the
    /// window are then tested exactly (see ``PassageMatcher``). The margin finds vehicles that crossed the area
    /// between two fixes; a vehicle whose fixes are more than twice the margin apart near the area can be missed.
    ///
    /// The stored fixes are raw, so each candidate's fixes are cleaned with `cleaner` [default options] first: a
    /// GPS jump would otherwise draw a segment across the area.
    public func passages(_ area: PassageArea, from: Double, to: Double, margin: Double = 200, step: Double = 5,
                         maximumGap: Double = 600, cleaner: TrackCleaner? = TrackCleaner()) async throws(GeoError) -> [Passage] {
        let matcher = PassageMatcher(area: area, step: step, maximumGap: maximumGap)
        let box = matcher.region
        let grown = LocalFrame(origin: box.center).expand(box, byMetres: margin)
        // 100,000 cells is a square of about 60 km: a "who passed here" beyond that is a scan, not a lookup.
        guard TrackCell.cellCount(covering: grown) <= 100_000 else {
            throw GeoError(code: .invalidArea, message: "the area spans more than 100,000 cells of \(TrackCell.size)°; query a smaller area")
        }
        let candidates = try await trackVehicles(inCells: TrackCell.cells(covering: grown), from: from, to: to)
        var result: [Passage] = []
        for vehicle in candidates.sorted() {
            let raw = try await trackPoints(vehicle: vehicle, from: from, to: to)
            let points = cleaner.map { $0.cleanVehicle(raw).points } ?? raw
            if let (first, last) = matcher.passage(points, from: from, to: to) {
                result.append(Passage(vehicle: vehicle, firstTime: first, lastTime: last))
            }
        }
        return result
    }
}
