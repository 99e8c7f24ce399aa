import Foundation
import GeoCore

/// An inspection site (评价点位) eligible for drawing: a point, a section of a road or river, or a polygon (a park, a
/// market, a compound) of a thematic layer.
public struct SamplePointCandidate: Hashable, Sendable {
    public let id: String
    /// The sample type's name (one spelling per type: ``SampleType/canonicalName(_:)``).
    public let type: String
    /// The point the site is placed at: the point itself, a section's middle, a point inside a polygon. Spacing,
    /// inspector groups and routes use it.
    public let position: Coordinate
    public let streetCode: String
    public let gridCode: String?
    /// The site's own shape when it is not a point (a line section, a polygon).
    public let geometry: Geometry?
    /// What a plan writes beside the type for a site of a thematic layer (`name`, `layer`, `shape`); empty for the
    /// sample-point layer's points, whose plans stay as they were.
    public let details: [String: JSONValue]

    public init(
        id: String, type: String, position: Coordinate, streetCode: String, gridCode: String?, geometry: Geometry? = nil,
        details: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.type = SampleType.canonicalName(type)
        self.position = position
        self.streetCode = streetCode
        self.gridCode = gridCode
        self.geometry = geometry
        self.details = details
    }

    /// Reads a feature of a sample-point layer: properties `id`, `type`, `street_code`, optional `grid_code`.
    public init?(feature: Feature) {
        guard case .point(let p)? = feature.geometry, let id = feature.properties["id"]?.stringValue,
            let type = feature.properties["type"]?.stringValue, let street = feature.properties["street_code"]?.stringValue
        else { return nil }
        self.init(id: id, type: type, position: p.coordinate, streetCode: street, gridCode: feature.properties["grid_code"]?.stringValue)
    }

    /// The site's name for inspectors: the thematic feature's name, else the id.
    public var name: String { details["name"]?.stringValue ?? id }
}

/// The rules of a sample-point draw.
public struct SamplePointRules: Hashable, Sendable {
    /// How many points of each type.
    public var countsPerType: [String: Int]
    /// Only points inside these unit grids (the members of the drawn evaluation grids); nil for anywhere.
    public var withinGrids: Set<String>?
    /// No two drawn points closer than this (metres).
    public var minimumSpacingMetres: Double
    /// Every street that has an eligible point of a type gets at least one point of that type, while the
    /// type's count allows.
    public var coverEveryStreet: Bool
    /// Ids drawn in recent rounds, not to be drawn again.
    public var excludedIDs: Set<String>
    /// Per type, counts per street (from `proportional`), drawn in addition to `countsPerType`.
    public var countsPerTypeAndStreet: [String: [String: Int]] = [:]

    public init(
        countsPerType: [String: Int], withinGrids: Set<String>? = nil, minimumSpacingMetres: Double = 0,
        coverEveryStreet: Bool = false, excludedIDs: Set<String> = []
    ) {
        self.countsPerType = countsPerType
        self.withinGrids = withinGrids
        self.minimumSpacingMetres = minimumSpacingMetres
        self.coverEveryStreet = coverEveryStreet
        self.excludedIDs = excludedIDs
    }

    /// Counts per type from a total split in proportion to how many eligible points each street has
    /// (largest remainders, ties by street code) — the "proportions by attribute" form, for one type.
    public static func proportional(total: Int, type: String, among candidates: [SamplePointCandidate]) -> [String: Int] {
        let pool = candidates.filter { $0.type == type }
        let perStreet = Dictionary(grouping: pool, by: \.streetCode).mapValues(\.count)
        guard !pool.isEmpty else { return [:] }
        let shares = perStreet.keys.sorted().map { ($0, Double(total) * Double(perStreet[$0]!) / Double(pool.count)) }
        var result = Dictionary(uniqueKeysWithValues: shares.map { ($0.0, Int($0.1.rounded(.down))) })
        let remaining = total - result.values.reduce(0, +)
        for (street, _) in shares.sorted(by: { ($0.1 - $0.1.rounded(.down), $1.0) > ($1.1 - $1.1.rounded(.down), $0.0) }).prefix(remaining) {
            result[street, default: 0] += 1
        }
        return result
    }
}

