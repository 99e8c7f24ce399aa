import Foundation
import GeoCore

/// A road's centre line in local metres (equirectangular about its first vertex, exact to millimetres over the
/// few kilometres of a city road), with its plates placed by measure along the line and signed offset from it
/// (left of the numbering direction positive). The 线-点 model of GB/T 30428.3: a door number absent from the
/// book is placed by interpolating between its same-parity neighbours.
struct RoadFrame: Sendable {
    struct Placed: Sendable {
        var number: Int
        var measure: Double
        var offset: Double
    }

    let origin: Coordinate
    let metresPerDegreeX: Double
    let metresPerDegreeY: Double
    let points: [(x: Double, y: Double)]
    let cumulative: [Double]
    /// Plain plates (no 甲/-1 suffix) by parity (0 even, 1 odd), sorted by number.
    private(set) var sides: [[Placed]] = [[], []]

    /// Odd numbers are on the left of the numbering direction, 18 m out: the generator's and a common rule.
    static let defaultOffset = 18.0
    /// Metres per house number when a side has too few plates to measure it (plates 24-40 m apart per 2 numbers).
    static let defaultMetresPerNumber = 15.0

    init(line: [Coordinate]) {
        origin = line[0]
        (metresPerDegreeX, metresPerDegreeY) = Self.metresPerDegree(atLatitude: origin.y)
        var pts: [(x: Double, y: Double)] = []
        var cum: [Double] = [0]
        for c in line {
            let p = (x: (c.x - line[0].x) * metresPerDegreeX, y: (c.y - line[0].y) * metresPerDegreeY)
            if let last = pts.last {
                let d = hypot(p.x - last.x, p.y - last.y)
                if d == 0 { continue }
                cum.append(cum.last! + d)
            }
            pts.append(p)
        }
        points = pts
        cumulative = pts.count == cum.count ? cum : Array(cum.prefix(pts.count))
    }

    /// Metres per degree of longitude and of latitude at `latitude` (series for the GRS 80/WGS 84 ellipsoid).
    static func metresPerDegree(atLatitude latitude: Double) -> (x: Double, y: Double) {
        (111_412.84 * cos(latitude * .pi / 180), 111_132.954 - 559.822 * cos(2 * latitude * .pi / 180))
    }

    var length: Double { cumulative.last ?? 0 }

    func local(_ c: Coordinate) -> (x: Double, y: Double) {
        ((c.x - origin.x) * metresPerDegreeX, (c.y - origin.y) * metresPerDegreeY)
    }

    func coordinate(x: Double, y: Double) -> Coordinate {
        Coordinate(x: origin.x + x / metresPerDegreeX, y: origin.y + y / metresPerDegreeY)
    }

    /// Measure along the line and signed offset (left positive) of the nearest point of the line to `c`,
    /// with the distance to it.
    func project(_ c: Coordinate) -> (measure: Double, offset: Double, distance: Double) {
        let p = local(c)
        var best = (measure: 0.0, offset: 0.0, distance: Double.infinity)
        guard points.count >= 2 else {
            let d = hypot(p.x - (points.first?.x ?? 0), p.y - (points.first?.y ?? 0))
            return (0, d, d)
        }
        for k in 0..<(points.count - 1) {
            let a = points[k], b = points[k + 1]
            let dx = b.x - a.x, dy = b.y - a.y
            let len2 = dx * dx + dy * dy
            let t = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2))
            let qx = a.x + t * dx, qy = a.y + t * dy
            let d = hypot(p.x - qx, p.y - qy)
            if d < best.distance {
                let cross = dx * (p.y - a.y) - dy * (p.x - a.x)
                best = (cumulative[k] + t * sqrt(len2), cross >= 0 ? d : -d, d)
            }
        }
        return best
    }

    /// The point at `measure` along the line, `offset` metres to its left (negative: right).
    func point(measure: Double, offset: Double) -> Coordinate {
        guard points.count >= 2 else { return origin }
        let m = max(0, min(length, measure))
        var k = 0
        while k < points.count - 2 && cumulative[k + 1] < m { k += 1 }
        let a = points[k], b = points[k + 1]
        let segment = cumulative[k + 1] - cumulative[k]
        let t = segment > 0 ? (m - cumulative[k]) / segment : 0
        let ux = (b.x - a.x) / max(segment, 1e-9), uy = (b.y - a.y) / max(segment, 1e-9)
        // Left normal of the direction (ux, uy) is (-uy, ux).
        return coordinate(x: a.x + t * (b.x - a.x) - uy * offset, y: a.y + t * (b.y - a.y) + ux * offset)
    }

    mutating func place(number: Int, at c: Coordinate) {
        let p = project(c)
        sides[number & 1].append(Placed(number: number, measure: p.measure, offset: p.offset))
    }

    mutating func finishPlacing() {
        for k in 0..<2 { sides[k].sort { $0.number < $1.number } }
    }

    /// Where door number `n` is, interpolated between its same-parity neighbours; and how it was found:
    /// `bracketed` between two plates, `extrapolated` beyond the numbered range, or from defaults when the side
    /// has no plates.
    func interpolate(_ n: Int) -> (coordinate: Coordinate, how: Interpolation) {
        let parity = n & 1
        let sign: Double = parity == 1 ? 1 : -1
        var side = sides[parity]
        var how = Interpolation.bracketed
        if side.isEmpty {
            // No plate on this side: use the other side's measures, mirrored across the centre line.
            side = sides[1 - parity].map { Placed(number: $0.number + (parity == 1 ? -1 : 1), measure: $0.measure, offset: -$0.offset) }
            how = .fromOtherSide
        }
        guard !side.isEmpty else {
            let m = min(Double(n) * Self.defaultMetresPerNumber, length)
            return (point(measure: m, offset: sign * Self.defaultOffset), .defaults)
        }
        let typicalOffset = side.map { abs($0.offset) }.sorted()[side.count / 2]
        var lo = 0, hi = side.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if side[mid].number < n { lo = mid + 1 } else { hi = mid }
        }
        if lo < side.count && side[lo].number == n {
            return (point(measure: side[lo].measure, offset: side[lo].offset), how)
        }
        let rate: Double = {
            guard let first = side.first, let last = side.last, last.number > first.number else {
                return Self.defaultMetresPerNumber
            }
            return (last.measure - first.measure) / Double(last.number - first.number)
        }()
        if lo > 0 && lo < side.count {
            let a = side[lo - 1], b = side[lo]
            let t = Double(n - a.number) / Double(b.number - a.number)
            return (point(measure: a.measure + t * (b.measure - a.measure), offset: a.offset + t * (b.offset - a.offset)), how)
        }
        let anchor = lo == 0 ? side[0] : side[side.count - 1]
        let measure = anchor.measure + Double(n - anchor.number) * rate
        return (point(measure: measure, offset: sign * typicalOffset), how == .bracketed ? .extrapolated : how)
    }

    enum Interpolation: Sendable {
        case bracketed, extrapolated, fromOtherSide, defaults
    }
}
