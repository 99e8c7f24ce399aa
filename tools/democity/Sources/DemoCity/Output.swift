import Foundation
import GeoCore

/// Writes the model as the committed demo-city files: GeoJSON with one feature per line (so that git diffs
/// stay readable) and CSV with a header row, coordinates in CGCS2000 longitude/latitude to 7 decimals (~1 cm).
struct CityWriter {
    let model: CityModel
    let geometry: GeometryBridge

    func files() throws -> [(path: String, bytes: [UInt8])] {
        [
            ("GridData/district.geojson", try regionLayer([.district])),
            ("GridData/streets.geojson", try regionLayer([.street, .town])),
            ("GridData/communities.geojson", try regionLayer([.community, .village])),
            ("GridData/unit_grids.geojson", try unitGridLayer()),
            ("GridData/eval_area_types.geojson", try areaClassLayer()),
            ("GridData/sample_points.geojson", try samplePointLayer()),
            ("GridData/rivers.geojson", try riverLayer()),
            ("AddressBooks/regions.csv", regionTable()),
            ("AddressBooks/roads.geojson", try roadLayer()),
            ("AddressBooks/door_plates.csv", try plateTable()),
            ("AddressBooks/compounds.geojson", try compoundLayer()),
            ("AddressBooks/buildings.csv", try buildingTable()),
            ("AddressBooks/pois.csv", try poiTable()),
            ("AddressBooks/components.csv", try componentTable()),
        ]
    }

    // MARK: GeoJSON layers

    private func regionLayer(_ levels: [RegionLevel]) throws -> [UInt8] {
        let gridCounts = Dictionary(grouping: model.unitGrids, by: \.communityCode).mapValues(\.count)
        let streetGridCounts = Dictionary(grouping: model.unitGrids, by: \.streetCode).mapValues(\.count)
        let features = try model.regions.filter { levels.contains($0.level) }.sorted { $0.code < $1.code }.map { region in
            var properties: [String: JSONValue] = [
                "code": .string(region.code), "name": .string(region.name), "level": .string(region.level.rawValue),
                "parent_code": region.parentCode.map(JSONValue.string) ?? .null,
                "aliases": .string(region.aliases.joined(separator: "/")),
                "former_names": .string(region.formerNames.map { "\($0.name)@\($0.until)" }.joined(separator: "/")),
                "area_m2": .double(rounded(region.polygons.reduce(0) { $0 + Planar.area(of: $1) }, 1)),
            ]
            switch region.level {
            case .community, .village: properties["unit_grid_count"] = .int(Int64(gridCounts[region.code] ?? 0))
            case .street, .town: properties["unit_grid_count"] = .int(Int64(streetGridCounts[region.code] ?? 0))
            case .district: properties["unit_grid_count"] = .int(Int64(model.unitGrids.count))
            }
            // Lattice-derived regions keep their exact lattice vertices (edges are at most ~110 m); the others have
            // edges of many kilometres that must be densified so they stay straight in metres after projection.
            let densify = [.district, .town, .village].contains(region.level)
            return Feature(id: .string(region.code), geometry: try polygonal(region.polygons, densify: densify), properties: properties)
        }
        return try collection(features)
    }

    private func unitGridLayer() throws -> [UInt8] {
        let features = try model.unitGrids.sorted { $0.code < $1.code }.map { grid in
            Feature(
                id: .string(grid.code), geometry: .polygon(try geometry.toDegrees(Polygon(exterior: grid.ring))),
                properties: [
                    "code": .string(grid.code), "community_code": .string(grid.communityCode),
                    "street_code": .string(grid.streetCode), "area_m2": .double(rounded(grid.areaSquareMetres, 1)),
                ])
        }
        return try collection(features)
    }

    private func areaClassLayer() throws -> [UInt8] {
        try collection(
            model.areaClasses.map { zone in
                Feature(
                    id: .string(zone.areaClass), geometry: try polygonal(zone.polygons),
                    properties: [
                        "class": .string(zone.areaClass), "description": .string(zone.description),
                        "area_m2": .double(rounded(zone.polygons.reduce(0) { $0 + Planar.area(of: $1) }, 1)),
                    ])
            })
    }

