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

/// The request context of every CityGeo route: Hummingbird's core context, the client's address (for
/// anonymous rate limits and the audit log) and the caller once authenticated.
public struct CityRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address; nil in router tests.
    public let remoteAddress: String?
    /// The key that authenticated this request; nil for anonymous requests.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// Authenticates the key of each request, checks its route's scope and its rate, and writes every write
/// request to the audit log once answered.
///
/// Keys come as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Answers: 401 for a missing, unknown or
/// revoked key, 403 for a key without the route's scope, 429 with `Retry-After` beyond the rate.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = CityRequestContext

    let policy: AccessPolicy
    let keys: KeyRing
    let limiter: RateLimiter
    let audit: AuditLog

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // An unrouted request is answered 404 or 405 and reaches no data: refusing it 401 would hide which.
        guard let route = context.endpointPath, let scope = RouteScopes.scope(method: request.method, path: route) else {
            return try await next(request, context)
        }
        var context = context
        let audited = RouteScopes.isAudited(method: request.method, scope: scope)
        do {
            try await authorize(request, scope: scope, context: &context)
            let response = try await next(request, context)
            if audited { await audit.record(request, context: context, status: response.status.code, detail: Self.size(of: request)) }
            return response
        } catch {
            // Refused writes are logged too: a stream of 401s on /v1/positions is worth seeing.
            if audited {
                let (status, detail) = Self.describe(error)
                await audit.record(request, context: context, status: status, detail: detail)
            }
            throw error
        }
    }

    /// Sets the caller from the presented key and checks scope and rate; throws the 401, 403 or 429 answer.
    private func authorize(_ request: Request, scope: AccessScope, context: inout Context) async throws {
        if let presented = Self.presentedKey(request.headers) {
            guard let caller = try await keys.caller(for: presented) else {
                throw APIError(code: .invalidAPIKey, message: "the API key is unknown or revoked",
                    details: ["field": "Authorization"])
            }
            context.caller = caller
        }
        guard let limit = try policy.admit(caller: context.caller, scope: scope, remoteAddress: context.remoteAddress) else { return }
        if let wait = limiter.take(limit.bucket, ratePerSecond: limit.rate) {
            throw RateLimited(retryAfterSeconds: max(1, Int(wait.rounded(.up))), rate: limit.rate)
        }
    }

    /// A request let through off the router (``InlineLookups``): its caller, and the rate bucket to charge.
    struct Admission {
        let caller: Caller?
        let limit: AccessPolicy.RateLimit?
    }

    /// The same checks as the router's, without waiting: nil when the router must take the request, because the
    /// keys are due for a reload or because the request is refused (the router then gives the refusal's answer,
    /// log and metrics). The rate is not charged here: ``charge(_:)`` does once the answer is made.
    func admission(_ headers: HTTPFields, scope: AccessScope, remoteAddress: String?) -> Admission? {
        var caller: Caller?
        if let presented = Self.presentedKey(headers) {
            guard case let known?? = keys.cachedCaller(for: presented) else { return nil }
            caller = known
        }
        do {
            return Admission(caller: caller, limit: try policy.admit(caller: caller, scope: scope, remoteAddress: remoteAddress))
        } catch {
            return nil
        }
    }

    /// Takes the admitted request's token; false when the bucket is empty (the router then answers 429).
    func charge(_ admission: Admission) -> Bool {
        guard let limit = admission.limit else { return true }
        return limiter.take(limit.bucket, ratePerSecond: limit.rate) == nil
    }

    /// The key sent with a request, from `Authorization: Bearer` or `X-API-Key`.
    static func presentedKey(_ headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return headers[apiKeyHeader]
    }

    private static func size(of request: Request) -> String {
        request.headers[.contentLength].map { "\($0) bytes" } ?? "ok"
    }

    private static func describe(_ error: any Error) -> (Int, String) {
        switch error {
        case let error as APIError: (error.status.code, "\(error.code): \(error.message)")
        case let error as GeoError: (APIError(error).status.code, "\(error.code): \(error.message)")
        case let error as any HTTPResponseError: (error.status.code, "\(error.status.reasonPhrase)")
        default: (500, "internal error")
        }
    }
}

/// 429 with `Retry-After`, in the API's error body.
struct RateLimited: HTTPResponseError {
    let retryAfterSeconds: Int
    let rate: Double
    var status: HTTPResponse.Status { .tooManyRequests }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try APIError(code: .rateLimited,
            message: "more than \(rate.formatted()) requests per second; retry in \(retryAfterSeconds) s",
            details: ["retry_after_s": .int(Int64(retryAfterSeconds)), "rate_per_second": .double(rate)]
        ).response(from: request, context: context)
        response.headers[.retryAfter] = String(retryAfterSeconds)
        return response
    }
}

/// Writes audit lines as requests finish. Each line is committed before the response leaves, so nothing the
/// server acknowledged is missing from the log. Lines that arrive while a commit is being written share the next
/// one (group commit): one transaction per request would cap writes at the disk's commit rate.
actor AuditLog {
    let store: any CityStore
    private var pending: [AuditEntry] = []
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var writing = false
    private var logger: Logger?

    init(store: any CityStore) { self.store = store }

    func record(_ request: Request, context: CityRequestContext, status: Int, detail: String) async {
        let entry = AuditEntry(
            time: Date().timeIntervalSince1970, keyId: context.caller?.keyId, keyName: context.caller?.name,
            method: request.method.rawValue, path: String(request.uri.description.prefix(2_000)), status: status,
            detail: String(detail.prefix(500)), remoteAddress: context.remoteAddress)
        logger = context.logger
        pending.append(entry)
        await withCheckedContinuation { continuation in
            waiting.append(continuation)
            if !writing {
                writing = true
                Task { await self.writePending() }
            }
        }
    }

    /// Commits what is pending, then what arrived meanwhile, until nothing is left; wakes each batch's requests.
    private func writePending() async {
        while !pending.isEmpty {
            let batch = pending
            let waiters = waiting
            pending = []
            waiting = []
            do {
                try await store.appendAudit(batch)
            } catch {
                logger?.error("audit log write failed", metadata: ["error": "\(error)", "lines": "\(batch.count)"])
            }
            for waiter in waiters { waiter.resume() }
        }
        writing = false
    }
}
