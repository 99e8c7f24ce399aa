import Foundation
import GeoCore
import GeoStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Who may call what, and how often.
public struct AccessPolicy: Sendable {
    /// When false every route is open and unlimited (tests, embedding behind a gateway that does its own
    /// access control). `citygeo serve` turns it on.
    public var requireKeys: Bool
    /// Scopes anyone may use without a key (typically `tiles`, so the map page and map clients work).
    public var publicScopes: Set<AccessScope>
    /// Requests per second of a key that sets none; 0 is unlimited.
    public var defaultKeyRatePerSecond: Double
    /// Requests per second of each anonymous client address on the public scopes; 0 is unlimited.
    public var anonymousRatePerSecond: Double
    /// Keys given by the configuration (file or environment), beside those in the store.
    public var configuredKeys: [StoredAPIKey]
    /// How often the store's keys are reloaded: the longest a revoked key keeps working.
    public var keyRefreshInterval: Duration
    /// Requests per second each caller (key, or anonymous address) may make on particular routes
    /// (`"POST /v1/positions"` → 50), beside the overall rate; a key's own route rates take precedence.
    public var routeRates: [String: Double] = [:]

    /// A policy; by default everything is open.
    public init(
        requireKeys: Bool = false, publicScopes: Set<AccessScope> = [.tiles], defaultKeyRatePerSecond: Double = 200,
        anonymousRatePerSecond: Double = 100, configuredKeys: [StoredAPIKey] = [], keyRefreshInterval: Duration = .seconds(1)
    ) {
        self.requireKeys = requireKeys
        self.publicScopes = publicScopes
        self.defaultKeyRatePerSecond = defaultKeyRatePerSecond
        self.anonymousRatePerSecond = anonymousRatePerSecond
        self.configuredKeys = configuredKeys
        self.keyRefreshInterval = keyRefreshInterval
    }

    /// A token bucket a request is charged to and its rate.
    struct RateLimit {
        let bucket: String
        let rate: Double
    }

    /// Whether `caller` (nil: anonymous) may use `route` (`"GET /v1/layers/{name}"`) of `scope`: throws the 401 or
    /// 403 answer, else gives the token buckets to charge (the caller's, and the caller's on this route when a
    /// route rate applies); nil when keys are not required (everything open and unlimited).
    func admit(caller: Caller?, scope: AccessScope, route: String, remoteAddress: String?) throws(APIError) -> [RateLimit]? {
        guard requireKeys else { return nil }
        let owner: String
        let rate: Double
        if let caller {
            guard caller.allows(scope) else {
                throw APIError(code: .insufficientScope,
                    message: "key \(caller.keyId) (\(caller.name)) lacks the scope \(scope.rawValue) this route needs",
                    details: ["required_scope": .string(scope.rawValue), "key_id": .string(caller.keyId)])
            }
            // A region-limited key on a public route sees what anyone sees; elsewhere the route must know regions.
            if !publicScopes.contains(scope) { try RegionScope.admit(caller, route: route) }
            owner = "key:" + caller.keyId
            rate = caller.ratePerSecond ?? defaultKeyRatePerSecond
        } else {
            guard publicScopes.contains(scope) else {
                throw APIError(code: .missingAPIKey,
                    message: "this route needs an API key with the scope \(scope.rawValue): send Authorization: Bearer <key>",
                    details: ["field": "Authorization", "required_scope": .string(scope.rawValue)])
            }
            owner = "addr:" + (remoteAddress ?? "unknown")
            rate = anonymousRatePerSecond
        }
        var limits = [RateLimit(bucket: owner, rate: rate)]
        if let routeRate = caller?.routeRates[route] ?? routeRates[route] {
            limits.append(RateLimit(bucket: owner + " " + route, rate: routeRate))
        }
        return limits
    }

    /// A key given in configuration as `name:digest:scope+scope[:rate]`, the digest `sm3-<64 hex>` (what
    /// `citygeo keys create --config-entry` prints) or 64 hex digits of a SHA-256 (entries made before SM3); its id
    /// is derived from the name so that the audit log can name it.
    public static func configuredKey(_ text: String) throws(GeoError) -> StoredAPIKey {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // Scope names contain a colon themselves (fences:write), so scopes are joined with '+'.
        let digest: String? =
            parts.count < 2 ? nil
            : parts[1].hasPrefix("sm3-") ? KeyRing.bytes(ofHex: String(parts[1].dropFirst(4))).map { "sm3:" + HexText.encode($0) }
            : KeyRing.bytes(ofHex: parts[1]).map { "sha256:" + HexText.encode($0) }
        guard parts.count == 3 || parts.count == 4, !parts[0].isEmpty, let digest else {
            throw GeoError(
                code: .invalidConfiguration,
                message: "access key '\(text.prefix(80))' must be name:sm3-<64 hex>:scope+scope[:requests-per-second]")
        }
        let scopes: Set<AccessScope>
        do {
            scopes = try AccessScope.parseList(parts[2].replacingOccurrences(of: "+", with: ","))
        } catch {
            throw GeoError(code: .invalidConfiguration, message: "access key \(parts[0]): \(error.description)")
        }
        var rate: Double?
        if parts.count == 4 {
            guard let value = Double(parts[3]), value >= 0, value.isFinite else {
                throw GeoError(code: .invalidConfiguration, message: "access key \(parts[0]): rate '\(parts[3])' is not a number ≥ 0")
            }
            rate = value
        }
        return StoredAPIKey(
            id: "config:" + parts[0], name: parts[0], digest: digest, scopes: scopes.sorted().map(\.rawValue),
            ratePerSecond: rate, createdAt: 0)
    }
}
