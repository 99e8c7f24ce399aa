import Configuration
import Foundation
import GeoCore
import GeoCrypto
import GeoStore
import Logging
import SystemPackage

/// How the server writes its log.
@MemberwiseInit
public struct LogSettings: Sendable, Equatable {
    public var level: Logger.Level = .info
    /// `text` (swift-log's default, one line with key=value metadata) or `json` (one object per line).
    public var json: Bool = false
}

/// Reads the server's settings from a JSON configuration file and `CITYGEO_*` environment variables (the
/// environment wins), over the defaults `citygeo serve` starts from. Keys, with their variables:
///
/// | key | environment | meaning |
/// |---|---|---|
/// | server.host, server.port | CITYGEO_SERVER_HOST, _PORT | listen address |
/// | server.idle_timeout_seconds | CITYGEO_SERVER_IDLE_TIMEOUT_SECONDS | keep-alive and slow-client limit |
/// | server.event_loop_executor | CITYGEO_SERVER_EVENT_LOOP_EXECUTOR | Swift concurrency on NIO's event loops |
/// | server.inline_lookups | CITYGEO_SERVER_INLINE_LOOKUPS | geocode/reverse answered on the event loop (off) |
/// | server.stream_heartbeat_seconds | CITYGEO_SERVER_STREAM_HEARTBEAT_SECONDS | event-stream heartbeat (15) |
/// | server.shutdown_deadline_seconds | CITYGEO_SERVER_SHUTDOWN_DEADLINE_SECONDS | exit this soon after SIGTERM (10) |
/// | server.tls.certificate_file, server.tls.key_file | CITYGEO_SERVER_TLS_CERTIFICATE_FILE, _KEY_FILE | HTTPS (PEM) |
/// | server.tls.redirect_port | CITYGEO_SERVER_TLS_REDIRECT_PORT | plain-HTTP port redirecting to HTTPS |
/// | crypto.key_file | CITYGEO_CRYPTO_KEY_FILE | data keys (SM4) for sensitive columns and backups |
/// | (environment only) | CITYGEO_CRYPTO_KEY | one data key, 64 hex digits, when there is no key file |
/// | backup.directory, backup.core_layers | CITYGEO_BACKUP_DIRECTORY, _CORE_LAYERS | where backups go; layers of a core backup |
/// | backup.core_interval_days, full_interval_days, keep_core, keep_full | CITYGEO_BACKUP_… | schedule and retention |
/// | database.path | CITYGEO_DATABASE_PATH | the SpatiaLite file |
/// | access.require_keys | CITYGEO_ACCESS_REQUIRE_KEYS | false opens every route |
/// | access.public_scopes | CITYGEO_ACCESS_PUBLIC_SCOPES | scopes usable without a key (comma list) |
/// | access.keys | CITYGEO_ACCESS_KEYS | keys as name:sha256:scope+scope[:rate] (comma list) |
/// | access.default_rate, access.anonymous_rate | CITYGEO_ACCESS_DEFAULT_RATE, _ANONYMOUS_RATE | requests/s |
/// | access.route_rates | CITYGEO_ACCESS_ROUTE_RATES | `METHOD /path=rate` per caller and route (comma list) |
/// | limits.body_bytes, batch_points, batch_addresses, features_per_request, geometry_vertices, request_timeout_seconds | CITYGEO_LIMITS_… | request limits |
/// | log.level, log.format | CITYGEO_LOG_LEVEL, CITYGEO_LOG_FORMAT | trace…critical; text or json |
/// | geocode.book_has_every_road | CITYGEO_GEOCODE_BOOK_HAS_EVERY_ROAD | the book is the complete road register: a one-character near miss of a road with its door number answers the plate (false) |
/// | fences.webhooks | CITYGEO_FENCES_WEBHOOKS | URLs fence events are posted to |
/// | ogc.editable_layers | CITYGEO_OGC_EDITABLE_LAYERS | layers edited one feature at a time over OGC API (sample_points,frontage_zones) |
public enum ServerSettings {
    /// The settings over `base`; a value that is present but malformed is an error naming its key.
    public static func load(
        file: String?, environment: [String: String], over base: ServerConfiguration, log baseLog: LogSettings = .init()
    ) async throws(GeoError) -> (ServerConfiguration, LogSettings) {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "citygeo")
        ]
        var fileSettings: JSONValue = .object([:])
        if let file {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
                fileSettings = try JSON.decode(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
            } catch {
                throw GeoError(code: .invalidConfiguration, message: "cannot read the configuration file \(file)", underlying: "\(error)")
            }
        }
        // Which keys are given at all, so that a lookup tells "absent" from "malformed" without reading error text.
        let given: @Sendable (String) -> Bool = { [fileSettings] key in
            if environment[Reader.variable(key)] != nil { return true }
            var value: JSONValue? = fileSettings
            for part in key.split(separator: ".") { value = value?.objectValue?[String(part)] }
            return value != nil && value != .null
        }
        let reader = Reader(config: ConfigReader(providers: providers), given: given)
        var c = base
        c.host = try reader.string("server.host") ?? c.host
        c.port = try reader.int("server.port", in: 0...65535) ?? c.port
        c.idleTimeout = try reader.seconds("server.idle_timeout_seconds") ?? c.idleTimeout
        c.eventLoopExecutor = try reader.bool("server.event_loop_executor") ?? c.eventLoopExecutor
        c.inlineLookups = try reader.bool("server.inline_lookups") ?? c.inlineLookups
        c.streamHeartbeat = try reader.seconds("server.stream_heartbeat_seconds") ?? c.streamHeartbeat
        c.shutdownDeadline = try reader.seconds("server.shutdown_deadline_seconds") ?? c.shutdownDeadline
        switch (try reader.string("server.tls.certificate_file"), try reader.string("server.tls.key_file")) {
        case (let chain?, let key?): c.tls = TLSFiles(certificateChain: chain, privateKey: key)
        case (nil, nil): break
        default:
            throw GeoError(code: .invalidConfiguration, message: "server.tls.certificate_file and server.tls.key_file go together")
        }
        c.httpRedirectPort = try reader.int("server.tls.redirect_port", in: 1...65535) ?? c.httpRedirectPort
        if c.httpRedirectPort != nil, c.tls == nil {
            throw GeoError(code: .invalidConfiguration, message: "server.tls.redirect_port needs server.tls.certificate_file and key_file")
        }
        c.dataKeys = try DataKeyRing.configured(file: try reader.string("crypto.key_file"), environmentKey: environment["CITYGEO_CRYPTO_KEY"]) ?? c.dataKeys
        c.databasePath = try reader.string("database.path") ?? c.databasePath
        c.access.requireKeys = try reader.bool("access.require_keys") ?? c.access.requireKeys
        if let scopes = try reader.strings("access.public_scopes") {
            do { c.access.publicScopes = try AccessScope.parseList(scopes.joined(separator: ",")) } catch {
                throw GeoError(code: .invalidConfiguration, message: "access.public_scopes: \(error.description)")
            }
        }
        if let keys = try reader.strings("access.keys") { c.access.configuredKeys = try keys.map(AccessPolicy.configuredKey) }
        c.access.defaultKeyRatePerSecond = try reader.double("access.default_rate", atLeast: 0) ?? c.access.defaultKeyRatePerSecond
        c.access.anonymousRatePerSecond = try reader.double("access.anonymous_rate", atLeast: 0) ?? c.access.anonymousRatePerSecond
        if let rates = try reader.strings("access.route_rates") { c.access.routeRates = try routeRates(rates, key: "access.route_rates") }
        c.maximumBodyBytes = try reader.int("limits.body_bytes", in: 1...(1 << 34)) ?? c.maximumBodyBytes
        c.maximumBatchPoints = try reader.int("limits.batch_points", in: 1...100_000_000) ?? c.maximumBatchPoints
        c.maximumBatchAddresses = try reader.int("limits.batch_addresses", in: 1...100_000_000) ?? c.maximumBatchAddresses
        c.maximumFeaturesPerRequest = try reader.int("limits.features_per_request", in: 1...100_000_000) ?? c.maximumFeaturesPerRequest
        c.maximumGeometryVertices = try reader.int("limits.geometry_vertices", in: 4...100_000_000) ?? c.maximumGeometryVertices
        c.requestTimeout = try reader.seconds("limits.request_timeout_seconds") ?? c.requestTimeout
        c.geocoderOptions.bookHasEveryRoad = try reader.bool("geocode.book_has_every_road") ?? c.geocoderOptions.bookHasEveryRoad
        if let urls = try reader.strings("fences.webhooks") {
            c.fenceWebhooks = try urls.map { text throws(GeoError) in
                guard let url = webhookURL(text) else {
                    throw GeoError(code: .invalidConfiguration, message: "fences.webhooks: \(text) is not an http(s) URL")
                }
                return url
            }
        }
        if let layers = try reader.strings("ogc.editable_layers") {
            for name in layers where (try? LayerName(name)) == nil {
                throw GeoError(code: .invalidConfiguration, message: "ogc.editable_layers: \"\(name)\" cannot be a layer name")
            }
            c.editableLayers = Set(layers)
        }
        if let directory = try reader.string("backup.directory") {
            var policy = BackupPolicy(directory: URL(fileURLWithPath: directory))
            policy.coreLayers = try reader.strings("backup.core_layers")
            policy.coreIntervalDays = try reader.double("backup.core_interval_days", atLeast: 1) ?? policy.coreIntervalDays
            policy.fullIntervalDays = try reader.double("backup.full_interval_days", atLeast: 1) ?? policy.fullIntervalDays
            policy.keepCore = try reader.int("backup.keep_core", in: 1...10_000) ?? policy.keepCore
            policy.keepFull = try reader.int("backup.keep_full", in: 1...10_000) ?? policy.keepFull
            c.backup = policy
        }
        var log = baseLog
        if let level = try reader.string("log.level") {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw GeoError(code: .invalidConfiguration, message: "log.level '\(level)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            log.level = parsed
        }
        if let format = try reader.string("log.format") {
            guard format == "text" || format == "json" else {
                throw GeoError(code: .invalidConfiguration, message: "log.format '\(format)' is not text or json")
            }
            log.json = format == "json"
        }
        return (c, log)
    }

    /// Route rates written `METHOD /path=rate` (the route as ``RouteScopes`` names it, e.g. `POST /v1/positions=50`).
    public static func routeRates(_ entries: [String], key: String) throws(GeoError) -> [String: Double] {
        var rates: [String: Double] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, RouteScopes.table[parts[0]] != nil, let rate = Double(parts[1]), rate >= 0, rate.isFinite else {
                throw GeoError(
                    code: .invalidConfiguration,
                    message: "\(key): '\(entry)' must be METHOD /path=requests-per-second with a routed path, e.g. POST /v1/positions=50")
            }
            rates[parts[0]] = rate
        }
        return rates
    }

    /// A fence-event webhook address: an http or https URL, else nil.
    public static func webhookURL(_ text: String) -> URL? {
        guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else { return nil }
        return url
    }

    /// Typed lookups that tell "absent" (nil) from "malformed" (an error naming the key).
    private struct Reader {
        let config: ConfigReader
        let given: (String) -> Bool

        /// The environment variable of a key: `server.port` is `CITYGEO_SERVER_PORT`.
        static func variable(_ key: String) -> String {
            "CITYGEO_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
        }

        func string(_ key: String) throws(GeoError) -> String? {
            try lookup(key, "a string") { try config.requiredString(forKey: ConfigKey($0)) }
        }

        func bool(_ key: String) throws(GeoError) -> Bool? {
            try lookup(key, "true or false") { try config.requiredBool(forKey: ConfigKey($0)) }
        }

        func strings(_ key: String) throws(GeoError) -> [String]? {
            try lookup(key, "a list of strings") { try config.requiredStringArray(forKey: ConfigKey($0)) }
        }

        func int(_ key: String, in range: ClosedRange<Int>) throws(GeoError) -> Int? {
            guard let value = try lookup(key, "an integer", { try config.requiredInt(forKey: ConfigKey($0)) }) else { return nil }
            guard range.contains(value) else {
                throw GeoError(code: .invalidConfiguration, message: "\(key) is \(value); it must be in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }

        func double(_ key: String, atLeast minimum: Double) throws(GeoError) -> Double? {
            guard let value = try lookup(key, "a number", { try config.requiredDouble(forKey: ConfigKey($0)) }) else { return nil }
            guard value.isFinite, value >= minimum else {
                throw GeoError(code: .invalidConfiguration, message: "\(key) is \(value); it must be a number ≥ \(minimum)")
            }
            return value
        }

        func seconds(_ key: String) throws(GeoError) -> Duration? {
            try double(key, atLeast: 0.001).map { .milliseconds(Int64(($0 * 1000).rounded())) }
        }

        private func lookup<T>(_ key: String, _ expected: String, _ read: (String) throws -> T) throws(GeoError) -> T? {
            guard given(key) else { return nil }
            do {
                return try read(key)
            } catch {
                throw GeoError(
                    code: .invalidConfiguration, message: "\(key) (or \(Self.variable(key))) must be \(expected)", underlying: "\(error)")
            }
        }
    }
}
