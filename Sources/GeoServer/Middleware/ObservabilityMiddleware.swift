import Foundation
import GeoCore
import GeoStore
import Hummingbird
import Logging
import Metrics
import Prometheus
import Synchronization

/// Per-route request metrics through swift-metrics into one Prometheus registry per application (not the
/// process-wide bootstrap, so tests can build many applications), exposed at `/metrics`.
///
/// - `citygeo_http_requests_total{method, route, status}`
/// - `citygeo_http_request_duration_seconds{method, route}`: a latency histogram
/// - `citygeo_http_requests_in_flight`
/// - `citygeo_access_refusals_total{reason}`: 401, 403 and 429 answers
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    let inFlight: Meter
    /// Live subscriptions to the fence monitor's events (open `/v1/events/stream` answers and webhook forwarding):
    /// set when `/metrics` is read, so a leak of gone clients shows.
    let eventSubscriptions: Prometheus.Gauge

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Sub-millisecond lookups to multi-second batches.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.factory = factory
        inFlight = Meter(label: "citygeo_http_requests_in_flight", factory: factory)
        eventSubscriptions = registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "citygeo_event_subscriptions", unitName: "", helpText: "live subscriptions to fence events"))
    }

    /// The handles of one (method, route, status) series. Making them through the factory on every request hashed
    /// and compared their labels under the factory's lock; a cache keyed by the three values is cheaper.
    private struct Series {
        let requests: Metrics.Counter
        let duration: Metrics.Timer
        let refusals: Metrics.Counter?
    }

    private struct SeriesKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    private let series = Mutex<[SeriesKey: Series]>([:])
    /// Methods and routes are bounded by the router (unmatched paths share one label), but a client can send any
    /// method name: beyond this many series the handles are made per request rather than kept.
    private static let maximumCachedSeries = 4_096

    func record(method: String, route: String, status: Int, duration: Duration) {
        let key = SeriesKey(method: method, route: route, status: status)
        let handles = series.withLock { $0[key] } ?? makeSeries(key)
        handles.requests.increment()
        handles.duration.recordNanoseconds(duration.nanoseconds)
        handles.refusals?.increment()
    }

    private func makeSeries(_ key: SeriesKey) -> Series {
        let refusal: String? = switch key.status {
        case 401: "unauthenticated"
        case 403: "forbidden"
        case 429: "rate_limited"
        default: nil
        }
        let made = Series(
            requests: Counter(
                label: "citygeo_http_requests_total",
                dimensions: [("method", key.method), ("route", key.route), ("status", String(key.status))], factory: factory),
            duration: Metrics.Timer(
                label: "citygeo_http_request_duration_seconds", dimensions: [("method", key.method), ("route", key.route)], factory: factory),
            refusals: refusal.map { Counter(label: "citygeo_access_refusals_total", dimensions: [("reason", $0)], factory: factory) })
        series.withLock { cached in
            if cached.count < Self.maximumCachedSeries { cached[key] = made }
        }
        return made
    }

    /// The Prometheus text exposition of every metric.
    func exposition() -> [UInt8] { registry.emitToBuffer() }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}

/// Measures and logs every request: the metrics above, and one structured log line per request (`debug` when
/// it succeeded, `notice` for 4xx, `error` for 5xx) with the request id, route, status, duration and key.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = CityRequestContext
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        metrics.inFlight.increment()
        defer { metrics.inFlight.decrement() }
        do {
            let response = try await next(request, context)
            finish(request, context: context, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            finish(request, context: context, status: status, since: start)
            throw error
        }
    }

    private func finish(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        // Unmatched paths share one label so that scanners cannot blow up the number of series.
        Self.record(
            method: request.method.rawValue, path: request.uri.path, route: context.endpointPath ?? "NotFound", status: status,
            duration: ContinuousClock.now - start, keyId: context.caller?.keyId, remoteAddress: context.remoteAddress,
            metrics: metrics, logger: context.logger)
    }

    /// Counts one answered request and logs it; shared with the answers ``InlineLookups`` gives off the router.
    static func record(
        method: String, path: String, route: String, status: Int, duration: Duration, keyId: String?, remoteAddress: String?,
        metrics: ServerMetrics, logger: Logger
    ) {
        metrics.record(method: method, route: route, status: status, duration: duration)
        let level: Logger.Level = status >= 500 ? .error : status >= 400 ? .notice : .debug
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "method": .string(method), "path": .string(path), "route": .string(route),
            "status": .stringConvertible(status), "duration_ms": .string(String(format: "%.2f", duration.milliseconds)),
        ]
        if let keyId { metadata["key_id"] = .string(keyId) }
        if let remoteAddress { metadata["remote"] = .string(remoteAddress) }
        // The four log kinds of the specifications: a request line is the access log, a server failure the exception log.
        metadata[LogKind.key] = .string(status >= 500 ? LogKind.exception : LogKind.access)
        logger.log(level: level, "request", metadata: metadata)
    }
}
