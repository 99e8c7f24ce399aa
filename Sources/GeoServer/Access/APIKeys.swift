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
/// within that interval without a restart. A key the ring does not know, presented after the last load began,
/// makes it look again at once (at most once per ``missReloadInterval``, whatever unknown keys arrive): a key
/// made with `citygeo keys create` works on its very first request.
final class KeyRing: Sendable {
    private struct State {
        var keys: [String: (sha256: [UInt8], caller: Caller)] = [:]
        /// When the keys in `keys` were read (the start of that read).
        var loadedAt: ContinuousClock.Instant?
        var refreshing = false
        var lastMissReload: ContinuousClock.Instant?
    }

    /// The shortest time between two loads made because an unknown key was presented.
    static let missReloadInterval: Duration = .milliseconds(100)

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
        let arrived = ContinuousClock.now
        try await refreshIfStale()
        if let caller = lookUp(text) { return caller }
        guard APIKeyText.id(of: text) != nil, mayReloadForUnknownKey(arrivedAt: arrived) else { return nil }
        try await load(startingAt: .now)
        return lookUp(text)
    }

    /// Reloads the keys now: another server of the cluster, or `citygeo keys`, changed them (the store's change
    /// feed says so), and a revocation must not wait for the next periodic reload.
    func invalidate() {
        Task { try? await self.load(startingAt: .now) }
    }

    /// Whether an unknown key that arrived at `arrived` warrants a load: the keys were read before it arrived and
    /// no such load ran within ``missReloadInterval``.
    private func mayReloadForUnknownKey(arrivedAt arrived: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            if let loadedAt = state.loadedAt, loadedAt >= arrived { return false }
            let now = ContinuousClock.now
            if let last = state.lastMissReload, now - last < Self.missReloadInterval { return false }
            state.lastMissReload = now
            return true
        }
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
        defer { state.withLock { $0.refreshing = false } }
        try await load(startingAt: now)
    }

    /// Reads the keys from the store; `start` is when the read began (what ``State/loadedAt`` records).
    private func load(startingAt start: ContinuousClock.Instant) async throws {
        let stored = try await store.apiKeys()
        var keys: [String: (sha256: [UInt8], caller: Caller)] = [:]
        for key in configured + stored where key.revokedAt == nil {
            guard let digest = Self.bytes(ofHex: key.sha256) else { continue }
            let scopes = Set(key.scopes.compactMap(AccessScope.init(rawValue:)))
            keys[key.id] = (digest, Caller(keyId: key.id, name: key.name, scopes: scopes, ratePerSecond: key.ratePerSecond))
        }
        state.withLock {
            // A slower load that began earlier must not replace a newer one.
            if let loadedAt = $0.loadedAt, loadedAt > start { return }
            $0.keys = keys
            $0.loadedAt = start
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
