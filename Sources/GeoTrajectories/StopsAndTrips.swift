import Foundation
import GeoCore

/// A designated site where stops are expected (a transfer station, a depot, a collection point).
@MemberwiseInit
public struct DesignatedSite: Hashable, Sendable {
    /// The site's identifier, reported on stops inside it.
    public var id: String
    /// Its area in lon/lat.
    public var area: MultiPolygon

    public init(id: String, polygon: Polygon) { self.init(id: id, area: MultiPolygon([polygon])) }

    /// Whether `c` is inside the site (holes excluded).
    public func contains(_ c: Coordinate) -> Bool { area.polygons.contains { Planar.polygon($0, contains: c) } }
}

/// A stop (停车 / 停留): the vehicle stayed within a small area for a while.
public struct Stop: Hashable, Sendable {
    /// Mean position of the fixes of the stop.
    public var centroid: Coordinate
    /// Time of the first and last fix of the stop (epoch seconds).
    public var start: Double
    public var end: Double
    /// Index range of the stop's fixes in the analysed (cleaned) points.
    public var firstIndex: Int
    public var lastIndex: Int
    /// The designated site containing the centroid, if any.
    public var siteID: String?

    /// Seconds from the first to the last fix.
    public var duration: Double { end - start }
}

/// A trip (作业趟): movement between two stops, or between a stop and a signal gap.
public struct Trip: Hashable, Sendable {
    /// Time of the first and last fix of the trip: the departure fix of the previous stop and the arrival fix
    /// of the next one.
    public var start: Double
    public var end: Double
    public var firstIndex: Int
    public var lastIndex: Int
    /// Geodesic length in metres of the trip: from the previous stop's centroid through the trip's fixes to the
    /// next stop's centroid. The centroids stand in for the trip's first and last fix when the trip starts or
    /// ends at a stop, because those fixes may already be up to the stop's trim radius down the road.
    public var distance: Double

    /// Seconds from departure to arrival.
    public var duration: Double { end - start }
}

/// Finds stops and trips in one vehicle's cleaned, time-sorted fixes.
///
/// Stops are stay points: from each fix, the following fixes are gathered while they stay within
/// ``Options/stopRadius`` of it; if they span at least ``Options/minimumStopDuration`` they form a stop. Because
/// the fix that starts the search may be an approach fix up to the radius away, the stop is then trimmed to the
/// fixes within ``Options/trimRadius`` of the stop's centroid, so that its start and end fall within one sample of
/// the real arrival and departure. Trips are the stretches between stops, also split where two fixes are more
/// than ``Options/maximumGap`` apart (a signal gap, 断线).
@MemberwiseInit
public struct StopTripDetector: Sendable {
    /// Thresholds; defaults in brackets.
    public struct Options: Hashable, Sendable {
        /// Radius of a stay in metres [50].
        public var stopRadius: Double
        /// Shortest stop in seconds [180].
        public var minimumStopDuration: Double
        /// Fixes farther than this from a stop's centroid are trimmed off its ends, metres [half the stop radius, 25].
        public var trimRadius: Double
        /// A larger gap between fixes ends a trip, seconds [600].
        public var maximumGap: Double

        public init(stopRadius: Double = 50, minimumStopDuration: Double = 180, trimRadius: Double? = nil,
                    maximumGap: Double = 600) {
            self.stopRadius = stopRadius
            self.minimumStopDuration = minimumStopDuration
            self.trimRadius = trimRadius ?? stopRadius / 2
            self.maximumGap = maximumGap
        }
    }

    public var options: Options = Options()
    /// Sites whose stops are marked with the site's id (the first site containing the stop's centroid).
    public var sites: [DesignatedSite] = []

