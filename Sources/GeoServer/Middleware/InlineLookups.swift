import Foundation
import GeoAddress
import GeoStore
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Answers the two busiest routes, `GET /v1/geocode` and `GET /v1/reverse`, on the connection's event loop,
/// without the router's per-request tasks.
///
/// Why: a geocode takes about 20 µs, but the way through Hummingbird's asynchronous request handling (the async
/// channel's inbound stream and outbound writer, the request and context, four middlewares, the task switches
/// between them) cost three times that, and at 100 busy connections on two cores that overhead, not the
/// geocoder, set the latency.
///
/// What it answers is exactly what the router answers: the same body function (``GeocodeController``), the
/// same access checks (``AccessMiddleware/admission(_:scope:route:remoteAddress:)``), the same metrics and log line,
/// and the same headers. Anything else goes to the router, which remains the reference: a parameter error, a
/// refusal (401, 403, 429), a key ring or address index due for its periodic check (both need to await the
/// store), a request with a body or `Connection: close`. (The in-flight gauge does not count inline answers: they
/// start and end within one event-loop turn.)
final class InlineLookups: Sendable {
    /// The routes answered inline, by the router's path pattern.
    enum Route: String {
        case geocode = "/v1/geocode"
        case reverse = "/v1/reverse"

        /// The route of a request target (path and query), when it is one of the two.
        init?(target: String) {
            let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target[..<$0] } ?? target[...]
            guard let route = Route(rawValue: String(path)) else { return nil }
            self = route
        }
    }

    /// A response made inline.
    struct Answer {
        let head: HTTPResponse
        let body: ByteBuffer
    }

    private let services: LayerVersionedValue<AddressServices>
    private let access: AccessMiddleware
    private let metrics: ServerMetrics
    private let logger: Logger
    private let serverName: String?
    private let dates = HTTPDateCache()
    /// Each route's scope, looked up once; a route that is not scoped or whose requests are audited is never
    /// answered inline.
    private let scopes: [Route: AccessScope]

    init(services: LayerVersionedValue<AddressServices>, access: AccessMiddleware, metrics: ServerMetrics, logger: Logger, serverName: String?) {
        var scopes: [Route: AccessScope] = [:]
        for route in [Route.geocode, .reverse] {
            if let scope = RouteScopes.scope(method: .get, path: route.rawValue), !RouteScopes.isAudited(method: .get, scope: scope) {
                scopes[route] = scope
            }
        }
        self.scopes = scopes
        self.services = services
        self.access = access
        self.metrics = metrics
        self.logger = logger
        self.serverName = serverName
    }

    /// The route of a request head that may be answered inline, if its end follows without a body: a cheap look
    /// at the method, target and headers; ``answer(_:route:remoteAddress:)`` decides.
    static func candidateRoute(_ request: HTTPRequest) -> Route? {
        guard request.method == .get, let target = request.path, let route = Route(target: target) else { return nil }
        // Hummingbird closes the connection after such a request; leave that to it. A client expecting
        // 100-continue waits for an answer before it sends its body: hand that on at once rather than hold it.
        guard request.headerFields[.connection] != "close", request.headerFields[.expect] == nil else { return nil }
        return route
    }

    /// The answer to a body-less request to `route` (its ``candidateRoute(_:)``), or nil when the router must
    /// answer it.
    func answer(_ request: HTTPRequest, route: Route, remoteAddress: String?) -> Answer? {
        guard let target = request.path, let scope = scopes[route],
            let admission = access.admission(request.headerFields, scope: scope, route: "GET " + route.rawValue, remoteAddress: remoteAddress),
            let services = services.valueIfChecked
        else { return nil }
        let start = ContinuousClock.now
        let query = URI(target).queryParameters
        let bytes: [UInt8]
        do {
            bytes = switch route {
            case .geocode: try GeocodeController.geocodeAnswer(query, services: services)
            case .reverse: try GeocodeController.reverseAnswer(query, services: services)
            }
        } catch {
            return nil
        }
        guard access.charge(admission) else { return nil }
        // The headers the router's response gets, in its order: its own, then the application's.
        var head = HTTPResponse(status: .ok)
        head.headerFields[.contentType] = GeocodeController.geoJSONType
        head.headerFields[.contentLength] = String(bytes.count)
        head.headerFields[.date] = dates.now()
        if let serverName { head.headerFields[.server] = serverName }
        var requestLogger = logger
        if logger.logLevel <= .debug { requestLogger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID()) }
        ObservabilityMiddleware.record(
            method: "GET", path: route.rawValue, route: route.rawValue, status: 200, duration: ContinuousClock.now - start,
            keyId: admission.caller?.keyId, remoteAddress: remoteAddress, metrics: metrics, logger: requestLogger)
        return Answer(head: head, body: ByteBuffer(bytes: bytes))
    }
}

