import Foundation
import GeoCore
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// `/tiles/fences/…` and `/tiles/trajectories:FROM-TO/…`: tile sources that are not store layers.
@Suite struct ComputedTileSourceTests {
    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = try await buildRouter(store: try SpatialStore.temporary(), configuration: ServerConfiguration(databasePath: nil))
        try await Application(router: router).test(.router, body)
    }

    /// The tile at zoom 14 over (120.461, 33.201), where the fence and both tracks lie: x 13674, y 6588.
    static let tile = "14/13674/6588.mvt"

    @Test func fencesAreATileSourceThatFollowsChanges() async throws {
        try await withApp { client in
            try await client.execute(uri: "/tiles/fences/\(Self.tile)", method: .get) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/v1/fences", method: .post, body: ByteBuffer(string: FenceEndpointTests.zone)) { response in
                #expect(response.status == .created)
            }
            var first = ""
            try await client.execute(uri: "/tiles/fences/\(Self.tile)", method: .get) { response in
                #expect(response.status == .ok)
                first = String(decoding: Array(response.body.readableBytesView), as: UTF8.self)
                // The layer name and the fence's id and role are strings of the tile's tables.
                #expect(first.contains("fences") && first.contains("forbid-1") && first.contains("forbiddenZone"))
            }
            let moved = FenceEndpointTests.zone.replacingOccurrences(of: "\"禁区\"", with: "\"新禁区\"")
            try await client.execute(uri: "/v1/fences/forbid-1", method: .put, body: ByteBuffer(string: moved)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/tiles/fences/\(Self.tile)", method: .get) { response in
                let second = String(decoding: Array(response.body.readableBytesView), as: UTF8.self)
                #expect(second.contains("新禁区") && second != first)
            }
            try await client.execute(uri: "/tiles/fences.json", method: .get) { response in
                #expect(String(buffer: response.body).contains("\"id\":\"fences\""))
            }
        }
    }

    @Test func trajectoriesInATimeWindow() async throws {
        try await withApp { client in
            let csv = "vehicle,time,lon,lat\n" + (0..<30).map { "T1,\(1_795_392_000 + 10 * $0),\(120.458 + 0.0002 * Double($0)),33.201" }.joined(separator: "\n") + "\n"
            try await client.execute(uri: "/v1/trajectories/points", method: .post, headers: [.contentType: "text/csv"], body: ByteBuffer(string: csv)) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/tiles/trajectories:1795391000-1795393000/\(Self.tile)", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(decoding: Array(response.body.readableBytesView), as: UTF8.self)
                #expect(text.contains("trajectories") && text.contains("T1"))
            }
            // A window before the drive: no lines.
            try await client.execute(uri: "/tiles/trajectories:1795300000-1795391000/\(Self.tile)", method: .get) { response in
                #expect(response.status == .noContent)
            }
            // Below zoom 12 the source is empty; a malformed window is refused naming the source.
            try await client.execute(uri: "/tiles/trajectories:1795391000-1795393000/10/854/411.mvt", method: .get) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(uri: "/tiles/trajectories:later-sooner/\(Self.tile)", method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("invalid_source"))
            }
        }
    }
}
