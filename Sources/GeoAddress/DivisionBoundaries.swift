import Foundation
import GeoCore
import GeoGrids

/// Representative points and simplified outlines of China's divisions (AddressBooks/national/boundaries.txt,
/// WGS 84): a region answer outside the address book gets its division's point, and reverse geocoding anywhere in
/// China finds the county (or, where a prefecture or region has no counties, the prefecture or region) holding a
/// point.
///
/// Every code is a code of the division list: the file is made from the list and the boundary polygons by
/// tools/geocode/make-national-boundaries.py (its header says how polygons under former codes are filed).
public struct DivisionBoundaries: Sendable {
    /// Points in the file are integers of this many per degree (1e-4 degrees, about 11 m).
    static let scale = 10_000.0
    /// A point this close to an outline but in none of them (a sliver between two neighbours simplified apart)
    /// belongs to the nearest one; farther out it is outside China.
    static let sliverDegrees = 0.01

    private let points: [String: Coordinate]
    /// The code of each outline, in index order.
    private let outlineCodes: [String]
    private let outlines: [MultiPolygon]
    /// The outline of each code.
    private let outlineByCode: [String: Int]
    private let index: PolygonIndex

    /// No points and no outlines.
    public init() {
        points = [:]
        outlineCodes = []
        outlines = []
        outlineByCode = [:]
        index = PolygonIndex([])
    }

    /// Reads the file's text: `code<TAB>lon,lat<TAB>outline` lines (see tools/geocode/make-national-boundaries.py);
    /// lines starting with `#` are comments. A malformed line is named in the error.
    public init(text: String) throws(GeoError) {
        var points: [String: Coordinate] = [:]
        var codes: [String] = []
        var outlines: [MultiPolygon] = []
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            let xy = fields.count == 3 ? fields[1].split(separator: ",") : []
            guard fields.count == 3, xy.count == 2, let x = Int(xy[0]), let y = Int(xy[1]), !fields[0].isEmpty,
                let outline = Self.decodeOutline(fields[2])
            else {
                throw GeoError(
                    code: .invalidBoundaries, message: "division boundaries line \(lineNumber) is malformed", location: "line \(lineNumber)")
            }
            let code = String(fields[0])
            points[code] = Coordinate(x: Double(x) / Self.scale, y: Double(y) / Self.scale)
            if !outline.polygons.isEmpty {
                codes.append(code)
                outlines.append(outline)
            }
        }
        self.points = points
        outlineCodes = codes
        self.outlines = outlines
        outlineByCode = Dictionary(codes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        index = PolygonIndex(outlines.map { .multiPolygon($0) })
    }

    /// Reads the file at `url`.
    public static func load(from url: URL) throws(GeoError) -> DivisionBoundaries {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw GeoError(code: .notFound, message: "cannot read the division boundaries \(url.path)", underlying: "\(error)")
        }
        return try DivisionBoundaries(text: text)
    }

    /// Whether the file had no divisions.
    public var isEmpty: Bool { points.isEmpty }

    /// The representative point of a province, prefecture or county (inside it, far from its borders).
    public func point(of code: String) -> Coordinate? { points[code] }

    /// The bounding box of a county's outline (or of a prefecture or region drawn without counties); nil for a
    /// code without an outline.
    public func bounds(of code: String) -> BoundingBox? {
        outlineByCode[code].flatMap { Geometry.multiPolygon(outlines[$0]).boundingBox }
    }

    /// The code of the outline holding `point`: a county's, or a prefecture's or region's where it has no
    /// counties (东莞市, 香港特别行政区); nil outside China.
    public func code(containing point: Coordinate) -> String? {
        if let k = index.locate(point) { return outlineCodes[k] }
        // Between two outlines simplified apart: the nearest within a sliver's width.
        let reach = Self.sliverDegrees
        let box = BoundingBox(minX: point.x - reach, minY: point.y - reach, maxX: point.x + reach, maxY: point.y + reach)
        var best: (Int, Double)?
        for k in index.candidates(intersecting: box) {
            let d = Self.distance(from: point, to: outlines[k])
            if d <= reach && d < (best?.1 ?? .infinity) { best = (k, d) }
        }
        return best.map { outlineCodes[$0.0] }
    }

    /// Degrees from `p` to the nearest edge of `outline`, longitude scaled by the cosine of the latitude.
    static func distance(from p: Coordinate, to outline: MultiPolygon) -> Double {
        let cosine = cos(p.y * .pi / 180)
        var best = Double.infinity
        for polygon in outline.polygons {
            for ring in polygon.rings {
                for (a, b) in zip(ring, ring.dropFirst()) {
                    let ax = (a.x - p.x) * cosine, ay = a.y - p.y, bx = (b.x - p.x) * cosine, by = b.y - p.y
                    let dx = bx - ax, dy = by - ay
                    let length2 = dx * dx + dy * dy
                    let t = length2 > 0 ? max(0, min(1, -(ax * dx + ay * dy) / length2)) : 0
                    let x = ax + t * dx, y = ay + t * dy
                    best = min(best, (x * x + y * y).squareRoot())
                }
            }
        }
        return best
    }

    /// Polygons separated by spaces, rings by commas; each ring the zigzag varint deltas of its vertices in the
    /// characters 63-126, closing vertex omitted. nil when the text is not of that form.
    static func decodeOutline(_ text: Substring) -> MultiPolygon? {
        var polygons: [Polygon] = []
        for polygonText in text.split(separator: " ") {
            var rings: [[Coordinate]] = []
            for ringText in polygonText.split(separator: ",") {
                guard let ring = decodeRing(ringText.utf8) else { return nil }
                rings.append(ring)
            }
            guard let polygon = Polygon(rings: rings) else { return nil }
            polygons.append(polygon)
        }
        return MultiPolygon(polygons)
    }

    private static func decodeRing(_ bytes: Substring.UTF8View) -> [Coordinate]? {
        var values: [Int] = []
        var value = 0, shift = 0
        for byte in bytes {
            guard byte >= 63 && byte <= 126, shift < 60 else { return nil }
            let chunk = Int(byte) - 63
            value |= (chunk & 0x1F) << shift
            if chunk & 0x20 != 0 {
                shift += 5
                continue
            }
            values.append(value & 1 == 1 ? ~(value >> 1) : value >> 1)
            value = 0
            shift = 0
        }
        guard shift == 0, values.count >= 6, values.count % 2 == 0 else { return nil }
        var ring: [Coordinate] = []
        ring.reserveCapacity(values.count / 2 + 1)
        var x = 0, y = 0
        for k in stride(from: 0, to: values.count, by: 2) {
            x += values[k]
            y += values[k + 1]
            ring.append(Coordinate(x: Double(x) / scale, y: Double(y) / scale))
        }
        ring.append(ring[0])
        return ring
    }
}
