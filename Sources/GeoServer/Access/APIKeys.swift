import Crypto
import Foundation
import GeoCore
import GeoStore
import Synchronization

/// The text of an API key, `cgk_<id>_<secret>`: a public id of 8 hex digits, so that the server finds the key
/// without a scan and the audit log can name it, and 256 random bits of secret. Only the SHA-256 of the whole
/// text is stored; a salted slow hash buys nothing for a random 256-bit secret, which cannot be guessed.
public enum APIKeyText {
    static let prefix = "cgk_"

    /// A new key: its id and its full text (shown once, never stored).
    public static func generate() -> (id: String, text: String) {
        var generator = SystemRandomNumberGenerator()  // getrandom(2): cryptographically secure on Linux
        let id = "k" + HexText.encode((0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let secret = HexText.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return (id, "\(prefix)\(id)_\(secret)")
    }

    /// The id carried by a key's text, or nil when the text is not shaped like a key.
    public static func id(of text: String) -> String? {
        guard text.hasPrefix(prefix) else { return nil }
        let parts = text.dropFirst(prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 9, parts[1].count == 64 else { return nil }
        return String(parts[0])
    }

    /// Lowercase hex SHA-256 of a key's text, as stored.
    public static func sha256(_ text: String) -> String { HexText.encode(Array(SHA256.hash(data: Array(text.utf8)))) }
}

/// Who made a request: the key that authenticated it.
public struct Caller: Sendable, Hashable {
    public let keyId: String
    public let name: String
    public let scopes: Set<AccessScope>
    /// Requests per second; nil uses the server default, 0 is unlimited.
    public let ratePerSecond: Double?

    /// Whether the key may use a route needing `scope`.
    public func allows(_ scope: AccessScope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }
}

/// The keys the server accepts: those in the store (managed with `citygeo keys`) and those in the
/// configuration. Reloaded from the store at most once per `refreshInterval`, so a revocation takes effect
/// within that interval without a restart.
final class KeyRing: Sendable {
    private struct State {
        var keys: [String: (sha256: [UInt8], caller: Caller)] = [:]
        var loadedAt: ContinuousClock.Instant?
        var refreshing = false
    }

    private let store: any CityStore
    private let configured: [StoredAPIKey]
    private let refreshInterval: Duration
    private let state = Mutex(State())

    init(store: any CityStore, configured: [StoredAPIKey], refreshInterval: Duration) {
        self.store = store
        self.configured = configured
        self.refreshInterval = refreshInterval
    }

    /// The caller a key's text authenticates, or nil for an unknown, malformed or revoked key. The hash is
    /// compared in constant time.
    func caller(for text: String) async throws -> Caller? {
        try await refreshIfStale()
        return lookUp(text)
    }

    /// The caller of a key as ``caller(for:)`` gives it, without waiting: nil when the keys are due for a reload
    /// (the caller must then use ``caller(for:)``), `.some(nil)` for an unknown or revoked key.
    func cachedCaller(for text: String) -> Caller?? {
        let fresh = state.withLock { state in
            state.loadedAt.map { ContinuousClock.now - $0 < refreshInterval } ?? false
        }
        return fresh ? .some(lookUp(text)) : nil
    }

    private func lookUp(_ text: String) -> Caller? {
        guard let id = APIKeyText.id(of: text) else { return nil }
        guard let entry = state.withLock({ $0.keys[id] }) else { return nil }
        let presented = Array(SHA256.hash(data: Array(text.utf8)))
        guard presented.count == entry.sha256.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(presented, entry.sha256) { difference |= a ^ b }
        return difference == 0 ? entry.caller : nil
    }

    /// Reloads the keys when the last load is older than the interval; one caller reloads, the others go on
    /// with the keys they have.
    private func refreshIfStale() async throws {
        let now = ContinuousClock.now
        let mustLoad = state.withLock { state -> Bool in
            if state.refreshing { return false }
            if let loadedAt = state.loadedAt, now - loadedAt < refreshInterval { return false }
            state.refreshing = true
            return true
        }
        guard mustLoad else {
            // The very first requests wait for the first load rather than being refused.
            while state.withLock({ $0.loadedAt == nil }) { try await Task.sleep(for: .milliseconds(2)) }
            return
        }
        let stored: [StoredAPIKey]
        do {
            stored = try await store.apiKeys()
        } catch {
            state.withLock { $0.refreshing = false }
            throw error
        }
        var keys: [String: (sha256: [UInt8], caller: Caller)] = [:]
        for key in configured + stored where key.revokedAt == nil {
            guard let digest = Self.bytes(ofHex: key.sha256) else { continue }
            let scopes = Set(key.scopes.compactMap(AccessScope.init(rawValue:)))
            keys[key.id] = (digest, Caller(keyId: key.id, name: key.name, scopes: scopes, ratePerSecond: key.ratePerSecond))
        }
        state.withLock {
            $0.keys = keys
            $0.loadedAt = now
            $0.refreshing = false
        }
    }

    /// The 32 bytes of a SHA-256 written as 64 hex digits, or nil.
    static func bytes(ofHex text: String) -> [UInt8]? {
        guard text.utf8.count == 64 else { return nil }
        return HexText.decode(text)
    }
}

/// Token buckets, one per caller (key id, or the address of an anonymous client): `rate` tokens a second up
/// to a burst of twice that (at least 10), one token per request.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex([String: Bucket]())
    /// Buckets idle this long are full again and can be forgotten.
    private static let idleLimit: Duration = .seconds(60)

    /// Takes a token from `bucket`; nil when allowed, else the seconds until a token is available.
    func take(_ bucket: String, ratePerSecond rate: Double) -> Double? {
        guard rate > 0 else { return nil }
        let burst = max(10, rate * 2)
        let now = ContinuousClock.now
        return buckets.withLock { buckets -> Double? in
            if buckets.count > 50_000 { Self.forgetIdle(&buckets, now: now) }
            var entry = buckets[bucket] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - entry.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            entry.tokens = min(burst, entry.tokens + seconds * rate)
            entry.updated = now
            defer { buckets[bucket] = entry }
            if entry.tokens >= 1 {
                entry.tokens -= 1
                return nil
            }
            return (1 - entry.tokens) / rate
        }
    }

    private static func forgetIdle(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant) {
        buckets = buckets.filter { now - $0.value.updated < idleLimit }
    }
}
