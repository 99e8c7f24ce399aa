import Foundation
import GeoCore

/// Line and trajectory simplification with tolerances in metres.
public enum TrackSimplifier {
    /// Douglas-Peucker on longitude/latitude with a tolerance in metres: the indices of the vertices kept,
    /// ascending, first and last always included. Distances are perpendicular distances to the chord in a
    /// ``LocalFrame`` centred on the line, so a tolerance means the same on the ground in every direction
    /// (on raw degrees, east-west distances would count 16 % short at 33° N).
    public static func douglasPeucker(_ coordinates: [Coordinate], tolerance: Double) -> [Int] {
        let frame = LocalFrame(around: coordinates)
        let xy = coordinates.map(frame.project)
        return simplify(count: xy.count, tolerance: tolerance) { i, a, b in
            Planar.segmentDistance(xy[i], xy[a], xy[b]).distance
        }
    }

    /// Time-aware Douglas-Peucker (top-down time ratio): a fix's error is its synchronized Euclidean distance
    /// (SED), the distance from where it was to where the simplified trajectory says the vehicle was at the
    /// same time (linear interpolation in time along the chord). Unlike plain Douglas-Peucker it keeps the fixes
    /// where the vehicle stopped or changed speed on a straight road, so that playback keeps its timing.
    /// `points` must be sorted by time. Returns the indices kept.
    public static func sedSimplify(_ points: [TrackPoint], tolerance: Double) -> [Int] {
        let frame = LocalFrame(around: points.map(\.coordinate))
        let xy = points.map { frame.project($0.coordinate) }
        return simplify(count: xy.count, tolerance: tolerance) { i, a, b in
            let span = points[b].time - points[a].time
            let r = span > 0 ? (points[i].time - points[a].time) / span : 0
            let x = xy[a].x + (xy[b].x - xy[a].x) * r, y = xy[a].y + (xy[b].y - xy[a].y) * r
            return ((xy[i].x - x) * (xy[i].x - x) + (xy[i].y - y) * (xy[i].y - y)).squareRoot()
        }
    }

    /// The shared top-down split: keeps the vertex of largest error while that error exceeds `tolerance`.
    /// An explicit stack instead of recursion, so that a day of 10-second fixes cannot overflow the stack.
    static func simplify(count: Int, tolerance: Double, error: (Int, Int, Int) -> Double) -> [Int] {
        guard count > 2 else { return Array(0..<count) }
        var keep = [Bool](repeating: false, count: count)
        keep[0] = true
        keep[count - 1] = true
        var stack: [(Int, Int)] = [(0, count - 1)]
        while let (a, b) = stack.popLast() {
            guard b - a > 1 else { continue }
            var worst = -1.0, worstIndex = a
            for i in (a + 1)..<b {
                let e = error(i, a, b)
                if e > worst { worst = e; worstIndex = i }
            }
            if worst > tolerance {
                keep[worstIndex] = true
                stack.append((a, worstIndex))
                stack.append((worstIndex, b))
            }
        }
        return keep.indices.filter { keep[$0] }
    }

    /// Ground metres per pixel of a 256-pixel Web Mercator tile pyramid at `zoom` and `latitude`
    /// (156,543.03 m at zoom 0 on the equator, halving per zoom level, times cos φ).
    public static func metresPerPixel(zoom: Double, latitude: Double) -> Double {
        2 * .pi * 6_378_137 / 256 * cos(latitude * .pi / 180) / pow(2, zoom)
    }

    /// Playback (轨迹回放): the fixes of a time-sorted track between `from` and `to` (inclusive), simplified with
    /// SED for a map at `zoom` with a tolerance of `pixels` [1] pixels, so that what is dropped could not be
    /// seen and the animation keeps its timing. Without a zoom the fixes are returned as they are.
    public static func playback(_ points: [TrackPoint], from: Double? = nil, to: Double? = nil, zoom: Double? = nil,
                                pixels: Double = 1) -> [TrackPoint] {
        let window = points.filter { p in (from.map { p.time >= $0 } ?? true) && (to.map { p.time <= $0 } ?? true) }
        guard let zoom, window.count > 2 else { return window }
        let latitude = window.reduce(0) { $0 + $1.latitude } / Double(window.count)
        let tolerance = pixels * metresPerPixel(zoom: zoom, latitude: latitude)
        return sedSimplify(window, tolerance: tolerance).map { window[$0] }
    }
}