public enum SamplePointDraw {
    /// Draws points per type under `rules`, seeded. Candidates are taken in a seeded random order; a candidate
    /// closer than the spacing to one already drawn is skipped. With street coverage, each street's first
    /// candidate of a type is taken before the rest.
    /// Throws `quota_not_met` naming every type that is short and by how much.
    public static func draw(_ candidates: [SamplePointCandidate], rules: SamplePointRules, seed: UInt64) throws(GeoError) -> [SamplePointCandidate] {
        var rng = SeededGenerator(seed: seed)
        let eligible = candidates.filter { candidate in
            !rules.excludedIDs.contains(candidate.id) && (rules.withinGrids.map { grids in candidate.gridCode.map(grids.contains) ?? false } ?? true)
        }.sorted { $0.id < $1.id }
        var drawn: [SamplePointCandidate] = []
        var shortfalls: [String] = []
        func farEnough(_ c: SamplePointCandidate) -> Bool {
            rules.minimumSpacingMetres <= 0
                || drawn.allSatisfy { Geodesic.haversineDistance(from: $0.position, to: c.position) >= rules.minimumSpacingMetres }
        }
        for type in rules.countsPerType.keys.sorted() {
            let wanted = rules.countsPerType[type]!
            var order = rng.shuffled(eligible.filter { $0.type == type })
            if rules.coverEveryStreet {
                // One per street first (in the shuffled order), then everything else.
                var seen = Set<String>()
                let firsts = order.filter { seen.insert($0.streetCode).inserted }
                let firstIDs = Set(firsts.map(\.id))
                order = firsts + order.filter { !firstIDs.contains($0.id) }
            }
            var taken = 0
            for candidate in order where taken < wanted && farEnough(candidate) {
                drawn.append(candidate)
                taken += 1
            }
            if taken < wanted {
                shortfalls.append("type \(type) needs \(wanted) but only \(taken) eligible points satisfy the rules (short by \(wanted - taken))")
            }
        }
        for type in rules.countsPerTypeAndStreet.keys.sorted() {
            let perStreet = rules.countsPerTypeAndStreet[type]!
            let order = rng.shuffled(eligible.filter { $0.type == type })
            for street in perStreet.keys.sorted() {
                let wanted = perStreet[street]!
                var taken = 0
                for candidate in order where taken < wanted && candidate.streetCode == street && !drawn.contains(candidate) && farEnough(candidate) {
                    drawn.append(candidate)
                    taken += 1
                }
                if taken < wanted {
                    shortfalls.append("type \(type) in street \(street) needs \(wanted) but only \(taken) eligible points satisfy the rules (short by \(wanted - taken))")
                }
            }
        }
        guard shortfalls.isEmpty else {
            throw GeoError(code: .quotaNotMet, message: "the point draw cannot meet its quota: " + shortfalls.joined(separator: "; "))
        }
        return drawn
    }
}

/// Splits drawn points among inspector groups: points are ordered by bearing around their centre and cut into
/// contiguous sectors of equal size (counts differ by at most one), so each group works one part of the city.
/// Every rotation of the cut is tried and the one whose longest route is shortest is kept, which balances the
/// groups' travel as well as their counts.
public enum InspectorAssignment {
    public struct Group: Hashable, Sendable {
        public let number: Int
        public let points: [SamplePointCandidate]
        /// Length in metres of a nearest-neighbour tour through the group's points from its first point.
        public let routeMetres: Double

        /// The group's points in the order its route visits them (the tour ``routeMetres`` measures).
        public var visitOrder: [SamplePointCandidate] { InspectorAssignment.nearestNeighbourTour(points).order.map { points[$0] } }
    }

    public static func assign(_ points: [SamplePointCandidate], groups: Int) throws(GeoError) -> [Group] {
        guard groups >= 1 else { throw GeoError(code: .invalidArgument, message: "there must be at least one inspector group, not \(groups)", location: "groups") }
        guard let box = BoundingBox(coordinates: points.map(\.position)) else { return [] }
        let centre = box.center
        let ordered = points.sorted {
            let a = atan2($0.position.y - centre.y, $0.position.x - centre.x)
            let b = atan2($1.position.y - centre.y, $1.position.x - centre.x)
            return a != b ? a < b : $0.id < $1.id
        }
        var best: [Group] = []
        var bestLongest = Double.infinity
        // Rotations beyond one sector's size repeat the same cuts shifted; ties keep the smallest rotation.
        let rotations = groups == 1 ? 1 : min(ordered.count, ordered.count / groups + 1)
        for rotation in 0..<max(1, rotations) {
            let rotated = Array(ordered[rotation...] + ordered[..<rotation])
            var result: [Group] = []
            var start = 0
            for g in 0..<groups {
                let size = rotated.count / groups + (g < rotated.count % groups ? 1 : 0)
                let members = Array(rotated[start..<(start + size)])
                start += size
                result.append(Group(number: g + 1, points: members, routeMetres: nearestNeighbourTour(members).metres))
            }
            let longest = result.map(\.routeMetres).max() ?? 0
            if longest < bestLongest {
                bestLongest = longest
                best = result
            }
        }
        return best
    }

    /// A tour from the first point, each time to the nearest point not yet visited: the visiting order (indices
    /// into `points`) and its length in metres.
    static func nearestNeighbourTour(_ points: [SamplePointCandidate]) -> (order: [Int], metres: Double) {
        guard !points.isEmpty else { return ([], 0) }
        var order = [0]
        var remaining = Array(points.indices.dropFirst())
        var total = 0.0
        while !remaining.isEmpty {
            let current = points[order[order.count - 1]].position
            let nearest = remaining.indices.min {
                Geodesic.haversineDistance(from: current, to: points[remaining[$0]].position)
                    < Geodesic.haversineDistance(from: current, to: points[remaining[$1]].position)
            }!
            total += Geodesic.haversineDistance(from: current, to: points[remaining[nearest]].position)
            order.append(remaining.remove(at: nearest))
        }
        return (order, total)
    }
}
