import Foundation
import GeoCore
import Testing

@testable import GeoTrajectories

@Suite struct GeometryTests {
    let zigzag = Metres.line([(0, 0), (100, 10), (200, -5), (300, 40), (400, 0)])

    /// Hand-computed: chord 0–4 leaves 40 m at vertex 3; chord 0–3 leaves |200·40 + 5·300| / 302.65 = 31.39 m at
    /// vertex 2; chord 0–2 leaves |−100·5 − 10·200| / 200.06 = 12.50 m at vertex 1.
    @Test(arguments: [(45.0, [0, 4]), (35.0, [0, 3, 4]), (20.0, [0, 2, 3, 4]), (12.6, [0, 2, 3, 4]), (12.4, [0, 1, 2, 3, 4])])
    func douglasPeuckerInMetres(tolerance: Double, kept: [Int]) {
        #expect(TrackSimplifier.douglasPeucker(zigzag.coordinates, tolerance: tolerance) == kept)
    }

    @Test func sedKeepsTimingThatPlainDouglasPeuckerDrops() {
        // Straight east, but slow between 10 s and 50 s.
        let points = [(0.0, 0.0), (100, 10), (200, 50), (300, 60)].map { Metres.point($0.0, 0, t: $0.1) }
        #expect(TrackSimplifier.douglasPeucker(points.map(\.coordinate), tolerance: 1) == [0, 3])
        // SED on chord 0–3: vertex 1 expected at x = 50 (error 50), vertex 2 at x = 250 (error 50); the first is
        // split on; then on chord 1–3 vertex 2 is expected at x = 100 + 200·40/50 = 260 (error 60).
        #expect(TrackSimplifier.sedSimplify(points, tolerance: 51) == [0, 3])
        #expect(TrackSimplifier.sedSimplify(points, tolerance: 49) == [0, 1, 2, 3])
        // With vertex 2 moved to t = 40: on chord 1–3 it is expected at x = 100 + 200·30/50 = 220 (error 20).
        var slower = points
        slower[2].time = 40
        #expect(TrackSimplifier.sedSimplify(slower, tolerance: 30) == [0, 1, 3])
        #expect(TrackSimplifier.sedSimplify(slower, tolerance: 19) == [0, 1, 2, 3])
    }

    @Test func playbackWindowAndZoom() {
        // A noisy straight drive: 100 fixes 20 m apart, ±2 m sideways.
        let points = (0..<100).map { Metres.point(Double($0) * 20, $0 % 2 == 0 ? 2 : -2, t: Double($0) * 2) }
        #expect(TrackSimplifier.playback(points, from: 20, to: 40).map(\.time) == stride(from: 20.0, through: 40, by: 2).map { $0 })
        // Zoom 12 at 33° N: 32.0 m per pixel, so the ±2 m wobble vanishes; zoom 22: 3 cm per pixel keeps all.
        #expect(abs(TrackSimplifier.metresPerPixel(zoom: 12, latitude: 33.19) - 31.99) < 0.01)
        #expect(TrackSimplifier.playback(points, zoom: 12).count == 2)
        #expect(TrackSimplifier.playback(points, zoom: 22).count == 100)
    }

    @Test func hausdorffAndFrechetHandComputed() {
        let a = Metres.line([(0, 0), (100, 0)])
        let b = Metres.line([(0, 30), (50, 40), (100, 30)])
        // Hausdorff: B's apex (50, 40) is 40 m from A; Fréchet: both lines' vertices must be paired in order, so
        // A's ends meet B's apex at best: √(50² + 40²) = 64.03 m.
        #expect(abs(RouteComparison.hausdorffDistance(a, b) - 40) < 0.01)
        #expect(abs(RouteComparison.frechetDistance(a, b) - 4100.0.squareRoot()) < 0.01)
        // Densified, it approaches the continuous Fréchet distance: walking both lines by x, the gap peaks at the
        // apex, 40 m.
        #expect(abs(RouteComparison.frechetDistance(a, b, step: 1) - 40) < 0.5)
        // A line against itself reversed: Hausdorff 0, Fréchet its whole length.
        let reversed = LineString(a.coordinates.reversed())
        #expect(RouteComparison.hausdorffDistance(a, reversed) < 1e-6)
        #expect(abs(RouteComparison.frechetDistance(a, reversed) - 100) < 0.01)
    }

    @Test func plannedVersusActual() {
        // Plan: 1000 m east. Actual: 600 m along it 10 m north, then 190 m north, then 400 m east.
        let planned = Metres.line([(0, 0), (1000, 0)])
        let actual = Metres.line([(0, 10), (600, 10), (600, 200), (1000, 200)]).coordinates
        let c = RouteComparison(planned: planned, actual: actual)
        // Covered: up to x = 600 + √(30² − 10²) = 628.28 m; off corridor: 1190 − 600 − 20 = 570 m.
        #expect(abs(c.plannedLength - 1000) < 0.05 && abs(c.actualLength - 1190) < 0.05)
        #expect(abs(c.coveredLength - 628.28) <= 5)
        #expect(abs(c.coverage - 0.62828) <= 0.005)
        #expect(abs(c.offCorridorLength - 570) <= 5)
        #expect(abs(c.hausdorff - 200) < 0.05)
        // Fréchet: the actual corner (600, 200) is at best 200 m from the plan (at x = 600), and walking both lines
        // keeps every pair within that; on vertices alone it would be √(400² + 200²) = 447.21 m.
        #expect(abs(c.frechet - 200) < 3)
        #expect(abs(RouteComparison.frechetDistance(planned, LineString(actual)) - 447.21) < 0.05)
        let wide = RouteComparison(planned: planned, actual: actual, corridor: 250)
        #expect(abs(wide.coverage - 1) < 1e-9 && abs(wide.offCorridorLength) < 1e-6)
    }
}
