/// A position in a tile's integer grid: x east, y **down**, (0, 0) the tile's north-west corner and `extent`
/// its south-east; positions in the buffer around the tile are negative or beyond `extent`.
public struct TilePoint: Hashable, Sendable {
    public var x: Int32
    public var y: Int32

    public init(_ x: Int32, _ y: Int32) {
        self.x = x
        self.y = y
    }
}

/// The geometry types of the vector tile specification (`GeomType` in vector_tile.proto).
public enum VectorTileGeometryType: UInt32, Hashable, Sendable {
    case unknown = 0
    case point = 1
    case lineString = 2
    case polygon = 3
}

/// A feature geometry in tile coordinates, ready for command encoding.
///
/// Rings are stored open (the closing position is not repeated: ClosePath draws that edge). Every polygon
/// holds its exterior ring first with a **positive** surveyor's-formula area in tile coordinates (clockwise as
/// seen with y down), then its holes with a negative area, as the specification 2.1 (4.3.4.4) requires.
public enum TileGeometry: Hashable, Sendable {
    case points([TilePoint])
    case lineStrings([[TilePoint]])
    case polygons([[[TilePoint]]])

    public var type: VectorTileGeometryType {
        switch self {
        case .points: .point
        case .lineStrings: .lineString
        case .polygons: .polygon
        }
    }

    /// The command integers of the `geometry` field (specification 4.3): MoveTo, LineTo and ClosePath with
    /// zigzag-encoded deltas from the previous position; the cursor starts at (0, 0) once per feature and
    /// carries over between the parts of a multi-geometry.
    public var commands: [UInt32] {
        var encoder = CommandEncoder()
        switch self {
        case .points(let points):
            encoder.moveTo(points)
        case .lineStrings(let lines):
            for line in lines {
                encoder.moveTo([line[0]])
                encoder.lineTo(line.dropFirst())
            }
        case .polygons(let polygons):
            for ring in polygons.joined() {
                encoder.moveTo([ring[0]])
                encoder.lineTo(ring.dropFirst())
                encoder.closePath()
            }
        }
        return encoder.integers
    }

    /// Twice the signed area of an open ring by the surveyor's formula, exact in integers. Positive means
    /// clockwise in tile coordinates (y down): an exterior ring.
    public static func doubleSignedArea(_ ring: [TilePoint]) -> Int64 {
        guard ring.count >= 3 else { return 0 }
        var sum: Int64 = 0
        var previous = ring[ring.count - 1]
        for p in ring {
            sum += Int64(previous.x) * Int64(p.y) - Int64(p.x) * Int64(previous.y)
            previous = p
        }
        return sum
    }

    /// The zigzag encoding of a parameter integer: 0, -1, 1, -2 … become 0, 1, 2, 3 ….
    public static func zigzag(_ n: Int32) -> UInt32 {
        UInt32(bitPattern: (n << 1) ^ (n >> 31))
    }

    /// A command integer: the command id in the low 3 bits, the repeat count above.
    public static func command(_ id: UInt32, count: Int) -> UInt32 {
        (id & 0x7) | (UInt32(count) << 3)
    }
}

/// Writes command integers while tracking the cursor.
private struct CommandEncoder {
    static let moveTo: UInt32 = 1
    static let lineTo: UInt32 = 2
    static let closePath: UInt32 = 7

    var integers: [UInt32] = []
    var cursor = TilePoint(0, 0)

    mutating func moveTo(_ points: [TilePoint]) {
        guard !points.isEmpty else { return }
        integers.append(TileGeometry.command(Self.moveTo, count: points.count))
        append(points)
    }

    mutating func lineTo(_ points: ArraySlice<TilePoint>) {
        guard !points.isEmpty else { return }
        integers.append(TileGeometry.command(Self.lineTo, count: points.count))
        append(points)
    }

    mutating func closePath() {
        integers.append(TileGeometry.command(Self.closePath, count: 1))
    }

    private mutating func append<S: Sequence>(_ points: S) where S.Element == TilePoint {
        for p in points {
            // Wrapping arithmetic: deltas of clipped geometry always fit, and the encoding is defined modulo 2^32.
            integers.append(TileGeometry.zigzag(p.x &- cursor.x))
            integers.append(TileGeometry.zigzag(p.y &- cursor.y))
            cursor = p
        }
    }
}

extension TileGeometry {
    /// Points rounded to the grid; nil when there are none.
    public static func points(rounding positions: [(Double, Double)]) -> TileGeometry? {
        let points = positions.map(roundPoint)
        return points.isEmpty ? nil : .points(points)
    }

    /// Lines rounded to the grid with repeated positions removed; lines shorter than two positions vanish, and
    /// nil is returned when none is left.
    public static func lineStrings(rounding lines: [[(Double, Double)]]) -> TileGeometry? {
        var result: [[TilePoint]] = []
        for line in lines {
            let points = dedupe(line.map(roundPoint))
            if points.count >= 2 { result.append(points) }
        }
        return result.isEmpty ? nil : .lineStrings(result)
    }

    /// Polygons (each exterior then holes, closed or open rings) rounded to the grid. Rings whose area becomes
    /// zero vanish (a polygon whose exterior vanishes vanishes whole); exteriors are turned clockwise and
    /// holes counter-clockwise in tile coordinates, judged by the signed area after rounding.
    public static func polygons(rounding polygons: [[[(Double, Double)]]]) -> TileGeometry? {
        var result: [[[TilePoint]]] = []
        for polygon in polygons {
            guard let exteriorInput = polygon.first, var exterior = openRing(exteriorInput) else { continue }
            let area = doubleSignedArea(exterior)
            guard area != 0 else { continue }
            if area < 0 { exterior = reversed(exterior) }
            var rings = [exterior]
            for holeInput in polygon.dropFirst() {
                guard var hole = openRing(holeInput) else { continue }
                let holeArea = doubleSignedArea(hole)
                guard holeArea != 0 else { continue }
                if holeArea > 0 { hole = reversed(hole) }
                rings.append(hole)
            }
            result.append(rings)
        }
        return result.isEmpty ? nil : .polygons(result)
    }

    private static func roundPoint(_ p: (Double, Double)) -> TilePoint {
        // Clamped before the conversion, which would trap beyond Int32; clipped input never comes near.
        TilePoint(Int32(min(max(p.0.rounded(), -2e9), 2e9)), Int32(min(max(p.1.rounded(), -2e9), 2e9)))
    }

    private static func dedupe(_ points: [TilePoint]) -> [TilePoint] {
        var out: [TilePoint] = []
        out.reserveCapacity(points.count)
        for p in points where out.last != p { out.append(p) }
        return out
    }

    /// A rounded ring without consecutive repeats and without its closing position; nil below three positions.
    private static func openRing(_ ring: [(Double, Double)]) -> [TilePoint]? {
        var points = dedupe(ring.map(roundPoint))
        while points.count > 1, points.first == points.last { points.removeLast() }
        return points.count >= 3 ? points : nil
    }

    /// The ring walked the other way, still starting at its first position.
    private static func reversed(_ ring: [TilePoint]) -> [TilePoint] {
        [ring[0]] + ring.dropFirst().reversed()
    }
}