    private func samplePointLayer() throws -> [UInt8] {
        try collection(
            model.samplePoints.map { point in
                Feature(
                    id: .string(point.id), geometry: .point(Point(try geometry.toDegrees(point.position))),
                    properties: [
                        "id": .string(point.id), "type_code": .string(point.type.code), "type": .string(point.type.rawValue),
                        "name": .string(point.name), "street_code": .string(point.streetCode),
                        "community_code": point.communityCode.map(JSONValue.string) ?? .null,
                        "grid_code": point.gridCode.map(JSONValue.string) ?? .null, "area_class": .string(point.areaClass),
                    ])
            })
    }

    private func riverLayer() throws -> [UInt8] {
        try collection(
            model.rivers.map { river in
                Feature(
                    id: .string(river.name), geometry: .lineString(LineString(try river.line.map(geometry.toDegrees))),
                    properties: ["name": .string(river.name), "kind": "河道"])
            })
    }

    private func roadLayer() throws -> [UInt8] {
        let platesByRoad = Dictionary(grouping: model.plates, by: \.roadID)
        return try collection(
            model.roads.map { road in
                let plates = platesByRoad[road.id] ?? []
                let odd = plates.map(\.number).filter { $0 % 2 == 1 }
                let even = plates.map(\.number).filter { $0 % 2 == 0 }
                func number(_ n: Int?) -> JSONValue { n.map { .int(Int64($0)) } ?? .null }
                return Feature(
                    id: .string(road.id), geometry: .lineString(LineString(try road.line.map(geometry.toDegrees))),
                    properties: [
                        "id": .string(road.id), "name": .string(road.name), "aliases": .string(road.aliases.joined(separator: "/")),
                        "former_names": .string(
                            (Gazetteer.roadFormerNames[road.name] ?? []).map { "\($0.name)@\($0.until)" }.joined(separator: "/")),
                        "kind": .string(road.kind.rawValue), "street_codes": .string(road.streetCodes.sorted().joined(separator: "/")),
                        "odd_min": number(odd.min()), "odd_max": number(odd.max()),
                        "even_min": number(even.min()), "even_max": number(even.max()),
                        "length_m": .double(rounded(Planar.length(of: road.line), 1)),
                    ])
            })
    }

    private func compoundLayer() throws -> [UInt8] {
        let buildingCounts = Dictionary(grouping: model.buildings, by: \.compoundID).mapValues(\.count)
        return try collection(
            model.compounds.map { compound in
                Feature(
                    id: .string(compound.id), geometry: .polygon(try geometry.toDegrees(compound.polygon)),
                    properties: [
                        "id": .string(compound.id), "name": .string(compound.name),
                        "aliases": .string(compound.aliases.joined(separator: "/")),
                        "address": .string(compound.gate.label), "gate_plate_id": .string(compound.gate.id),
                        "community_code": .string(compound.gate.communityCode), "street_code": .string(compound.gate.streetCode),
                        "building_count": .int(Int64(buildingCounts[compound.id] ?? 0)),
                    ])
            })
    }

    /// Polygons in degrees; with `densify`, edges longer than 150 m get intermediate vertices first, because a
    /// straight Gauss-Krüger edge of 20 km bows up to ~6 m away from the straight lon/lat chord between its ends.
    private func polygonal(_ polygons: [Polygon], densify: Bool = false) throws -> Geometry {
        let source = densify ? polygons.map { Polygon(exterior: densified($0.exterior), holes: $0.holes.map(densified)) } : polygons
        let projected = try source.map(geometry.toDegrees)
        return projected.count == 1 ? .polygon(projected[0]) : .multiPolygon(MultiPolygon(projected))
    }

    /// The ring with vertices inserted so that no edge is longer than 150 m (at exact fractions of the edge,
    /// so shared edges densify identically).
    private func densified(_ ring: [Coordinate]) -> [Coordinate] {
        guard var previous = ring.first else { return ring }
        var result = [previous]
        for next in ring.dropFirst() {
            let parts = Int((Planar.distance(previous, next) / 150).rounded(.up))
            if parts > 1 {
                for k in 1..<parts {
                    let t = Double(k) / Double(parts)
                    result.append(Coordinate(x: previous.x + (next.x - previous.x) * t, y: previous.y + (next.y - previous.y) * t))
                }
            }
            result.append(next)
            previous = next
        }
        return result
    }