/// One per connection, between Hummingbird's connection-state handler (which so sees every request and
/// response, for its idle timeout and graceful shutdown) and its request handling.
///
/// A candidate GET head is held until its end arrives; then it is answered inline or handed on. HTTP/1.1 answers
/// go out in request order, so nothing is answered inline while a request handed to the router is unanswered:
/// the handler counts those heads and the response ends written back through it. Nor while the socket is not
/// writable: a client that pipelines requests without reading the answers then meets the router's
/// backpressure (it stops reading) instead of answers piling up in memory.
final class InlineLookupHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let lookups: InlineLookups
    private var remoteAddress: String?
    /// A candidate head waiting for its end, with its route.
    private var held: (request: HTTPRequest, route: InlineLookups.Route)?
    /// Requests handed to the router whose response end has not yet been written.
    private var routedInFlight = 0
    private var mustFlush = false

    init(lookups: InlineLookups) {
        self.lookups = lookups
    }

    func handlerAdded(context: ChannelHandlerContext) {
        remoteAddress = context.channel.remoteAddress?.ipAddress
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if held == nil, routedInFlight == 0, context.channel.isWritable, let route = InlineLookups.candidateRoute(request) {
                held = (request, route)
            } else {
                handOn(request, context: context)
            }
        case .body:
            if let (request, _) = held {
                held = nil
                handOn(request, context: context)
            }
            context.fireChannelRead(data)
        case .end:
            guard let (request, route) = held else {
                context.fireChannelRead(data)
                return
            }
            held = nil
            guard let answer = lookups.answer(request, route: route, remoteAddress: remoteAddress) else {
                handOn(request, context: context)
                context.fireChannelRead(data)
                return
            }
            context.write(wrapOutboundOut(.head(answer.head)), promise: nil)
            context.write(wrapOutboundOut(.body(answer.body)), promise: nil)
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            mustFlush = true
        }
    }

    /// Answers of one read go out in one flush (pipelined requests share a write).
    func channelReadComplete(context: ChannelHandlerContext) {
        if mustFlush {
            mustFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Hummingbird answers a malformed request (400) without a head handed on: never count below zero.
        if case .end = unwrapOutboundIn(data) { routedInFlight = max(0, routedInFlight - 1) }
        context.write(data, promise: promise)
    }

    /// Passes a request head to the router, which now owes an answer.
    private func handOn(_ request: HTTPRequest, context: ChannelHandlerContext) {
        routedInFlight += 1
        context.fireChannelRead(wrapInboundOut(.head(request)))
    }
}

/// Hummingbird's HTTP/1 connection with an ``InlineLookupHandler`` added.
struct InlineLookupChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let http1: HTTP1Channel
    let lookups: InlineLookups

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let lookups = lookups
        return http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(InlineLookupHandler(lookups: lookups), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

/// The `Date` header's text (RFC 9110 IMF-fixdate), made once per second.
final class HTTPDateCache: Sendable {
    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let second = time.tv_sec
        return cached.withLock { cache in
            if cache.second != second { cache = (second, Self.format(second)) }
            return cache.text
        }
    }

    static func format(_ second: Int) -> String {
        var seconds = time_t(second)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
