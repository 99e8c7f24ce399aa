import Foundation
import GeoCore
import GeoEngine

/// Overlay of two polygon layers with GEOS (叠加分析): which construction sites lie in a protected area, how
/// much green space a plan takes, with every piece's area on the CGCS2000 ellipsoid in m².
public struct LayerOverlay {
    public enum Operation: String, Hashable, Sendable, CaseIterable {
        /// The pieces shared by an A feature and a B feature.
        case intersection
        /// The parts of each A feature outside every B feature.
        case difference
        /// All of both: the shared pieces, A's parts outside B and B's parts outside A (GIS "union" overlay).
        case union
    }

    /// A piece of the result, with the features it comes from (nil: none on that side).
    public struct Piece: Hashable, Sendable {
        public var geometry: Geometry
        public var a: Int?
        public var b: Int?
        /// Ellipsoidal area in m².
        public var area: Double
    }

    /// The polygonal part of each layer's features (nil for other geometries), valid for GEOS.
    let a: [Geometry?]
    let b: [Geometry?]
    private let bCells: BoxCells
    private let aCells: BoxCells
    let engine: GeometryEngine

    /// Prepares two layers: non-polygonal features are left out, invalid polygons are repaired (GEOS MakeValid).
    public init(_ a: [Feature], _ b: [Feature], engine: GeometryEngine) throws {
        self.engine = engine
        self.a = try Self.polygons(a, engine: engine)
        self.b = try Self.polygons(b, engine: engine)
        aCells = BoxCells(self.a.map { $0?.boundingBox }, cellSize: Self.cellSize(self.a))
        bCells = BoxCells(self.b.map { $0?.boundingBox }, cellSize: Self.cellSize(self.b))
    }

    static func polygons(_ features: [Feature], engine: GeometryEngine) throws -> [Geometry?] {
        try features.enumerated().map { k, feature in
            if k % 256 == 0 { try GeoError.throwIfCancelled() }
            guard let geometry = feature.geometry, !geometry.polygons.isEmpty else { return nil }
            let polygonal: Geometry = geometry.polygons.count == 1 ? .polygon(geometry.polygons[0]) : .multiPolygon(MultiPolygon(geometry.polygons))
            return try engine.validate(polygonal).isValid ? polygonal : polygonalPart(try engine.makeValid(polygonal))
        }
    }

    /// Cells about the size of the layer's mean box.
    static func cellSize(_ geometries: [Geometry?]) -> Double {
        let boxes = geometries.compactMap { $0?.boundingBox }
        guard !boxes.isEmpty else { return 1 }
        return max(1e-6, boxes.reduce(0) { $0 + max($1.width, $1.height) } / Double(boxes.count))
    }

    /// The polygons of a GEOS result (touching features give lines and points too), nil when there are none.
    static func polygonalPart(_ geometry: Geometry) -> Geometry? {
        let polygons = geometry.polygons
        if polygons.isEmpty { return nil }
        return polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(MultiPolygon(polygons))
    }

    /// The pieces of `operation`, in the order of A's features (then B's for a union); pieces under
    /// `minimumArea` m² (slivers where boundaries nearly coincide) are dropped.
    public func pieces(_ operation: Operation, minimumArea: Double = 0) throws -> [Piece] {
        var pieces: [Piece] = []
        func keep(_ geometry: Geometry, a: Int?, b: Int?) {
            guard let polygonal = Self.polygonalPart(geometry) else { return }
            let area = EllipsoidalMeasure.area(of: polygonal)
            if area > minimumArea && area > 0 { pieces.append(Piece(geometry: polygonal, a: a, b: b, area: area)) }
        }
        if operation != .difference {
            for (i, geometry) in a.enumerated() {
                if i % 64 == 0 { try GeoError.throwIfCancelled() }
                guard let geometry, let box = geometry.boundingBox else { continue }
                for j in bCells.indices(near: box) {
                    guard let other = b[j], try engine.intersects(geometry, other) else { continue }
                    keep(try engine.intersection(geometry, other), a: i, b: j)
                }
            }
        }
        if operation != .intersection {
            try outside(a, of: b, cells: bCells) { keep($0, a: $1, b: nil) }
        }
        if operation == .union {
            try outside(b, of: a, cells: aCells) { keep($0, a: nil, b: $1) }
        }
        return pieces
    }

    /// Each feature of `layer` minus the features of `other` that meet it.
    private func outside(
        _ layer: [Geometry?], of other: [Geometry?], cells: BoxCells, _ body: (Geometry, Int) -> Void
    ) throws {
        for (i, geometry) in layer.enumerated() {
            if i % 64 == 0 { try GeoError.throwIfCancelled() }
            guard let geometry, let box = geometry.boundingBox else { continue }
            let meeting = try cells.indices(near: box).compactMap { other[$0] }.filter { try engine.intersects(geometry, $0) }
            body(meeting.isEmpty ? geometry : try engine.difference(geometry, try engine.unaryUnion(meeting)), i)
        }
    }

    /// The features of the other layer that share area with feature `i` of A (`ofA`) or of B.
    func overlapping(_ i: Int, ofA: Bool) throws -> [Int] {
        guard let geometry = (ofA ? a : b)[i], let box = geometry.boundingBox else { return [] }
        let others = ofA ? b : a
        return try (ofA ? bCells : aCells).indices(near: box).filter { j in
            guard let other = others[j], try engine.intersects(geometry, other) else { return false }
            return Self.polygonalPart(try engine.intersection(geometry, other)).map { EllipsoidalMeasure.area(of: $0) > 0 } ?? false
        }
    }
}

/// Change detection between two versions of a polygon layer (变化图斑): patches that appeared, vanished, grew or
/// shrank, above an area threshold — the encroachment alarm on green space.
public enum ChangeDetection {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Area in the new version where the old had no feature at all that it overlaps.
        case new
        /// Area of an old feature that no new feature overlaps any more.
        case removed
        /// Area added to a feature that existed before.
        case grown
        /// Area lost from a feature that still exists (an encroachment).
        case shrunk
    }

    public struct Patch: Hashable, Sendable {
        public var geometry: Geometry
        public var kind: Kind
        /// Ellipsoidal area in m².
        public var area: Double
        /// The feature of the version that holds the patch (after for new and grown, before for removed and shrunk).
        public var feature: Int
        /// Features of the other version overlapping that feature.
        public var others: [Int]
    }

    /// Patches of at least `minimumArea` m² between `before` and `after` (each a layer whose features do not
    /// overlap each other), largest first.
    public static func patches(
        before: [Feature], after: [Feature], minimumArea: Double, engine: GeometryEngine
    ) throws -> [Patch] {
        let overlay = try LayerOverlay(after, before, engine: engine)
        var patches: [Patch] = []
        // Differences: after − before (gains, A side) and before − after (losses, B side).
        for piece in try overlay.pieces(.union, minimumArea: minimumArea) where piece.a == nil || piece.b == nil {
            let gained = piece.a != nil
            let feature = piece.a ?? piece.b!
            let others = try overlay.overlapping(feature, ofA: gained)
            let kind: Kind = gained ? (others.isEmpty ? .new : .grown) : (others.isEmpty ? .removed : .shrunk)
            for part in piece.geometry.polygons {
                let area = EllipsoidalMeasure.area(of: .polygon(part))
                if area >= minimumArea { patches.append(Patch(geometry: .polygon(part), kind: kind, area: area, feature: feature, others: others)) }
            }
        }
        return patches.sorted { ($1.area, $0.kind.rawValue, $0.feature) < ($0.area, $1.kind.rawValue, $1.feature) }
    }
}
