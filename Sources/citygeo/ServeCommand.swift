import ArgumentParser
import DemoCity
import Foundation
import GeoServer
import Hummingbird
import Logging
import NIOCore
import NIOPosix

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP server (map page at /, API under /v1).",
        discussion: """
            Settings come from, in rising priority: defaults, the --config JSON file, CITYGEO_* environment \
            variables, then these options. API keys are required for every route outside the public scopes \
            (default: tiles); create them with `citygeo keys create`. See docs/operations.md.
            """)

    @Option(help: "A JSON configuration file; CITYGEO_* environment variables override it.") var config: String?
    @Option(help: "Interface to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "TCP port (default 8080).") var port: Int?
    @Option(help: "The database: a SpatiaLite file (default data/citygeo.sqlite) or a PostgreSQL/PostGIS URL postgres://user@host:port/db.") var database: String?
    @Option(help: "Folder holding GridData/ and AddressBooks/: the demo city imported when the database is empty.")
    var dataRoot = "."
    @Flag(help: "Start with an empty database instead of importing the demo city.") var noDemo = false
    @Option(help: "A URL every fence event is POSTed to as JSON (retried with backoff); repeat for several.") var webhook: [String] = []
    @Flag(help: "Serve every route without API keys (behind a gateway that checks them, or on a closed network).") var open = false

    func run() async throws {
        let root = URL(fileURLWithPath: dataRoot)
        // The division list, the pinyin table and the map page's assets come from the data root even without the
        // demo city.
        func existing(_ relativePath: String) -> URL? {
            let url = root.appendingPathComponent(relativePath)
            return FileManager.default.fileExists(atPath: url.path) ? url : nil
        }
        let defaults = ServerConfiguration(
            demoDataRoot: noDemo ? nil : root,
            divisionListPath: existing("AddressBooks/national/divisions.csv"),
            pinyinTablePath: existing("AddressBooks/national/pinyin.txt"),
            webAssetsDirectory: root.appendingPathComponent("web/vendor"),
            access: AccessPolicy(requireKeys: true, publicScopes: [.tiles]))
        var (configuration, logSettings) = try await ServerSettings.load(
            file: config, environment: ProcessInfo.processInfo.environment, over: defaults)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let database { configuration.databasePath = database }
        if open { configuration.access.requireKeys = false }
        if !webhook.isEmpty {
            configuration.fenceWebhooks = try webhook.map { text in
                guard let url = ServerSettings.webhookURL(text) else {
                    throw ValidationError("--webhook \(text) is not an http(s) URL")
                }
                return url
            }
        }
        if configuration.eventLoopExecutor {
            // Before the server starts any task; the serve command runs once per process.
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        let json = logSettings.json
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, format: json ? .json : .text)
        }
        var logger = LogKind.marked(Logger(label: "citygeo"), .system)
        logger.logLevel = logSettings.level
        let access = configuration.access
        if access.requireKeys {
            logger.info(
                "API keys required outside the public scopes",
                metadata: ["public_scopes": .string(access.publicScopes.sorted().map(\.rawValue).joined(separator: ","))])
        } else {
            logger.warning("access control is off (--open or access.require_keys=false): every route is open to every client")
        }
        let store = try await CityStoreOpener.open(configuration.databasePath, dataKeys: configuration.dataKeys)
        if let root = configuration.demoDataRoot {
            let log = logger
            try await DemoCityLoader.importIfNeeded(into: store, from: root) { line in log.info("\(line)") }
        }
        let app = try await buildApplication(store: store, configuration: configuration, logger: logger)
        let scheme = configuration.tls == nil ? "http" : "https"
        logger.info("CityGeo listening on \(scheme)://\(configuration.host):\(configuration.port)/")
        try await store.appendAudit([
            .system("start", detail: "listening on \(scheme)://\(configuration.host):\(configuration.port), keys \(access.requireKeys ? "required" : "off")")
        ])
        try await ServiceLifetime.run(app, deadline: configuration.shutdownDeadline, logger: logger)
        try? await store.appendAudit([.system("stop", detail: "stopped after a shutdown signal")])
        logger.info("CityGeo stopped")
    }
}
