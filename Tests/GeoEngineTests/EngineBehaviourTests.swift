import Foundation
import GeoCore
import GeoEngine
import Testing

/// Error paths and operations without a fixture peer.
@Suite struct EngineBehaviourTests {
    static let square = Geometry.polygon(
        Polygon(exterior: [
            Coordinate(x: 120.4, y: 33.2), Coordinate(x: 120.41, y: 33.2), Coordinate(x: 120.41, y: 33.21),
            Coordinate(x: 120.4, y: 33.21), Coordinate(x: 120.4, y: 33.2),
        ]))

    @Test func unknownCoordinateSystemsAreNamed() {
        #expect {
            _ = try CoordinateTransformer(from: "EPSG:4490", to: "EPSG:99999")
        } throws: { error in
            let error = error as? GeoError
            return error?.code == .projError && error?.message.contains("EPSG:99999") == true
        }
    }

    @Test func nonFiniteBufferDistancesAreRefused() throws {
        #expect {
            _ = try GeometryEngine().buffer(Self.square, distance: .nan)
        } throws: { ($0 as? GeoError)?.code == .invalidArgument }
    }

    @Test func geosErrorsCarryGEOSsMessage() throws {
        // A ring that does not close cannot be built: GEOS says why.
        let broken = Geometry.polygon(
            Polygon(exterior: [Coordinate(x: 0, y: 0), Coordinate(x: 1, y: 0), Coordinate(x: 1, y: 1), Coordinate(x: 0, y: 1)]))
        #expect {
            _ = try GeometryEngine().buffer(broken, distance: 1)
        } throws: { error in
            let error = error as? GeoError
            return error?.code == .geosError && (error?.underlying?.isEmpty == false)
        }
    }

    @Test func interpolateAndLocateAlongALineRoundTrip() throws {
        let engine = try GeometryEngine()
        let line = LineString([Coordinate(x: 120.45, y: 33.19), Coordinate(x: 120.47, y: 33.19), Coordinate(x: 120.47, y: 33.21)])
        let length = EllipsoidalMeasure.length(of: .lineString(line))
        for metres in [0.0, 123.4, 1_000, 1_865, length - 1] {
            let point = try engine.interpolate(along: line, metres: metres)
            #expect(abs(try engine.locate(point, along: line) - metres) < 1e-3)
        }
        // Past the end clamps to the end.
        let end = try engine.interpolate(along: line, metres: length + 500)
        #expect(EllipsoidalMeasure.distance(from: end, to: line.coordinates.last!) < 1)
    }

    @Test func voronoiHasACellPerPointCoveringTheEnvelope() throws {
        let engine = try GeometryEngine()
        var rng = SeededGenerator(seed: 9)
        let points = (0..<25).map { _ in Coordinate(x: rng.uniform(0...10), y: rng.uniform(0...10)) }
        let envelope = BoundingBox(minX: -5, minY: -5, maxX: 15, maxY: 15)
        let cells = try engine.voronoiDiagram(of: points, envelope: envelope).polygons
        #expect(cells.count == 25)
        for point in points { #expect(cells.filter { Planar.polygon($0, contains: point) }.count == 1) }
        let covered = cells.reduce(0) { $0 + Planar.area(of: $1) }
        #expect(covered >= 400 - 1e-6)
    }

    /// At 33°N, A is 0.010° east of P (~932 m) and B is 0.009° north (~998 m): in degrees B looks nearer, on
    /// the ground A is.
    @Test func geodesicDistanceMeasuresTheTrulyNearestPair() throws {
        let p = Coordinate(x: 120.46, y: 33.2)
        let a = Coordinate(x: 120.47, y: 33.2)
        let b = Coordinate(x: 120.46, y: 33.209)
        let distance = try GeometryEngine().geodesicDistanceMetres(.point(Point(p)), .multiPoint(MultiPoint([a, b])))
        #expect(abs(distance - EllipsoidalMeasure.distance(from: p, to: a)) < 0.01, "\(distance) m")
        #expect(EllipsoidalMeasure.distance(from: p, to: a) < EllipsoidalMeasure.distance(from: p, to: b))
    }

    @Test func geometryTransformsAreBatchedInStorageOrder() throws {
        let transformer = try CoordinateTransformer(from: "EPSG:4490", to: "EPSG:4549")
        let polygon = Geometry.polygon(
            Polygon(
                exterior: BoundingBox(minX: 120.4, minY: 33.1, maxX: 120.5, maxY: 33.2).polygon.exterior,
                holes: [BoundingBox(minX: 120.42, minY: 33.12, maxX: 120.43, maxY: 33.13).polygon.exterior.reversed()]))
        let batched = try transformer.transform(polygon)
        #expect(batched == (try polygon.mapCoordinates { try transformer.transform($0) }))
        let back = try transformer.inverseTransform(batched)
        var worst = 0.0
        zip(back.polygons[0].rings.flatMap { $0 }, polygon.polygons[0].rings.flatMap { $0 }).forEach { worst = max(worst, abs($0.x - $1.x) + abs($0.y - $1.y)) }
        #expect(worst < 1e-9)
    }

    @Test func preparedPointCoversAndContainsProperly() throws {
        let engine = try GeometryEngine()
        let prepared = try PreparedGeometry(Self.square, engine: engine)
        let edge = Coordinate(x: 120.4, y: 33.205)
        #expect(try prepared.covers(edge) && !(try prepared.containsProperly(edge)))
        #expect(try prepared.containsProperly(Coordinate(x: 120.405, y: 33.205)))
        #expect(!(try prepared.covers(Coordinate(x: 120.5, y: 33.205))))
    }

    @Test func overlayOfTwoSquaresHasTheExpectedAreas() throws {
        let engine = try GeometryEngine()
        let shifted = Self.square.mapCoordinates { Coordinate(x: $0.x + 0.005, y: $0.y) }
        let single = try engine.geodesicArea(Self.square)
        #expect(abs(try engine.geodesicArea(engine.intersection(Self.square, shifted)) - single / 2) < 1e-3 * single)
        #expect(abs(try engine.geodesicArea(engine.union(Self.square, shifted)) - 1.5 * single) < 1e-3 * single)
        #expect(abs(try engine.geodesicArea(engine.unaryUnion([Self.square, shifted])) - 1.5 * single) < 1e-3 * single)
        #expect(abs(try engine.geodesicArea(engine.difference(Self.square, shifted)) - single / 2) < 1e-3 * single)
        #expect(abs(try engine.geodesicArea(engine.symmetricDifference(Self.square, shifted)) - single) < 1e-3 * single)
        #expect(try engine.equals(engine.envelope(Self.square), Self.square))
        guard case .point(let centre) = try engine.centroid(Self.square) else { Issue.record("centroid is not a point"); return }
        #expect(abs(centre.coordinate.x - 120.405) < 1e-12 && abs(centre.coordinate.y - 33.205) < 1e-12)
        let distance = try engine.geodesicDistanceMetres(Self.square, .point(Point(Coordinate(x: 120.42, y: 33.205))))
        #expect(abs(distance - EllipsoidalMeasure.distance(from: Coordinate(x: 120.41, y: 33.205), to: Coordinate(x: 120.42, y: 33.205))) < 0.01)
    }
}
