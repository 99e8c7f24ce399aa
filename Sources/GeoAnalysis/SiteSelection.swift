import Foundation
import GeoCore
import GeoEngine
import GeoTrajectories

extension ServiceCoverage {
    /// A site chosen by ``bestSites(from:targets:weight:count:)``.
    public struct Site: Hashable, Sendable {
        /// Index of the candidate in the array given.
        public var candidate: Int
        /// Weight it adds to the covered total (m² for area weights).
        public var gain: Double
        /// Covered share of the whole target weight once it and the sites before it are built.
        public var shareAfter: Double
    }

    /// The best `count` new sites among `candidates` by greedy maximal coverage: each step takes the candidate that
    /// adds the most covered weight to what the existing facilities and the sites already chosen cover (ties by
    /// candidate index).
    ///
    /// Greedy selection is within 1 − 1/e of the best possible set (coverage is submodular), and the same property
    /// lets gains be re-evaluated lazily: a candidate's gain can only shrink as sites are added, so one whose stale
    /// gain is still the largest after a fresh evaluation is the step's choice.
    /// - Returns: the sites in the order chosen, the covered share before, and the total target weight.
    public func bestSites(
        from candidates: [Coordinate], targets: [Feature], weight: Weight, count: Int
    ) throws(GeoError) -> (sites: [Site], shareBefore: Double, totalWeight: Double) {
        var pool = SiteTargets(coverage: self, targets: targets, weight: weight)
        let total = pool.totalWeight
        let before = pool.coveredWeight
        var covered = before
        var circles = GeodesicCircles(radius: radiusMetres)
        let candidateDisks = candidates.map { c -> ServiceDisk? in
            c.isValidGeographic ? ServiceDisk(centre: frame.project(c), ring: circles.ring(around: c).map(frame.project)) : nil
        }
        var heap = MinHeap(capacity: candidates.count)
        var evaluatedAt = [Int](repeating: -1, count: candidates.count)
        for (k, disk) in candidateDisks.enumerated() {
            if k % 64 == 0 { try GeoError.throwIfCancelled() }
            guard let disk else { continue }
            heap.push(-pool.gain(of: disk, at: candidates[k]), k)
            evaluatedAt[k] = 0
        }
        var sites: [Site] = []
        var chosen = Set<Int>()
        while sites.count < count, let (key, k) = heap.pop() {
            try GeoError.throwIfCancelled()
            guard !chosen.contains(k), let disk = candidateDisks[k] else { continue }
            if evaluatedAt[k] != sites.count {
                heap.push(-pool.gain(of: disk, at: candidates[k]), k)
                evaluatedAt[k] = sites.count
                continue
            }
            let gain = -key
            guard gain > 0 else { break }
            pool.add(disk, at: candidates[k])
            chosen.insert(k)
            covered += gain
            sites.append(Site(candidate: k, gain: gain, shareAfter: total > 0 ? covered / total : 0))
        }
        return (sites, total > 0 ? before / total : 0, total)
    }
}

/// The targets of a site selection with what the facilities (and the sites chosen so far) cover of each.
struct SiteTargets {
    struct Part {
        let polygon: ProjectedPolygon
        /// Weight per frame m² (the feature's weight spread over its parts by area).
        let density: Double
        var coveredArea: Double
    }

    struct Target {
        let position: Coordinate
        let frame: Coordinate
        let weight: Double
        var covered: Bool
    }

    let coverage: ServiceCoverage
    private(set) var parts: [Part] = []
    private(set) var points: [Target] = []
    private(set) var extra: [ServiceDisk] = []
    private var partCells = BoxCells([], cellSize: 1)
    private var pointCells = BoxCells([], cellSize: 1)

    init(coverage: ServiceCoverage, targets: [Feature], weight: ServiceCoverage.Weight) {
        self.coverage = coverage
        for feature in targets {
            guard let geometry = feature.geometry else { continue }
            let given = ServiceCoverage.weight(of: feature, weight)
            switch geometry {
            case .point(let p) where p.coordinate.isValidGeographic:
                let target = Target(position: p.coordinate, frame: coverage.frame.project(p.coordinate), weight: given ?? 1, covered: coverage.covers(p.coordinate))
                points.append(target)
            case .polygon, .multiPolygon:
                let projected = geometry.polygons.map { ProjectedPolygon($0, frame: coverage.frame) }
                let area = projected.reduce(0) { $0 + $1.area }
                guard area > 0 else { continue }
                let w = weight == .area ? EllipsoidalMeasure.area(of: geometry) : given ?? 1
                for polygon in projected where polygon.area > 0 {
                    parts.append(Part(polygon: polygon, density: w / area, coveredArea: coverage.share(of: polygon) * polygon.area))
                }
            default: continue
            }
        }
        partCells = BoxCells(parts.map(\.polygon.box), cellSize: coverage.cellSize)
        pointCells = BoxCells(points.map { BoundingBox(minX: $0.frame.x, minY: $0.frame.y, maxX: $0.frame.x, maxY: $0.frame.y) }, cellSize: coverage.cellSize)
    }

    var totalWeight: Double {
        parts.reduce(0) { $0 + $1.density * $1.polygon.area } + points.reduce(0) { $0 + $1.weight }
    }

    var coveredWeight: Double {
        parts.reduce(0) { $0 + $1.density * $1.coveredArea } + points.reduce(0) { $0 + ($1.covered ? $1.weight : 0) }
    }

    /// Parts and points that a disk's box reaches.
    private func near(_ disk: ServiceDisk) -> (parts: [Int], points: [Int]) {
        (partCells.indices(near: disk.box), pointCells.indices(near: disk.box))
    }

    /// The weight a disk at `site` would add (none at a facility or a chosen site: the disk is already there).
    func gain(of disk: ServiceDisk, at site: Coordinate) -> Double {
        if extra.contains(where: { $0.centre == disk.centre }) || coverage.disks(near: disk.box).contains(where: { $0.centre == disk.centre }) {
            return 0
        }
        let (nearParts, nearPoints) = near(disk)
        var gain = 0.0
        for p in nearParts {
            let part = parts[p]
            let with = coverage.share(of: part.polygon, extra: extra + [disk]) * part.polygon.area
            gain += part.density * max(0, with - part.coveredArea)
        }
        for p in nearPoints where !points[p].covered && EllipsoidalMeasure.distance(from: points[p].position, to: site) <= coverage.radiusMetres {
            gain += points[p].weight
        }
        return gain
    }

    /// Builds a site: its disk joins the covering ones.
    mutating func add(_ disk: ServiceDisk, at site: Coordinate) {
        let (nearParts, nearPoints) = near(disk)
        extra.append(disk)
        for p in nearParts { parts[p].coveredArea = coverage.share(of: parts[p].polygon, extra: extra) * parts[p].polygon.area }
        for p in nearPoints where EllipsoidalMeasure.distance(from: points[p].position, to: site) <= coverage.radiusMetres { points[p].covered = true }
    }
}
