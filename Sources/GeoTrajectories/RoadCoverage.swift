import Foundation
import GeoCore
import GeoStore

/// How much of each road the vehicles' tracks covered (清扫/收运覆盖率): a road sample counts as covered when a
/// track passed within `corridor` metres of it.
public struct RoadCoverage: Hashable, Sendable {
    /// One road's share.
    public struct Road: Hashable, Sendable {
        public var id: String
        public var name: String
        /// Length in metres of the road and of its covered part.
        public var length: Double
        public var coveredLength: Double
        /// Covered share, 0–1.
        public var coverage: Double { length > 0 ? coveredLength / length : 0 }
        /// Vehicles whose tracks covered some of it, sorted.
        public var vehicles: [String]
    }

    public var roads: [Road]
    /// Length-weighted share over all roads.
    public var coverage: Double {
        let total = roads.reduce(0) { $0 + $1.length }
        return total > 0 ? roads.reduce(0) { $0 + $1.coveredLength } / total : 0
    }

    /// Covers `roads` (id, name, centre line in lon/lat) with `tracks` (each a vehicle's cleaned fixes in time
    /// order).
    ///
    /// - Parameters:
    ///   - corridor: metres from the centre line within which a track covers it [20: a sweeper on its lane].
    ///   - step: roads are sampled every `step` metres [10]; each sample stands for the length around it.
    ///   - maximumGap: fixes further apart in time are not joined [600 s], so a signal loss draws no line.
    ///
    /// Track segments are bucketed in cells of `max(corridor, 25)` metres of a ``LocalFrame``; a sample reads its
    /// 3x3 cells only.
    public init(
        roads: [(id: String, name: String, line: [Coordinate])], tracks: [[TrackPoint]], corridor: Double = 20, step: Double = 10,
        maximumGap: Double = 600
    ) {
        let frame = LocalFrame(around: roads.flatMap(\.line) + tracks.flatMap { $0.map(\.coordinate) })
        let grid = BucketGrid(cellSize: max(corridor, 25))
        // Segments (a, b, vehicle) by every cell their bounding box touches.
        var segments: [(Coordinate, Coordinate, Int)] = []
        var cells: [Int64: [Int32]] = [:]
        let vehicles = tracks.map { $0.first?.vehicle ?? "" }
        for (v, track) in tracks.enumerated() {
            let projected = track.map { frame.project($0.coordinate) }
            for k in projected.indices {
                let joined = k > 0 && track[k].time - track[k - 1].time <= maximumGap
                let a = joined ? projected[k - 1] : projected[k], b = projected[k]
                let index = Int32(segments.count)
                segments.append((a, b, v))
                guard let covered = grid.cells(covering: BoundingBox(coordinates: [a, b])!) else { continue }
                for column in covered.columns {
                    for row in covered.rows { cells[BucketGrid.sparseKey(column: column, row: row), default: []].append(index) }
                }
            }
        }
        func coveringVehicles(_ p: Coordinate, into found: inout Set<Int>) -> Bool {
            var covered = false
            let (column, row) = grid.cell(of: p)
            for dx in -1...1 {
                for dy in -1...1 {
                    for s in cells[BucketGrid.sparseKey(column: column + dx, row: row + dy)] ?? [] {
                        let (a, b, v) = segments[Int(s)]
                        if Planar.segmentDistance(p, a, b).distance <= corridor {
                            covered = true
                            found.insert(v)
                        }
                    }
                }
            }
            return covered
        }
        self.roads = roads.map { road in
            let line = road.line.map(frame.project)
            var length = 0.0, covered = 0.0
            var found = Set<Int>()
            for k in line.indices.dropFirst() {
                let a = line[k - 1], b = line[k]
                let segment = Planar.distance(a, b)
                let pieces = max(1, Int((segment / step).rounded(.up)))
                for m in 0..<pieces {
                    let t = (Double(m) + 0.5) / Double(pieces)
                    if coveringVehicles(Coordinate(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t), into: &found) {
                        covered += segment / Double(pieces)
                    }
                }
                length += segment
            }
            return Road(id: road.id, name: road.name, length: length, coveredLength: covered, vehicles: found.map { vehicles[$0] }.sorted())
        }
    }
}

extension RoadCoverage {
    /// The coverage of the line features of store layer `layer` by every vehicle's cleaned fixes between `from`
    /// and `to`; also returns those features (in the order of ``roads``) and how many vehicles had fixes.
    public static func load(
        from store: some FeatureStore & TrackStore, layer: String, from: Double, to: Double, corridor: Double
    ) async throws(GeoError) -> (coverage: RoadCoverage, features: [Feature], vehicles: Int) {
        var roads: [(id: String, name: String, line: [Coordinate])] = []
        var features: [Feature] = []
        for stored in try await store.features(in: layer) {
            guard case .lineString(let line)? = stored.feature.geometry, line.coordinates.count >= 2 else { continue }
            let id = stored.feature.properties["id"]?.stringValue ?? String(stored.fid)
            roads.append((id, stored.feature.properties["name"]?.stringValue ?? id, line.coordinates))
            features.append(stored.feature)
        }
        var tracks: [[TrackPoint]] = []
        for summary in try await store.trackVehicles() where summary.lastTime >= from && summary.firstTime <= to {
            tracks.append(TrackCleaner().clean(try await store.trackPoints(vehicle: summary.vehicle, from: from, to: to)).points)
        }
        return (RoadCoverage(roads: roads, tracks: tracks.filter { !$0.isEmpty }, corridor: corridor), features, tracks.count)
    }
}
