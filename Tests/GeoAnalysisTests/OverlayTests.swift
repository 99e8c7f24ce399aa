import Foundation
import GeoCore
import GeoEngine
import Testing

@testable import GeoAnalysis

@Suite struct OverlayTests {
    static func squares(_ boxes: [(Double, Double, Double, Double)]) -> [Feature] {
        boxes.enumerated().map { k, b in Feature(geometry: .polygon(Metres.square(b.0, b.1, b.2, b.3)), properties: ["id": .int(Int64(k))]) }
    }

    /// A: two 100 m squares; B: one 100 m square overlapping the first by half and a line (not polygonal).
    static let a = squares([(0, 0, 100, 100), (300, 0, 400, 100)])
    static let b = squares([(50, 0, 150, 100)]) + [Feature(geometry: Metres.line([(0, 0), (400, 0)]))]

    /// (operation, pieces as "a/b: m²" sorted)
    @Test(arguments: [
        (LayerOverlay.Operation.intersection, ["0/0: 5000"]),
        (.difference, ["0/-: 5000", "1/-: 10000"]),
        (.union, ["-/0: 5000", "0/-: 5000", "0/0: 5000", "1/-: 10000"]),
    ])
    func piecesAndTheirAreas(operation: LayerOverlay.Operation, expected: [String]) throws {
        let overlay = try LayerOverlay(Self.a, Self.b, engine: GeometryEngine())
        let pieces = try overlay.pieces(operation)
        // Areas on the ellipsoid of squares drawn in an equirectangular frame: within 0.5 m² of the plane's.
        let summary = pieces.map { "\($0.a.map(String.init) ?? "-")/\($0.b.map(String.init) ?? "-"): \(Int(($0.area / 10).rounded()) * 10)" }.sorted()
        #expect(summary == expected)
        for piece in pieces { #expect(abs(piece.area - (piece.a == 1 ? 10_000 : 5_000)) < 0.5) }
    }

    @Test func aPostedPolygonActsAsTheSecondLayer() throws {
        let protected = [Feature(geometry: .polygon(Metres.square(80, 80, 320, 200)))]
        let overlay = try LayerOverlay(Self.a, protected, engine: GeometryEngine())
        let inside = try overlay.pieces(.intersection)
        #expect(inside.map(\.a) == [0, 1])
        #expect(inside.map { ($0.area / 10).rounded() * 10 } == [400, 400])
    }

    @Test func invalidPolygonsAreRepairedBeforeOverlay() throws {
        // A bow tie (self-intersecting) square of 100 m: GEOS MakeValid makes two triangles of 2,500 m² each.
        let bowTie = Feature(geometry: .polygon(Polygon(exterior: [Metres.c(0, 0), Metres.c(100, 100), Metres.c(100, 0), Metres.c(0, 100), Metres.c(0, 0)])))
        let overlay = try LayerOverlay([bowTie], Self.squares([(0, 0, 100, 100)]), engine: GeometryEngine())
        let pieces = try overlay.pieces(.intersection)
        #expect(abs(pieces.reduce(0) { $0 + $1.area } - 5_000) < 0.5)
    }

    @Test func changesAboveTheThresholdAreNewRemovedGrownOrShrunk() throws {
        // Before: a park (0..200 square) and a lawn (500..560). After: the park lost its 40 x 40 corner to a
        // building, gained a 10 x 10 strip (below the threshold), the lawn is gone, a new 30 x 30 green appeared.
        let before = Self.squares([(0, 0, 200, 200), (500, 0, 560, 60)])
        let park = Polygon(exterior: [
            Metres.c(0, 0), Metres.c(160, 0), Metres.c(160, 40), Metres.c(200, 40), Metres.c(200, 200), Metres.c(0, 200), Metres.c(0, 0),
        ])
        let after = [
            Feature(geometry: .polygon(park)), Feature(geometry: .polygon(Metres.square(0, 200, 10, 210))),
            Feature(geometry: .polygon(Metres.square(800, 0, 830, 30))),
        ]
        let patches = try ChangeDetection.patches(before: before, after: after, minimumArea: 200, engine: GeometryEngine())
        let summary = patches.map { "\($0.kind.rawValue) \(Int(($0.area / 10).rounded()) * 10) feature \($0.feature) others \($0.others)" }
        #expect(summary == ["removed 3600 feature 1 others []", "shrunk 1600 feature 0 others [0]", "new 900 feature 2 others []"])
    }
}
