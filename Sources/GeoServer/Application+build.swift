import Foundation
import GeoAddress
import GeoCore
import GeoFences
import GeoGrids
import GeoStore
import GeoTiles
import Hummingbird
import HummingbirdCore
import Logging

/// Builds the CityGeo HTTP application over the store `configuration.databasePath` names (a temporary one when
/// nil), wiring one controller per capability. Used by `citygeo serve` and by the tests (`app.test(.router)`).
public func buildApplication(
    configuration: ServerConfiguration, logger: Logger = Logger(label: "citygeo")
) async throws -> some ApplicationProtocol {
    try await buildApplication(store: try await CityStoreOpener.open(configuration.databasePath), configuration: configuration, logger: logger)
}

/// Builds the CityGeo HTTP application over an open store.
public func buildApplication(
    store: any CityStore, configuration: ServerConfiguration, logger: Logger = Logger(label: "citygeo")
) async throws -> some ApplicationProtocol {
    let serverName = "CityGeo"
    let (router, lookups) = try await buildRoutes(store: store, configuration: configuration, logger: logger, serverName: serverName)
    let http1 = HTTP1Channel.Configuration(idleTimeout: .nanoseconds(configuration.idleTimeout.nanoseconds))
    let server = HTTPServerBuilder { responder -> any ServerChildChannel in
        let channel = HTTP1Channel(responder: responder, configuration: http1)
        // Geocode and reverse lookups answered on the connection's event loop, when switched on (InlineLookups).
        return configuration.inlineLookups ? InlineLookupChannel(http1: channel, lookups: lookups) : channel
    }
    return Application(
        router: router, server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
        logger: logger)
}

/// The routes of the API, separate from the application so tests can build them over any store.
/// Builds the in-memory indexes (grid locator) from the store's current layers.
public func buildRouter(store: any CityStore, configuration: ServerConfiguration) async throws -> Router<CityRequestContext> {
    try await buildRoutes(store: store, configuration: configuration, logger: Logger(label: "citygeo"), serverName: nil).router
}

/// The router, and the inline answers of its two busiest routes, which share its indexes, access checks and
/// metrics.
func buildRoutes(
    store: any CityStore, configuration: ServerConfiguration, logger: Logger, serverName: String?
) async throws -> (router: Router<CityRequestContext>, lookups: InlineLookups) {
    let router = Router(context: CityRequestContext.self)
    // Order matters: metrics and logs see every answer, errors become the API's body before access control
    // and the audit log see them, and the timeout covers the handler alone.
    let metrics = ServerMetrics()
    router.add(middleware: ObservabilityMiddleware(metrics: metrics))
    router.add(middleware: ErrorMappingMiddleware())
    let access = AccessMiddleware(
        policy: configuration.access,
        keys: KeyRing(store: store, configured: configuration.access.configuredKeys, refreshInterval: configuration.access.keyRefreshInterval),
        limiter: RateLimiter(), audit: AuditLog(store: store))
    router.add(middleware: access)
    router.add(middleware: TimeoutMiddleware(limit: configuration.requestTimeout))
    HealthController(store: store).register(on: router)
    OperationsController(
        store: store, metrics: metrics,
        readinessChecks: ["database": { _ = try await store.describe() }]
    ).register(on: router)
    try OpenAPIController.load().register(on: router)
    let v1 = router.group("v1")
    LayerController(store: store, maximumFeatures: configuration.maximumFeaturesPerRequest).register(on: v1)
    let grids = GridLocator.versioned(store: store, checkInterval: configuration.indexRefreshInterval)
    try await grids.prime()
    let gridController = GridController(
        grids: grids, census: GridQualityReport.versioned(store: store, checkInterval: configuration.indexRefreshInterval),
        maximumBatchPoints: configuration.maximumBatchPoints,
        maximumBodyBytes: configuration.maximumBodyBytes)
    gridController.register(on: v1)
    let joins = JoinController(
        grids: grids, points: PointLayers(store: store, checkInterval: configuration.indexRefreshInterval, locator: grids),
        maximumBodyBytes: configuration.maximumBodyBytes, maximumGeometryVertices: configuration.maximumGeometryVertices)
    joins.register(on: v1)
    SamplingController(store: store, maximumBodyBytes: configuration.maximumBodyBytes).register(on: v1)
    let divisions = try configuration.resolvedDivisionList.map { try AdminDivisions.load(from: $0) } ?? AdminDivisions([])
    let pinyin = try configuration.resolvedPinyinTable.map { try PinyinTable.load(from: $0) } ?? PinyinTable()
    let addresses = LayerVersionedValue(
        store: store, layerNames: AddressServices.layerNames, checkInterval: configuration.indexRefreshInterval
    ) { store in try await AddressServices.load(from: store, divisions: divisions, pinyin: pinyin) }
    try await addresses.prime()
    GeocodeController(
        services: addresses, maximumBodyBytes: configuration.maximumBodyBytes, maximumBatchAddresses: configuration.maximumBatchAddresses
    ).register(on: v1)
    let fences = try await FenceMonitor(store: store, settings: configuration.fenceRules, checkInterval: configuration.indexRefreshInterval)
    TrajectoryController(
        store: store, monitor: fences, maximumBodyBytes: configuration.maximumBodyBytes,
        maximumGeometryVertices: configuration.maximumGeometryVertices
    ).register(on: v1)
    if !configuration.fenceWebhooks.isEmpty {
        let dispatcher = WebhookDispatcher(urls: configuration.fenceWebhooks)
        let events = await fences.subscribe()
        // Delivery runs beside the request path: a slow receiver never delays position ingest.
        Task { await forwardEvents(events, to: dispatcher) }
    }
    FenceController(
        monitor: fences, maximumBodyBytes: configuration.maximumBodyBytes,
        maximumBatchPositions: configuration.maximumBatchPoints, maximumGeometryVertices: configuration.maximumGeometryVertices
    ).register(on: v1)
    let fenceTiles = FenceTileSource(monitor: fences)
    let tiles = TileService(store: store, configuration: configuration.tiles, renderExecutor: ComputePool.shared.executor) { id async throws(GeoError) in
        try await ComputedTileSources.resolve(id, fences: fenceTiles, store: store)
    }
    await tiles.start()
    TileController(service: tiles, cacheControl: configuration.tileCacheControl).register(on: router)
    MapPageController(vendorDirectory: configuration.resolvedWebAssets).register(on: router)
    return (router, InlineLookups(services: addresses, access: access, metrics: metrics, logger: logger, serverName: serverName))
}

/// Posts each fence event of `events` to the webhooks, in order, as the JSON body `/v1/events` uses.
private func forwardEvents(_ events: AsyncStream<FenceEvent>, to dispatcher: WebhookDispatcher) async {
    for await event in events {
        let text: String = (try? JSON.encode(FenceController.describe(event))) ?? "{}"
        await dispatcher.deliver([(id: event.id, body: Array(text.utf8))])
    }
}
