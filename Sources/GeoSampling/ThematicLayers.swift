import GeoCore
import GeoGrids
import GeoStore

/// A thematic layer of one sample type: the roads that are 主次干道, the rivers and lakes (河道湖泊), the parks, the
/// markets, the compounds; optionally only the features passing an attribute filter (`class=主干道|次干道`).
public struct ThematicLayer: Hashable, Sendable {
    public var type: String
    public var layer: String
    public var filter: AttributeFilter?

    public init(type: String, layer: String, filter: AttributeFilter? = nil) {
        self.type = SampleType.canonicalName(type)
        self.layer = layer
        self.filter = filter
    }

    /// Reads `类型=layer` or `类型=layer:filter` (e.g. `主次干道=roads:class=主干道|次干道`); `invalid_argument`
    /// naming the entry otherwise.
    public init(parsing text: String) throws(GeoError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw GeoError(code: .invalidArgument, message: "theme \"\(text)\" is not type=layer[:filter]", location: text)
        }
        let type = text[..<equals].trimmingCharacters(in: .whitespaces)
        let rest = text[text.index(after: equals)...]
        let layer = rest.prefix { $0 != ":" }.trimmingCharacters(in: .whitespaces)
        guard !type.isEmpty, LayerName.isValid(layer) else {
            throw GeoError(code: .invalidArgument, message: "theme \"\(text)\" is not type=layer[:filter] with a layer name", location: text)
        }
        let filterText = rest.drop { $0 != ":" }.dropFirst()
        self.init(type: type, layer: layer, filter: filterText.isEmpty ? nil : try AttributeFilter(parsing: String(filterText)))
    }

    /// The sites of the layer's features: a point as it is, each line cut into sections of about `sectionMetres`
    /// (at least one per line), each polygon whole; placed in a street and unit grid by `locator` at the site's
    /// position. A site's id is `layer:feature id` (`:section number` for sections), stable while the data and
    /// the section length are, so that recorded rounds can be excluded.
    public func sites(of features: [StoredFeature], sectionMetres: Double, locator: GridLocator) -> [SamplePointCandidate] {
        var sites: [SamplePointCandidate] = []
        for stored in features where filter?.matches(stored.feature.properties) ?? true {
            guard let geometry = stored.feature.geometry else { continue }
            let featureID = stored.feature.id?.text ?? stored.feature.properties["id"]?.scalarText ?? String(stored.fid)
            let name = stored.feature.properties["name"]?.scalarText ?? ""
            func site(_ id: String, _ position: Coordinate, _ shape: Geometry?, _ kind: String, _ label: String) -> SamplePointCandidate {
                let location = locator.locate(position)
                return SamplePointCandidate(
                    id: id, type: type, position: position, streetCode: location.street?.code ?? "", gridCode: location.unitGrid?.code,
                    geometry: shape, details: ["name": .string(label), "layer": .string(layer), "shape": .string(kind)])
            }
            func appendSections(_ sections: [(coordinates: [Coordinate], middle: Coordinate)]) {
                for (k, section) in sections.enumerated() {
                    sites.append(
                        site(
                            "\(layer):\(featureID):\(k + 1)", section.middle, .lineString(LineString(section.coordinates)), "line_section",
                            sections.count == 1 ? name : "\(name)第\(k + 1)段"))
                }
            }
            switch geometry {
            case .point(let p):
                sites.append(site("\(layer):\(featureID)", p.coordinate, nil, "point", name))
            case .lineString(let line):
                appendSections(Self.sections(of: line.coordinates, metres: sectionMetres))
            case .multiLineString(let lines):
                appendSections(lines.lineStrings.flatMap { Self.sections(of: $0.coordinates, metres: sectionMetres) })
            case .polygon, .multiPolygon:
                guard let inside = Planar.interiorPoint(of: geometry) else { continue }
                sites.append(site("\(layer):\(featureID)", inside, geometry, "polygon", name))
            default:
                continue
            }
        }
        return sites
    }

    /// A line cut into pieces of equal length, as near `metres` as a whole number of pieces allows, with the
    /// point halfway along each.
    static func sections(of line: [Coordinate], metres: Double) -> [(coordinates: [Coordinate], middle: Coordinate)] {
        guard line.count >= 2 else { return [] }
        var along = [0.0]
        for k in 1..<line.count { along.append(along[k - 1] + Geodesic.haversineDistance(from: line[k - 1], to: line[k])) }
        let total = along[along.count - 1]
        guard total > 0 else { return [] }
        let count = max(1, Int((total / max(metres, 1)).rounded()))
        func point(at distance: Double) -> (Coordinate, Int) {
            var k = 1
            while k < line.count - 1 && along[k] < distance { k += 1 }
            let span = along[k] - along[k - 1]
            let t = span > 0 ? (distance - along[k - 1]) / span : 0
            let a = line[k - 1], b = line[k]
            return (Coordinate(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t), k)
        }
        return (0..<count).map { piece in
            let start = total * Double(piece) / Double(count), end = total * Double(piece + 1) / Double(count)
            let (first, firstNext) = point(at: start)
            let (last, lastNext) = point(at: end)
            var coordinates = [first]
            // The vertices strictly between the two cuts.
            for k in firstNext..<lastNext where along[k] > start && along[k] < end { coordinates.append(line[k]) }
            coordinates.append(last)
            return (coordinates, point(at: (start + end) / 2).0)
        }
    }
}
