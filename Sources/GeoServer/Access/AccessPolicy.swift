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

    /// The token bucket a request is charged to and its rate.
    struct RateLimit {
        let bucket: String
        let rate: Double
    }

    /// Whether `caller` (nil: anonymous) may use a route of `scope`: throws the 401 or 403 answer, else gives the
    /// rate limit to charge, nil when keys are not required (everything open and unlimited).
    func admit(caller: Caller?, scope: AccessScope, remoteAddress: String?) throws(APIError) -> RateLimit? {
        guard requireKeys else { return nil }
        if let caller {
            guard caller.allows(scope) else {
                throw APIError(code: .insufficientScope,
                    message: "key \(caller.keyId) (\(caller.name)) lacks the scope \(scope.rawValue) this route needs",
                    details: ["required_scope": .string(scope.rawValue), "key_id": .string(caller.keyId)])
            }
            return RateLimit(bucket: "key:" + caller.keyId, rate: caller.ratePerSecond ?? defaultKeyRatePerSecond)
        }
        guard publicScopes.contains(scope) else {
            throw APIError(code: .missingAPIKey,
                message: "this route needs an API key with the scope \(scope.rawValue): send Authorization: Bearer <key>",
                details: ["field": "Authorization", "required_scope": .string(scope.rawValue)])
        }
        return RateLimit(bucket: "addr:" + (remoteAddress ?? "unknown"), rate: anonymousRatePerSecond)
    }

    /// A key given in configuration as `name:sha256:scope+scope[:rate]` (the hash from `citygeo keys hash` or
    /// `create`); its id is derived from the name so that the audit log can name it.
    public static func configuredKey(_ text: String) throws(GeoError) -> StoredAPIKey {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // Scope names contain a colon themselves (fences:write), so scopes are joined with '+'.
        guard parts.count == 3 || parts.count == 4, !parts[0].isEmpty, KeyRing.bytes(ofHex: parts[1]) != nil else {
            throw GeoError(
                code: .invalidConfiguration,
                message: "access key '\(text.prefix(80))' must be name:sha256-hex:scope+scope[:requests-per-second]")
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
            id: "config:" + parts[0], name: parts[0], sha256: parts[1].lowercased(), scopes: scopes.sorted().map(\.rawValue),
            ratePerSecond: rate, createdAt: 0)
    }
}
