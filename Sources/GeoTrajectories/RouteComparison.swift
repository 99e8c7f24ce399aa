import Foundation
import GeoCore

/// How an actual track compares with a planned route (收运路线对比).
public struct RouteComparison: Hashable, Sendable {
    /// Share (0–1) of the planned route's length that the track came within the corridor of.
    public var coverage: Double
    /// Length in metres of the planned route, and of the part covered.
    public var plannedLength: Double
    public var coveredLength: Double
    /// Length in metres of the actual track, and of the part driven outside the corridor.
    public var actualLength: Double
    public var offCorridorLength: Double
    /// Hausdorff distance in metres between route and track.
    public var hausdorff: Double
    /// Fréchet distance in metres between route and track (discrete, on both lines densified; see the initialiser).
    public var frechet: Double

    /// Compares `actual` (a track's positions in time order) with `planned`.
    ///
    /// - Parameters:
    ///   - corridor: half-width in metres of the band around each line that counts as "on it" [30].
    ///   - step: both lines are sampled every `step` metres [5] for coverage, off-corridor length and Hausdorff.
    ///
    /// Coverage: each planned sample is covered when it lies within `corridor` of the actual polyline; each
    /// sample stands for the length around it, so coverage is a share of length, exact to `step`. Off-corridor
    /// length is the same reading the other way: the actual length whose samples are farther than `corridor`
    /// from the plan. Hausdorff is the larger of the two directed distances, each the largest distance of a
    /// sample of one line to the other polyline (exact to `step`). Fréchet is the discrete Fréchet distance
    /// (Eiter and Mannila) on both lines densified every `step` metres, or coarser for long lines so that neither
    /// has more than 2,000 points (the programme is quadratic); on vertices alone a route with crossings 400 m
    /// apart would score 200 m against a perfect drive. It respects the order of travel: a route driven backwards
    /// has a small Hausdorff distance but a large Fréchet distance. Distances are measured in a ``LocalFrame``.
    public init(planned: LineString, actual: [Coordinate], corridor: Double = 30, step: Double = 5) {
        let frame = LocalFrame(around: planned.coordinates + actual)
        let plan = planned.coordinates.map(frame.project)
        let track = actual.map(frame.project)
        plannedLength = Planar.length(of: plan)
        actualLength = Planar.length(of: track)
        let (planCovered, planWorst) = RouteComparison.sampleAgainst(plan, other: track, corridor: corridor, step: step)
        let (trackCovered, trackWorst) = RouteComparison.sampleAgainst(track, other: plan, corridor: corridor, step: step)
        coveredLength = planCovered
        coverage = plannedLength > 0 ? planCovered / plannedLength : 0
        offCorridorLength = actualLength - trackCovered
        hausdorff = max(planWorst, trackWorst)
        let frechetStep = max(step, plannedLength / 2000, actualLength / 2000)
        frechet = RouteComparison.discreteFrechet(Planar.densify(plan, step: frechetStep), Planar.densify(track, step: frechetStep))
    }

    /// Walks `line` in pieces of at most `step` metres; returns the length of the pieces whose midpoint lies within
    /// `corridor` of `other`, and the largest distance of any sample (vertices included) to `other`.
    static func sampleAgainst(_ line: [Coordinate], other: [Coordinate], corridor: Double, step: Double) -> (Double, Double) {
        guard !line.isEmpty, !other.isEmpty else { return (0, line.isEmpty && other.isEmpty ? 0 : .infinity) }
        var inside = 0.0
        var worst = Planar.polylineDistance(line[0], other)
        if line.count == 1 { return (0, worst) }
        for k in 1..<line.count {
            let a = line[k - 1], b = line[k]
            let length = Planar.distance(a, b)
            let pieces = max(1, Int((length / step).rounded(.up)))
            let pieceLength = length / Double(pieces)
            for m in 0..<pieces {
                let mid = (Double(m) + 0.5) / Double(pieces)
                let end = Double(m + 1) / Double(pieces)
                let midPoint = Coordinate(x: a.x + (b.x - a.x) * mid, y: a.y + (b.y - a.y) * mid)
                let endPoint = Coordinate(x: a.x + (b.x - a.x) * end, y: a.y + (b.y - a.y) * end)
                if Planar.polylineDistance(midPoint, other) <= corridor { inside += pieceLength }
                worst = max(worst, Planar.polylineDistance(endPoint, other))
            }
        }
        return (inside, worst)
    }

    /// Discrete Fréchet distance between two vertex sequences in frame metres (two rows of the dynamic
    /// programme, O(n·m) time, O(m) memory).
    public static func discreteFrechet(_ p: [Coordinate], _ q: [Coordinate]) -> Double {
        guard !p.isEmpty, !q.isEmpty else { return p.isEmpty && q.isEmpty ? 0 : .infinity }
        var previous = [Double](repeating: 0, count: q.count)
        var current = previous
        for i in 0..<p.count {
            for j in 0..<q.count {
                let d = Planar.distance(p[i], q[j])
                if i == 0 && j == 0 { current[j] = d }
                else if i == 0 { current[j] = max(current[j - 1], d) }
                else if j == 0 { current[j] = max(previous[0], d) }
                else { current[j] = max(min(previous[j], previous[j - 1], current[j - 1]), d) }
            }
            swap(&previous, &current)
        }
        return previous[q.count - 1]
    }
}

extension RouteComparison {
    /// Discrete Fréchet distance in metres between two lon/lat lines: on their vertices as given when `step` is
    /// nil [nil], else on both lines densified every `step` metres (which approaches the continuous distance).
    public static func frechetDistance(_ a: LineString, _ b: LineString, step: Double? = nil) -> Double {
        let frame = LocalFrame(around: a.coordinates + b.coordinates)
        var pa = a.coordinates.map(frame.project), pb = b.coordinates.map(frame.project)
        if let step {
            pa = Planar.densify(pa, step: step)
            pb = Planar.densify(pb, step: step)
        }
        return discreteFrechet(pa, pb)
    }

    /// Hausdorff distance in metres between two lon/lat lines, both sampled every `step` metres [5].
    public static func hausdorffDistance(_ a: LineString, _ b: LineString, step: Double = 5) -> Double {
        let frame = LocalFrame(around: a.coordinates + b.coordinates)
        let pa = a.coordinates.map(frame.project), pb = b.coordinates.map(frame.project)
        return max(sampleAgainst(pa, other: pb, corridor: 0, step: step).1, sampleAgainst(pb, other: pa, corridor: 0, step: step).1)
    }
}
