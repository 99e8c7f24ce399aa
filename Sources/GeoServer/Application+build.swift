import Foundation
import GeoAddress
import GeoCore
import GeoFences
import GeoGrids
import GeoStore
import GeoTiles
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle

/// Builds the CityGeo HTTP application over the store `configuration.databasePath` names (a temporary one when
/// nil), wiring one controller per capability. Used by `citygeo serve` and by the tests (`app.test(.router)`).
public func buildApplication(
    configuration: ServerConfiguration, logger: Logger = Logger(label: "citygeo")
) async throws -> some ApplicationProtocol {
    try await buildApplication(
        store: try await CityStoreOpener.open(configuration.databasePath, dataKeys: configuration.dataKeys), configuration: configuration,
        logger: logger)
}

/// Builds the CityGeo HTTP application over an open store.
public func buildApplication(
    store: any CityStore, configuration: ServerConfiguration, logger: Logger = Logger(label: "citygeo")
) async throws -> some ApplicationProtocol {
    let serverName = "CityGeo"
    let routes = try await buildRoutes(store: store, configuration: configuration, logger: logger, serverName: serverName)
    let lookups = routes.lookups
    let http1 = HTTP1Channel.Configuration(idleTimeout: .nanoseconds(configuration.idleTimeout.nanoseconds))
    let tls = try configuration.tls.map(TLSSetup.serverConfiguration)
    let server = HTTPServerBuilder { responder -> any ServerChildChannel in
        let channel = HTTP1Channel(responder: responder, configuration: http1)
        // Geocode and reverse lookups answered on the connection's event loop, when switched on (InlineLookups).
        switch (configuration.inlineLookups, tls) {
        case (false, nil): return channel
        case (true, nil): return InlineLookupChannel(http1: channel, lookups: lookups)
        case (false, let tls?): return try TLSChannel(channel, tlsConfiguration: tls)
        case (true, let tls?): return try TLSChannel(InlineLookupChannel(http1: channel, lookups: lookups), tlsConfiguration: tls)
        }
    }
    var services = routes.services
    if tls != nil, let redirectPort = configuration.httpRedirectPort {
        services.append(TLSSetup.redirectApplication(host: configuration.host, port: redirectPort, httpsPort: configuration.port, logger: logger))
    }
    return Application(
        router: routes.router, server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
        services: services, logger: logger)
}

/// The routes of the API, separate from the application so tests can build them over any store.
/// Builds the in-memory indexes (grid locator) from the store's current layers.
public func buildRouter(store: any CityStore, configuration: ServerConfiguration) async throws -> Router<CityRequestContext> {
    try await buildRoutes(store: store, configuration: configuration, logger: Logger(label: "citygeo"), serverName: nil).router
}

/// What the application is made of: the router, the inline answers of its two busiest routes (which share its
/// indexes, access checks and metrics), and the services that run beside it (a cluster's change listener and
/// webhook outbox).
struct CityRoutes {
    let router: Router<CityRequestContext>
    let lookups: InlineLookups
    let services: [any Service]

    /// The router and the inline answers, as the tests share them.
    var routerAndLookups: (Router<CityRequestContext>, InlineLookups) { (router, lookups) }
}

