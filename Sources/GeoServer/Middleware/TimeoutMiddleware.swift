import Foundation
import GeoCore
import GeoStore
import Hummingbird
import Logging
import Metrics
import Prometheus
import Synchronization

/// Ends a request that runs longer than the limit with 503 `timeout`. The handler's task is cancelled: database
/// reads and the batch loops stop at their next cancellation check.
///
/// Lookups whose work the request limits already bound (one address, one point, one tile) skip the timer: it
/// costs two child tasks per request, and under load each task start waits in the executor's queue.
struct TimeoutMiddleware: RouterMiddleware {
    typealias Context = CityRequestContext
    let limit: Duration

    /// Routes not timed: bounded lookups, and the event stream, which runs as long as its client listens. All are
    /// GET routes, so a lookup by the router's path pattern needs no route key built per request.
    static let untimedGetPaths: Set<String> = [
        "/v1/geocode", "/v1/reverse", "/v1/autocomplete", "/v1/locate", "/v1/nearest",
        "/tiles/{source}/{z}/{x}/{y}", "/tiles/{source}", "/tiles/catalog", "/health", "/ready",
        "/metrics", "/openapi.json", "/v1/events/stream",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .get, let path = context.endpointPath, Self.untimedGetPaths.contains(path) { return try await next(request, context) }
        return try await withoutActuallyEscaping(next) { handler in
            // The group awaits both children before returning, so the handler never outlives this call.
            nonisolated(unsafe) let handler = handler
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await handler(request, context) }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw APIError(code: .timeout,
                        message: "the request took longer than \(limit.milliseconds / 1000) s and was stopped",
                        details: ["limit_s": .double(limit.milliseconds / 1000)])
                }
                return response
            }
        }
    }
}
