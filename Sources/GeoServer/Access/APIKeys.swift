import Crypto
import Foundation
import GeoCore
import GeoCrypto
import GeoStore
import Synchronization

/// The text of an API key, `cgk_<id>_<secret>`: a public id of 8 hex digits, so that the server finds the key
/// without a scan and the audit log can name it, and 256 random bits of secret. Only a digest of the whole text is
/// stored (``APIKeyDigest``); a salted slow hash buys nothing for a random 256-bit secret, which cannot be guessed.
public enum APIKeyText {
    static let prefix = "cgk_"

    /// A new key: its id and its full text (shown once, never stored).
    public static func generate() -> (id: String, text: String) {
        var generator = SystemRandomNumberGenerator()  // getrandom(2): cryptographically secure on Linux
        let id = "k" + HexText.encode((0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let secret = HexText.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return (id, "\(prefix)\(id)_\(secret)")
    }

    /// The text of key `id` with the secret of another key's `text` (a rotation keeps the id); nil for a malformed id.
    public static func text(id: String, secret text: String) -> String? {
        guard id.utf8.count == 9, id.hasPrefix("k"), HexText.decode(String(id.dropFirst())) != nil, let other = Self.id(of: text) else { return nil }
        return prefix + id + text.dropFirst(prefix.count + other.count)
    }

    /// The id carried by a key's text, or nil when the text is not shaped like a key.
    public static func id(of text: String) -> String? {
        guard text.hasPrefix(prefix) else { return nil }
        let parts = text.dropFirst(prefix.count).split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 9, parts[1].count == 64 else { return nil }
        return String(parts[0])
    }

    /// Lowercase hex SHA-256 of a key's text, as keys made before the national algorithms were stored.
    public static func sha256(_ text: String) -> String { HexText.encode(Array(SHA256.hash(data: Array(text.utf8)))) }
}

/// The stored digest of a key's text, `sm3:<hex>` (GB/T 32905, every key made or used since issue 21) or
/// `sha256:<hex>` (older keys, still accepted, and replaced by their SM3 on first use).
public enum APIKeyDigest {
    /// The SM3 digest of a key's text, as stored.
    public static func sm3(_ text: String) throws(GeoError) -> String { "sm3:" + (try SM3.hex(text)) }

    /// Whether `text` is the key `digest` was made from; compared in constant time. False for an unknown algorithm.
    static func matches(_ text: String, _ digest: String) -> Bool {
        guard let (algorithm, expected) = parse(digest) else { return false }
        let presented: [UInt8]
        switch algorithm {
        case .sm3: guard let value = try? SM3.hash(Array(text.utf8)) else { return false }; presented = value
        case .sha256: presented = Array(SHA256.hash(data: Array(text.utf8)))
        }
        return ConstantTime.equal(presented, expected)
    }

    enum Algorithm: String { case sm3, sha256 }

    /// The algorithm and the 32 digest bytes of a stored digest, or nil when it is malformed.
    static func parse(_ digest: String) -> (Algorithm, [UInt8])? {
        let parts = digest.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let algorithm = Algorithm(rawValue: String(parts[0])), parts[1].utf8.count == 64,
            let bytes = HexText.decode(String(parts[1]))
        else { return nil }
        return (algorithm, bytes)
    }
}

/// Who made a request: the key that authenticated it, with the limits it carries.
public struct Caller: Sendable, Hashable {
    public let keyId: String
    public let name: String
    public let scopes: Set<AccessScope>
    /// Requests per second; nil uses the server default, 0 is unlimited.
    public let ratePerSecond: Double?
    /// Region codes whose subtrees alone the key may see; empty for everywhere (``RegionScope``).
    public var regions: [String] = []
    /// Requests per second on particular routes (`"GET /v1/geocode"`), beside the overall rate.
    public var routeRates: [String: Double] = [:]

    /// Whether the key may use a route needing `scope`.
    public func allows(_ scope: AccessScope) -> Bool { scopes.contains(scope) || scopes.contains(.admin) }
}

/// The keys the server accepts: those in the store (managed with `citygeo keys`) and those in the
/// configuration. Reloaded from the store at most once per `refreshInterval`, so a revocation takes effect
/// within that interval without a restart. A key the ring does not know, presented after the last load began,
/// makes it look again at once (at most once per ``missReloadInterval``, whatever unknown keys arrive): a key
/// made with `citygeo keys create` works on its very first request.
///
/// Expiry is checked on every request against the clock; a key's secret from before a rotation works until the
/// rotation's overlap ends. A key still stored as SHA-256 is given its SM3 digest in the store on first use.
final class KeyRing: Sendable {
    /// A key as the ring holds it: its stored row and the caller it authenticates.
    private struct Entry {
        let key: StoredAPIKey
        let caller: Caller
    }

    private struct State {
        var keys: [String: Entry] = [:]
        /// When the keys in `keys` were read (the start of that read).
        var loadedAt: ContinuousClock.Instant?
        var refreshing = false
        var lastMissReload: ContinuousClock.Instant?
        /// Digests being replaced by their SM3, so that one key's burst of requests upgrades it once.
        var upgrading: Set<String> = []
    }

    /// The shortest time between two loads made because an unknown key was presented.
    static let missReloadInterval: Duration = .milliseconds(100)

    private let store: any CityStore
    private let configured: [StoredAPIKey]
    private let refreshInterval: Duration
    private let state = Mutex(State())
    /// Seconds since 1970 now; a parameter so that tests can move time.
    private let now: @Sendable () -> Double

    init(
        store: any CityStore, configured: [StoredAPIKey], refreshInterval: Duration,
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.store = store
        self.configured = configured
        self.refreshInterval = refreshInterval
        self.now = now
    }

    /// The caller a key's text authenticates, or nil for an unknown, malformed or revoked key; throws the 401
    /// `expired_api_key` answer for a key past its expiry (or an old secret past its rotation's overlap).
    func caller(for text: String) async throws -> Caller? {
        let arrived = ContinuousClock.now
        try await refreshIfStale()
        if let caller = try check(text) { return caller }
        guard APIKeyText.id(of: text) != nil, mayReloadForUnknownKey(arrivedAt: arrived) else { return nil }
        try await load(startingAt: .now)
        return try check(text)
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

    /// The caller of a key as ``caller(for:)`` gives it, without waiting: nil when the router must decide (the keys
    /// are due for a reload, the key is expired or due for its SM3 digest), `.some(nil)` for an unknown or revoked key.
    func cachedCaller(for text: String) -> Caller?? {
        let fresh = state.withLock { state in
            state.loadedAt.map { ContinuousClock.now - $0 < refreshInterval } ?? false
        }
        guard fresh, let id = APIKeyText.id(of: text), let entry = state.withLock({ $0.keys[id] }) else { return fresh ? .some(nil) : nil }
        guard entry.key.digest.hasPrefix("sm3:"), APIKeyDigest.matches(text, entry.key.digest), !isExpired(entry.key) else {
            return nil
        }
        return .some(entry.caller)
    }

    /// The caller of `text` among the loaded keys: nil when unknown or wrong, the expiry refusal when expired.
    private func check(_ text: String) throws(APIError) -> Caller? {
        guard let id = APIKeyText.id(of: text), let entry = state.withLock({ $0.keys[id] }) else { return nil }
        let key = entry.key
        let time = now()
        if APIKeyDigest.matches(text, key.digest) {
            if isExpired(key) { throw Self.expired(key, at: key.expiresAt ?? time, why: "expired") }
            upgradeIfSHA256(key.id, digest: key.digest, text: text)
            return entry.caller
        }
        if let previous = key.previousDigest, APIKeyDigest.matches(text, previous) {
            let overlapEnd = key.previousExpiresAt ?? 0
            if time >= overlapEnd { throw Self.expired(key, at: overlapEnd, why: "was replaced by a rotation whose overlap ended") }
            if isExpired(key) { throw Self.expired(key, at: key.expiresAt ?? time, why: "expired") }
            upgradeIfSHA256(key.id, digest: previous, text: text)
            return entry.caller
        }
        return nil
    }

    private func isExpired(_ key: StoredAPIKey) -> Bool { key.expiresAt.map { now() >= $0 } ?? false }

    private static func expired(_ key: StoredAPIKey, at time: Double, why: String) -> APIError {
        APIError(
            code: .expiredAPIKey, message: "the API key \(key.id) (\(key.name)) \(why) at \(TimeText.format(time))",
            details: ["field": "Authorization", "key_id": .string(key.id), "expired_at": .string(TimeText.format(time))])
    }

    /// Replaces a SHA-256 digest that `text` just matched with its SM3, in the store (in the background: the
    /// request does not wait) and then in the ring. Keys from the configuration stay as configured.
    private func upgradeIfSHA256(_ id: String, digest: String, text: String) {
        guard digest.hasPrefix("sha256:"), !id.hasPrefix("config:"), let sm3 = try? APIKeyDigest.sm3(text) else { return }
        let mine = state.withLock { $0.upgrading.insert(digest).inserted }
        guard mine else { return }
        Task {
            _ = try? await store.replaceAPIKeyDigest(id: id, from: digest, to: sm3)
            try? await load(startingAt: .now)
            state.withLock { _ = $0.upgrading.remove(digest) }
        }
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
        var keys: [String: Entry] = [:]
        for key in configured + stored where key.revokedAt == nil && APIKeyDigest.parse(key.digest) != nil {
            let scopes = Set(key.scopes.compactMap(AccessScope.init(rawValue:)))
            let caller = Caller(
                keyId: key.id, name: key.name, scopes: scopes, ratePerSecond: key.ratePerSecond, regions: key.regions,
                routeRates: key.routeRates)
            keys[key.id] = Entry(key: key, caller: caller)
        }
        state.withLock {
            // A slower load that began earlier must not replace a newer one.
            if let loadedAt = $0.loadedAt, loadedAt > start { return }
            $0.keys = keys
            $0.loadedAt = start
        }
    }

    /// The 32 bytes of a digest written as 64 hex digits, or nil.
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
