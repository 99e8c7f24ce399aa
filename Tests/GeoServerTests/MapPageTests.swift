import Foundation
import GeoServer
import GeoStore
import Hummingbird
import HummingbirdTesting
import Testing

/// `/`, `/preview` and `/vendor/…`: the MapLibre page when its assets are installed, else the canvas preview.
@Suite struct MapPageTests {
    func withApp(vendor: URL?, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let configuration = ServerConfiguration(databasePath: nil, webAssetsDirectory: vendor)
        let router = try await buildRouter(store: try SpatialStore.temporary(), configuration: configuration)
        try await Application(router: router).test(.router, body)
    }

    @Test func theMapLibrePageAndItsAssetsWhenInstalled() async throws {
        let vendor = FileManager.default.temporaryDirectory.appendingPathComponent("citygeo-vendor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: vendor, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: vendor) }
        try Data("/* maplibre stand-in */".utf8).write(to: vendor.appendingPathComponent("maplibre-gl.js"))
        try Data("body{}".utf8).write(to: vendor.appendingPathComponent("maplibre-gl.css"))
        try Data("secret".utf8).write(to: vendor.appendingPathComponent("other.txt"))
        try await withApp(vendor: vendor) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("/vendor/maplibre-gl.js"))
                #expect(html.contains("/v1/geocode?limit=5&q="))
                #expect(html.contains("/v1/reverse?lon="))
                #expect(html.contains("'/tiles/'+layerNames.join(',')+'.json'"))
            }
            try await client.execute(uri: "/vendor/maplibre-gl.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(String(buffer: response.body) == "/* maplibre stand-in */")
            }
            for uri in ["/vendor/other.txt", "/vendor/..%2Fother.txt"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                }
            }
            try await client.execute(uri: "/preview", method: .get) { response in
                #expect(String(buffer: response.body).contains("<canvas"))
            }
        }
    }

    @Test func theCanvasPreviewWithoutAssets() async throws {
        try await withApp(vendor: nil) { client in
            try await client.execute(uri: "/", method: .get) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("<canvas"))
                #expect(!html.contains("maplibre-gl.js"))
            }
            try await client.execute(uri: "/vendor/maplibre-gl.js", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
