import ArgumentParser
import Foundation
import GeoAnalysis
import GeoCore
import GeoEngine
import GeoStore

/// `citygeo route path|nearest|isochrone`: dispatch on the roads layer.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route", abstract: "Routing on the roads: shortest path, nearest resources by road, isochrones.",
        subcommands: [RoutePathCommand.self, RouteNearestCommand.self, RouteIsochroneCommand.self])
}

/// The road layer and the search options every route command takes.
struct RoadOptions: ParsableArguments {
    @OptionGroup var layers: AnalysisLayerOptions
    @Option(help: "Road layer (LineStrings; oneway, speed_kmh or maxspeed, kind, name).") var roads = "roads"
    @Option(help: "time or distance.") var by = "time"
    @Option(help: "Snap points onto a road within this many metres.") var maxSnap = 500.0

    func cost() throws -> RoadRouter.Cost {
        guard let cost = RoadRouter.Cost(rawValue: by) else { throw ValidationError("--by must be time or distance") }
        return cost
    }

    func router() async throws -> (any CityStore, RoadRouter) {
        let store = try await layers.store()
        let router = RoadRouter(roads: try await layers.features(store, roads, option: "roads"))
        guard !router.network.edges.isEmpty else { throw ValidationError("--roads: the layer has no road lines") }
        return (store, router)
    }

    func snap(_ router: RoadRouter, _ point: Coordinate, option: String) throws -> RoadRouter.Position {
        guard point.isValidGeographic else { throw ValidationError("--\(option): not a longitude and latitude") }
        guard let position = router.snap(point, within: maxSnap) else { throw ValidationError("--\(option): no road within \(Int(maxSnap)) m") }
        return position
    }
}

/// `lon,lat` of an option.
private func lonLat(_ text: String, _ option: String) throws -> Coordinate {
    let parts = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 2 else { throw ValidationError("--\(option) must be lon,lat") }
    return Coordinate(x: parts[0], y: parts[1])
}

private func minutes(_ seconds: Double) -> String { String(format: "%.1f min", seconds / 60) }

struct RoutePathCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "path", abstract: "The shortest path between two points by road.")

    @OptionGroup var options: RoadOptions
    @Option(help: "Start, lon,lat.") var from: String
    @Option(help: "End, lon,lat.") var to: String
    @Option(help: "table or geojson.") var format = "table"

    func run() async throws {
        let (_, router) = try await options.router()
        let start = try options.snap(router, try lonLat(from, "from"), option: "from"), end = try options.snap(router, try lonLat(to, "to"), option: "to")
        guard let route = router.route(from: start, to: end, by: try options.cost()) else {
            print("no road path from \(from) to \(to) (one-way roads or separate networks)")
            throw ExitCode(1)
        }
        if format == "geojson" {
            let feature = Feature(geometry: .lineString(LineString(route.coordinates)), properties: ["length_m": .double(route.metres), "duration_s": .double(route.seconds)])
            print(String(decoding: try GeoJSON.encodeBytes(feature), as: UTF8.self))
            return
        }
        var names: [String] = []
        for e in route.edges {
            let name = router.network.roads[router.network.edges[e].road].name
            if names.last != name { names.append(name) }
        }
        print(String(format: "%.0f m, %@, by %@", route.metres, minutes(route.seconds), names.joined(separator: " → ")))
    }
}

struct RouteNearestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nearest", abstract: "The K resources of a point layer that reach a place soonest by road.")

    @OptionGroup var options: RoadOptions
    @Option(help: "Point layer of resources (staff positions, vehicles, cameras).") var layer: String
    @Option(help: "Only resources passing this filter.") var filter: String?
    @Option(help: "Longitude of the incident.") var lon: Double
    @Option(help: "Latitude of the incident.") var lat: Double
    @Option(help: "How many.") var k = 5

    func run() async throws {
        let (store, router) = try await options.router()
        let features = try await options.layers.features(store, layer, option: "layer", filter: filter)
        let incident = try options.snap(router, Coordinate(x: lon, y: lat), option: "lon")
        let positions = features.map { feature -> RoadRouter.Position? in
            guard case .point(let p)? = feature.geometry else { return nil }
            return router.snap(p.coordinate, within: options.maxSnap)
        }
        let found = try router.nearest(positions, to: incident, k: k, by: try options.cost())
        print(TextTable.render(header: ["#", "resource", "road m", "time"], rows: found.enumerated().map { n, reach in
            let p = features[reach.resource].properties
            let name = p["name"]?.stringValue ?? p["id"]?.stringValue ?? String(reach.resource)
            return [String(n + 1), name, String(format: "%.0f", reach.metres), minutes(reach.seconds)]
        }))
    }
}

struct RouteIsochroneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "isochrone", abstract: "The area reachable by road within N minutes, as GeoJSON.")

    @OptionGroup var options: RoadOptions
    @Option(help: "Longitude of the start.") var lon: Double
    @Option(help: "Latitude of the start.") var lat: Double
    @Option(help: "Driving minutes.") var minutes: Double
    @Option(help: "Half-width of the area around the reachable roads, metres.") var corridor = 50.0
    @Option(name: .shortAndLong, help: "GeoJSON file of the area.") var output: String

    func run() async throws {
        guard minutes > 0, minutes <= 600 else { throw ValidationError("--minutes must be above 0 and at most 600") }
        let (_, router) = try await options.router()
        let start = try options.snap(router, Coordinate(x: lon, y: lat), option: "lon")
        guard let (area, roads) = try router.isochrone(from: start, within: minutes * 60, by: .time, corridorMetres: corridor, engine: try GeometryEngine()) else {
            print("nothing reachable")
            throw ExitCode(1)
        }
        print(String(format: "%.0f m of road, %.2f km²", roads.reduce(0) { $0 + EllipsoidalMeasure.length(of: .lineString(LineString($1))) },
            EllipsoidalMeasure.area(of: area) / 1e6))
        try writeFeatures([Feature(geometry: area, properties: ["minutes": .double(minutes)])], to: output, what: "area")
    }
}