/// Builds the routes over `store` (see ``CityRoutes``).
func buildRoutes(
    store: any CityStore, configuration: ServerConfiguration, logger: Logger, serverName: String?
) async throws -> CityRoutes {
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
    try OpenAPIController.load(access: configuration.access).register(on: router)
    let v1 = router.group("v1")
    let grids = GridLocator.versioned(store: store, checkInterval: configuration.indexRefreshInterval)
    try await grids.prime()
    LayerController(store: store, maximumFeatures: configuration.maximumFeaturesPerRequest, grids: grids).register(on: v1)
    let ogcFeatures = OGCFeaturesController(store: store, maximumFeatures: configuration.maximumFeaturesPerRequest, grids: grids)
    ogcFeatures.register(on: router)
    let families = PolygonFamilies(store: store, checkInterval: configuration.indexRefreshInterval)
    let gridController = GridController(
        grids: grids, families: families,
        census: GridQualityReport.versioned(store: store, checkInterval: configuration.indexRefreshInterval),
        maximumBatchPoints: configuration.maximumBatchPoints,
        maximumBodyBytes: configuration.maximumBodyBytes)
    gridController.register(on: v1)
    let joins = JoinController(
        grids: grids, points: PointLayers(store: store, checkInterval: configuration.indexRefreshInterval, locator: grids),
        maximumBodyBytes: configuration.maximumBodyBytes, maximumGeometryVertices: configuration.maximumGeometryVertices)
    joins.register(on: v1)
    let divisions = try configuration.resolvedDivisionList.map { try AdminDivisions.load(from: $0) } ?? AdminDivisions([])
    let regionTree = RegionTree.versioned(
        store: store, divisions: divisions.regionTreeDivisions, checkInterval: configuration.indexRefreshInterval)
    RegionController(store: store, tree: regionTree, families: families, maximumBodyBytes: configuration.maximumBodyBytes).register(on: v1)
    StatisticsController(
        tree: regionTree, points: joins.points, families: families, maximumBodyBytes: configuration.maximumBodyBytes,
        maximumGeometryVertices: configuration.maximumGeometryVertices
    ).register(on: v1)
    SamplingController(store: store, maximumBodyBytes: configuration.maximumBodyBytes).register(on: v1)
    let analysisLayers = AnalysisLayers(store: store, checkInterval: configuration.indexRefreshInterval)
    AnalysisController(
        grids: grids, layers: analysisLayers, limits: AnalysisLimits(), maximumBodyBytes: configuration.maximumBodyBytes,
        maximumGeometryVertices: configuration.maximumGeometryVertices, maximumFeatures: configuration.maximumFeaturesPerRequest
    ).register(on: v1)
    RouteController(layers: analysisLayers, limits: AnalysisLimits()).register(on: v1)
    let pinyin = try configuration.resolvedPinyinTable.map { try PinyinTable.load(from: $0) } ?? PinyinTable()
    let addresses = LayerVersionedValue(
        store: store, layerNames: AddressServices.layerNames, checkInterval: configuration.indexRefreshInterval
    ) { [options = configuration.geocoderOptions] store in
        try await AddressServices.load(from: store, divisions: divisions, pinyin: pinyin, options: options)
    }
    try await addresses.prime()
    GeocodeController(
        services: addresses, grids: grids, maximumBodyBytes: configuration.maximumBodyBytes, maximumBatchAddresses: configuration.maximumBatchAddresses
    ).register(on: v1)
    // A store that pushes its changes serves a cluster: fence states are locked per batch in the database, events
    // reach every server through the feed, webhooks go through the store's outbox.
    let feed = try await store.changes()
    let mode: FenceMonitor.Mode =
        feed == nil
        ? .singleProcess
        : .cluster(
            ClusterSettings(
                store: store, webhookURLs: configuration.fenceWebhooks, webhookBody: FenceController.webhookBody, eventsArriveByFeed: true))
    let fences = try await FenceMonitor(
        store: store, settings: configuration.fenceRules, checkInterval: configuration.indexRefreshInterval, mode: mode)
    OperationsController(
        store: store, metrics: metrics, readinessChecks: ["database": { _ = try await store.describe() }],
        eventSubscriptions: { await fences.subscriptionCount }
    ).register(on: router)
    TrajectoryController(
        store: store, monitor: fences, maximumBodyBytes: configuration.maximumBodyBytes,
        maximumGeometryVertices: configuration.maximumGeometryVertices
    ).register(on: v1)
    var services: [any Service] = []
    if feed == nil, !configuration.fenceWebhooks.isEmpty {
        let dispatcher = WebhookDispatcher(urls: configuration.fenceWebhooks)
        let events = await fences.subscribe()
        // Delivery runs beside the request path: a slow receiver never delays position ingest.
        Task { await forwardEvents(events, to: dispatcher) }
    } else if feed != nil, !configuration.fenceWebhooks.isEmpty {
        services.append(OutboxDispatcher(outbox: store, owner: ProcessInfo.processInfo.hostName + ":\(ProcessInfo.processInfo.processIdentifier)"))
    }
    FenceController(
        monitor: fences, grids: grids, maximumBodyBytes: configuration.maximumBodyBytes,
        maximumBatchPositions: configuration.maximumBatchPoints, maximumGeometryVertices: configuration.maximumGeometryVertices,
        streamHeartbeat: configuration.streamHeartbeat
    ).register(on: v1)
    let fenceTiles = FenceTileSource(monitor: fences)
    let tiles = TileService(store: store, configuration: configuration.tiles, renderExecutor: ComputePool.shared.executor) { id async throws(GeoError) in
        try await ComputedTileSources.resolve(id, fences: fenceTiles, store: store)
    }
    await tiles.start()
    TileController(service: tiles, cacheControl: configuration.tileCacheControl).register(on: router)
    OGCTilesController(service: tiles).register(on: router)
    // What a layer change invalidates: the indexes built from it and its tile snapshots. A change written through
    // this server applies at once; one written elsewhere arrives through the store's feed (below) or is noticed by
    // each cache's version check.
    let layerChanged: @Sendable (String) -> Void = { name in
        if GridLocator.sourceLayers.contains(name) { grids.invalidate() }
        if AddressServices.layerNames.contains(name) { addresses.invalidate() }
        if [GridLocator.layerNames.unitGrids, GridLocator.layerNames.communities].contains(name) { gridController.census.invalidate() }
        joins.points.invalidate(layer: name)
        families.invalidate(layer: name)
        // The tree's layers include the families its registry names: its check rebuilds only when one moved.
        regionTree.invalidate()
        analysisLayers.invalidate(layer: name)
        tiles.snapshots.invalidate(name)
    }
    OGCItemController(
        store: store, editableLayers: configuration.editableLayers, maximumBodyBytes: configuration.maximumBodyBytes,
        maximumGeometryVertices: configuration.maximumGeometryVertices, grids: grids, layerChanged: layerChanged
    ).register(on: router)
    MapPageController(vendorDirectory: configuration.resolvedWebAssets, landingPage: ogcFeatures.landingPage).register(on: router)
    if let feed {
        let followers: [StoreChangeListener.Follower] = [
            { change in
                guard case .layer(let name) = change else { return }
                layerChanged(name)
            },
            { change in if case .keys = change { access.keys.invalidate() } },
            { change in try? await fences.apply(change) },
        ]
        services.append(StoreChangeListener(feed: feed, followers: followers, logger: logger))
    }
    return CityRoutes(
        router: router, lookups: InlineLookups(services: addresses, access: access, metrics: metrics, logger: logger, serverName: serverName),
        services: services)
}

/// Posts each fence event of `events` to the webhooks, in order, as the JSON body `/v1/events` uses.
private func forwardEvents(_ events: AsyncStream<FenceEvent>, to dispatcher: WebhookDispatcher) async {
    for await event in events {
        let text: String = (try? JSON.encode(FenceController.describe(event))) ?? "{}"
        await dispatcher.deliver([(id: event.id, body: Array(text.utf8))])
    }
}