    /// The stops of `points` (one vehicle, sorted by time), in time order.
    public func stops(in points: [TrackPoint]) -> [Stop] {
        var stops: [Stop] = []
        var i = 0
        let n = points.count
        while i < n {
            let anchor = points[i].coordinate
            var j = i + 1
            while j < n && Geodesic.haversineDistance(from: anchor, to: points[j].coordinate) <= options.stopRadius { j += 1 }
            let last = j - 1
            if last > i && points[last].time - points[i].time >= options.minimumStopDuration,
               let stop = trimmedStop(points, i, last) {
                // Where the previous stop's trailing fixes overlap (a trim left them out), keep stops disjoint.
                if let previous = stops.last, stop.firstIndex <= previous.lastIndex {
                    i = previous.lastIndex + 1
                    continue
                }
                stops.append(stop)
                i = j
            } else {
                i += 1
            }
        }
        return stops
    }

    /// The stop made of `points[first...last]` trimmed to its core, or nil when the core is too short.
    func trimmedStop(_ points: [TrackPoint], _ first: Int, _ last: Int) -> Stop? {
        // Time-weighted: each fix stands for half the time to its neighbours, so the long stationary stretch
        // (collapsed by the cleaner into two fixes) outweighs the approach and departure fixes at the ends.
        func centroid(_ a: Int, _ b: Int) -> Coordinate {
            guard b > a else { return points[a].coordinate }
            var x = 0.0, y = 0.0, total = 0.0
            for k in a...b {
                let before = k > a ? points[k].time - points[k - 1].time : 0
                let after = k < b ? points[k + 1].time - points[k].time : 0
                let w = max((before + after) / 2, 1e-9)
                x += points[k].longitude * w
                y += points[k].latitude * w
                total += w
            }
            return Coordinate(longitude: x / total, latitude: y / total)
        }
        var a = first, b = last
        // Two passes: the first centroid is pulled by approach fixes; the second is the core's own.
        for _ in 0..<2 {
            let centre = centroid(a, b)
            while a < b && Geodesic.haversineDistance(from: centre, to: points[a].coordinate) > options.trimRadius { a += 1 }
            while b > a && Geodesic.haversineDistance(from: centre, to: points[b].coordinate) > options.trimRadius { b -= 1 }
        }
        guard b > a, points[b].time - points[a].time >= options.minimumStopDuration else { return nil }
        let centre = centroid(a, b)
        return Stop(centroid: centre, start: points[a].time, end: points[b].time, firstIndex: a, lastIndex: b,
                    siteID: sites.first { $0.contains(centre) }?.id)
    }

    /// The trips between `stops` in `points`, also split at gaps longer than ``Options/maximumGap``.
    /// A trip starts at the last fix of a stop (the departure) and ends at the first fix of the next stop.
    public func trips(in points: [TrackPoint], stops: [Stop]) -> [Trip] {
        guard points.count > 1 else { return [] }
        // Stretches of movement: [start, end] index ranges outside the stops' cores.
        var stretches: [(Int, Int)] = []
        var cursor = 0
        for stop in stops {
            if stop.firstIndex > cursor { stretches.append((cursor, stop.firstIndex)) }
            cursor = stop.lastIndex
        }
        if cursor < points.count - 1 { stretches.append((cursor, points.count - 1)) }

        let departures = Dictionary(stops.map { ($0.lastIndex, $0.centroid) }, uniquingKeysWith: { a, _ in a })
        let arrivals = Dictionary(stops.map { ($0.firstIndex, $0.centroid) }, uniquingKeysWith: { a, _ in a })
        var trips: [Trip] = []
        func append(_ a: Int, _ b: Int) {
            guard b > a else { return }
            var line = points[a...b].map(\.coordinate)
            if let c = departures[a] { line[0] = c }
            if let c = arrivals[b] { line[line.count - 1] = c }
            var distance = 0.0
            for k in 1..<line.count { distance += Geodesic.distance(from: line[k - 1], to: line[k]) }
            trips.append(Trip(start: points[a].time, end: points[b].time, firstIndex: a, lastIndex: b, distance: distance))
        }
        for (a, b) in stretches {
            var start = a
            for k in (a + 1)...b where points[k].time - points[k - 1].time > options.maximumGap {
                append(start, k - 1)
                start = k
            }
            append(start, b)
        }
        return trips
    }
}