    /// A FeatureCollection with one feature per line.
    private func collection(_ features: [Feature]) throws -> [UInt8] {
        let options = GeoJSON.WriteOptions(coordinatePrecision: 7)
        var text = "{\"type\":\"FeatureCollection\",\"features\":[\n"
        for (k, feature) in features.enumerated() {
            text += try GeoJSON.encode(feature, options: options)
            text += k == features.count - 1 ? "\n" : ",\n"
        }
        text += "]}\n"
        return Array(text.utf8)
    }

    // MARK: CSV tables

    private func regionTable() -> [UInt8] {
        let byCode = Dictionary(uniqueKeysWithValues: model.regions.map { ($0.code, $0) })
        func fullName(_ region: Region) -> String {
            var names = [region.name]
            var parent = region.parentCode
            while let code = parent, let up = byCode[code] {
                names.insert(up.name, at: 0)
                parent = up.parentCode
            }
            return Gazetteer.provinceName + Gazetteer.cityName + names.joined()
        }
        var rows = [["code", "level", "name", "parent_code", "full_name", "aliases", "former_names"]]
        rows.append([Gazetteer.provinceCode, "province", Gazetteer.provinceName, "", Gazetteer.provinceName, "江苏", ""])
        rows.append([Gazetteer.cityCode, "city", Gazetteer.cityName, Gazetteer.provinceCode, Gazetteer.provinceName + Gazetteer.cityName, "盐城", ""])
        for region in model.regions.sorted(by: { $0.code < $1.code }) {
            rows.append([
                region.code, region.level.rawValue, region.name, region.parentCode ?? "", fullName(region),
                region.aliases.joined(separator: "/"), region.formerNames.map { "\($0.name)@\($0.until)" }.joined(separator: "/"),
            ])
        }
        return csv(rows)
    }

    private func plateTable() throws -> [UInt8] {
        var rows = [["id", "road_id", "road", "number", "suffix", "label", "lon", "lat", "grid_code", "community_code", "street_code"]]
        for plate in model.plates {
            let p = try geometry.toDegrees(plate.position)
            rows.append([
                plate.id, plate.roadID, plate.roadName, String(plate.number), plate.suffix, plate.label, degrees(p.x), degrees(p.y),
                plate.gridCode, plate.communityCode, plate.streetCode,
            ])
        }
        return csv(rows)
    }

    private func buildingTable() throws -> [UInt8] {
        var rows = [["id", "compound_id", "compound", "number", "label", "floors", "units", "lon", "lat", "width_m", "depth_m", "grid_code"]]
        for building in model.buildings {
            let box = BoundingBox(coordinates: building.polygon.exterior)!
            let p = try geometry.toDegrees(box.center)
            rows.append([
                building.id, building.compoundID, building.compoundName, String(building.number), "\(building.number)幢",
                String(building.floors), String(building.units), degrees(p.x), degrees(p.y), String(rounded(box.width, 1)),
                String(rounded(box.height, 1)), building.gridCode,
            ])
        }
        return csv(rows)
    }

    private func poiTable() throws -> [UInt8] {
        var rows = [["id", "name", "category", "aliases", "lon", "lat", "road", "number", "address", "grid_code", "community_code", "street_code"]]
        for poi in model.pois {
            let p = try geometry.toDegrees(poi.position)
            rows.append([
                poi.id, poi.name, poi.category, poi.aliases.joined(separator: "/"), degrees(p.x), degrees(p.y),
                poi.plate?.roadName ?? "", poi.plate.map { String($0.number) } ?? "", poi.plate?.label ?? "",
                poi.gridCode ?? "", poi.communityCode ?? "", poi.streetCode,
            ])
        }
        return csv(rows)
    }

    /// Components (部件): the 16-digit identifier, its class, the unit grid holding it and the nearest road.
    private func componentTable() throws -> [UInt8] {
        var rows = [["code", "class_code", "category", "name", "lon", "lat", "grid_code", "road", "status"]]
        for component in model.components {
            let p = try geometry.toDegrees(component.position)
            rows.append([
                component.code, component.kind.classCode(district: Gazetteer.districtCode), component.kind.category.name,
                component.kind.subclass.name, degrees(p.x), degrees(p.y), component.gridCode, component.road, component.status,
            ])
        }
        return csv(rows)
    }

    private func csv(_ rows: [[String]]) -> [UInt8] { CSVWriter.encode(rows) }

    private func degrees(_ value: Double) -> String { String(rounded(value, 7)) }

    private func rounded(_ value: Double, _ decimals: Int) -> Double {
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        return (value * factor).rounded() / factor
    }
}
