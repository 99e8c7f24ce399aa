import ArgumentParser
import Foundation
import GeoServer
import Hummingbird
import Logging

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the HTTP server (map page at /, API under /v1).")

    @Option(help: "Interface to listen on.") var host = "127.0.0.1"
    @Option(help: "TCP port.") var port = 8080
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Folder holding GridData/ and AddressBooks/: the demo city imported when the database is empty.")
    var dataRoot = "."
    @Flag(help: "Start with an empty database instead of importing the demo city.") var noDemo = false
    @Option(help: "A URL every fence event is POSTed to as JSON (retried with backoff); repeat for several.") var webhook: [String] = []

    func run() async throws {
        var logger = Logger(label: "citygeo")
        logger.logLevel = .info
        let root = URL(fileURLWithPath: dataRoot)
        // The division list and the map page's assets come from the data root even without the demo city.
        let divisions = root.appendingPathComponent("AddressBooks/national/divisions.csv")
        let configuration = ServerConfiguration(
            host: host, port: port, databasePath: database.database, demoDataRoot: noDemo ? nil : root,
            divisionListPath: FileManager.default.fileExists(atPath: divisions.path) ? divisions : nil,
            webAssetsDirectory: root.appendingPathComponent("web/vendor"),
            fenceWebhooks: try webhook.map { text in
                guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                    throw ValidationError("--webhook \(text) is not an http(s) URL")
                }
                return url
            })
        let app = try await buildApplication(configuration: configuration, logger: logger)
        logger.info("CityGeo listening on http://\(host):\(port)/")
        try await app.runService()
    }
}
