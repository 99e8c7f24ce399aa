import Foundation
import GeoCore
import GeoStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

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
            if let kind = Self.auditKind(status: response.status.code, audited: audited) {
                await audit.record(request, context: context, kind: kind, status: response.status.code, detail: Self.size(of: request))
            }
            return response
        } catch {
            // Refused writes are logged too (a stream of 401s on /v1/positions is worth seeing), and so are refused
            // keys and server failures on every route.
            let (status, detail) = Self.describe(error)
            if let kind = Self.auditKind(status: status, audited: audited) {
                let presented = Self.presentedKey(request.headers).flatMap(APIKeyText.id(of:))
                await audit.record(request, context: context, kind: kind, status: status, detail: detail, presentedKeyId: presented)
            }
            throw error
        }
    }

    /// Which of the four logs an answer goes to, nil for none: failed or refused keys (401, 403) are access lines on
    /// every route, server failures exception lines on every route, and writes (``RouteScopes/isAudited(method:scope:)``)
    /// operation lines, or access lines when refused for their rate.
    static func auditKind(status: Int, audited: Bool) -> AuditKind? {
        switch status {
        case 401, 403: .access
        case 500...: .exception
        case 429: audited ? .access : nil
        default: audited ? .operation : nil
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
        let route = RouteScopes.key(method: request.method, path: context.endpointPath ?? "")
        guard let limits = try policy.admit(caller: context.caller, scope: scope, route: route, remoteAddress: context.remoteAddress) else {
            return
        }
        for limit in limits {
            if let wait = limiter.take(limit.bucket, ratePerSecond: limit.rate) {
                throw RateLimited(retryAfterSeconds: max(1, Int(wait.rounded(.up))), rate: limit.rate)
            }
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
    func admission(_ headers: HTTPFields, scope: AccessScope, route: String, remoteAddress: String?) -> Admission? {
        var caller: Caller?
        if let presented = Self.presentedKey(headers) {
            guard case let known?? = keys.cachedCaller(for: presented) else { return nil }
            // Region filters and route rates are the router's business.
            guard known.regions.isEmpty, known.routeRates.isEmpty else { return nil }
            caller = known
        }
        do {
            guard let limits = try policy.admit(caller: caller, scope: scope, route: route, remoteAddress: remoteAddress) else {
                return Admission(caller: caller, limit: nil)
            }
            // One bucket only: a configured route rate sends the request to the router.
            guard limits.count == 1 else { return nil }
            return Admission(caller: caller, limit: limits[0])
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
