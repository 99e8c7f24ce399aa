import Foundation
import GeoAddress
import GeoCore
import GeoCrypto
import GeoFences
import GeoStore
import GeoTiles

/// Everything `citygeo serve` and the tests configure about the server.
public struct ServerConfiguration: Sendable {
    /// Interface to listen on.
    public var host: String
    /// TCP port; 0 lets the system pick one (tests).
    public var port: Int
    /// The SpatiaLite database file; created on first start. nil uses a temporary database (tests).
    public var databasePath: String?
    /// The folder holding GridData/ and AddressBooks/: where the division list, the pinyin table and the map
    /// page's assets are found when not configured one by one. (`citygeo serve` also imports the demo city from
    /// it into an empty database, before building the application.)
    public var demoDataRoot: URL?
    /// Largest request body accepted, in bytes (413 beyond).
    public var maximumBodyBytes: Int
    /// Largest number of features one /v1/layers/{name}/features request returns.
    public var maximumFeaturesPerRequest: Int
    /// Largest number of points in one batch request (/v1/locate/batch).
    public var maximumBatchPoints: Int
    /// How often the in-memory grid index checks whether its layers changed in the store.
    public var indexRefreshInterval: Duration
    /// China's division list (`level,code,parent_code,name` CSV) for admin-level parsing of addresses; when
    /// nil, `AddressBooks/national/divisions.csv` under `demoDataRoot` is used if present.
    public var divisionListPath: URL?
    /// Toneless Mandarin readings of hanzi (``PinyinTable``) for matching names written with homophones; when
    /// nil, `AddressBooks/national/pinyin.txt` under `demoDataRoot` is used if present, else homophones are off.
    public var pinyinTablePath: URL?
    /// How forward geocoding weighs what the address book may not hold (``GeocoderOptions``): set
    /// `bookHasEveryRoad` where the book is the city's complete road register.
    public var geocoderOptions = GeocoderOptions()
    /// Largest number of addresses in one /v1/geocode/batch request.
    public var maximumBatchAddresses: Int
    /// Thresholds of the fence rules (hysteresis, over-speed time, dumping stop, reorder window).
    public var fenceRules: FenceRuleSettings
    /// URLs every fence event is POSTed to (JSON, retried with backoff); empty for none.
    public var fenceWebhooks: [URL]
    /// Vector tiles: tile options, per-layer zoom ranges and attributes, the tile cache's byte budget. The server
    /// trusts a layer's version for a second (like the grid and address indexes) so that a cached tile costs no
    /// database read; a layer change shows within that second.
    public var tiles: TileServiceConfiguration
    /// The default tile settings: components (部件, thousands of points a few metres apart) from zoom 16 only,
    /// every other layer at zooms 0…16.
    public static let defaultTiles = TileServiceConfiguration(
        layers: ["components": StoreLayerSourceOptions(minzoom: 16, maxzoom: 16)], versionCheckInterval: .seconds(1))
    /// `Cache-Control` sent with tiles and TileJSON; short, because layers change while the server runs.
    public var tileCacheControl: String
    /// Folder holding maplibre-gl.js and maplibre-gl.css for the map page (tools/install-web.sh fills
    /// `web/vendor/`); nil uses `web/vendor` under `demoDataRoot`.
    public var webAssetsDirectory: URL?
    /// API keys, scopes, public scopes and rate limits; open by default (see ``AccessPolicy``).
    public var access: AccessPolicy
    /// Most vertices a geometry in a request may have (fences, polygons, planned routes, WKT); 422 beyond.
    public var maximumGeometryVertices: Int
    /// Longest a request may run before it is stopped with 503 `timeout`.
    public var requestTimeout: Duration
    /// How long an idle keep-alive connection stays open, and how long a client may take to send a request.
    public var idleTimeout: Duration
    /// Run Swift concurrency's jobs on SwiftNIO's event loops (`citygeo serve` only: a process-wide setting).
    /// Handlers then answer on the thread that read the request, without a hop to another pool and back:
    /// on the 2-core benchmark machine forward geocoding went from 10,500 to 16,700 requests/s at 100
    /// connections and p99 from 24 to 15 ms.
    public var eventLoopExecutor = true
    /// Answer `GET /v1/geocode` and `/v1/reverse` on the connection's event loop, without the router, when the
    /// router would answer 200 (``InlineLookupChannel``). Off by default: it saves about 0.5 ms at p50 with
    /// clients pausing between requests and nothing at saturation, and it is a second request path to keep
    /// equal to the router's (a test compares every header and byte).
    public var inlineLookups = false
    /// How often `/v1/events/stream` sends a heartbeat comment: keeps proxies from closing quiet streams and notices
    /// a client that went away within about two intervals.
    public var streamHeartbeat: Duration = .seconds(15)
    /// After SIGTERM: the longest the server takes to stop (streams end at once, requests in flight finish or are
    /// cancelled, then the process exits).
    public var shutdownDeadline: Duration = .seconds(10)
    /// TLS on the server itself: certificate chain and private key files (PEM); nil serves plain HTTP.
    public var tls: TLSFiles?
    /// With TLS: a plain-HTTP port answering every request with a redirect to HTTPS; nil for none.
    public var httpRedirectPort: Int?
    /// The data keys sealing sensitive columns and backups (``DataKeyRing``); nil when none is configured.
    public var dataKeys: DataKeyRing?
    /// Where `citygeo backup` writes, what a core backup holds, when each kind is due and how many are kept.
    public var backup: BackupPolicy?
    /// The layers clients may edit one feature at a time through OGC API - Features Part 4 (`POST`, `PUT` and
    /// `DELETE` on `/ogc/collections/{layer}/items`, `admin` scope): those a city keeps by hand. Other layers are
    /// imported whole (`citygeo import`) and refuse item writes with 405.
    public var editableLayers: Set<String> = ["sample_points", "frontage_zones"]

    public init(
        host: String = "127.0.0.1", port: Int = 8080, databasePath: String? = "data/citygeo.sqlite",
        demoDataRoot: URL? = nil, maximumBodyBytes: Int = 64 << 20, maximumFeaturesPerRequest: Int = 10_000,
        maximumBatchPoints: Int = 1_000_000, indexRefreshInterval: Duration = .seconds(1), divisionListPath: URL? = nil, pinyinTablePath: URL? = nil,
        maximumBatchAddresses: Int = 100_000, fenceRules: FenceRuleSettings = .init(),
        tiles: TileServiceConfiguration = ServerConfiguration.defaultTiles, tileCacheControl: String = "public, max-age=60",
        webAssetsDirectory: URL? = nil, fenceWebhooks: [URL] = [], access: AccessPolicy = .init(),
        maximumGeometryVertices: Int = 100_000, requestTimeout: Duration = .seconds(60), idleTimeout: Duration = .seconds(60)
    ) {
        self.access = access
        self.maximumGeometryVertices = maximumGeometryVertices
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.fenceRules = fenceRules
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.demoDataRoot = demoDataRoot
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumFeaturesPerRequest = maximumFeaturesPerRequest
        self.maximumBatchPoints = maximumBatchPoints
        self.indexRefreshInterval = indexRefreshInterval
        self.divisionListPath = divisionListPath
        self.pinyinTablePath = pinyinTablePath
        self.maximumBatchAddresses = maximumBatchAddresses
        self.tiles = tiles
        self.tileCacheControl = tileCacheControl
        self.webAssetsDirectory = webAssetsDirectory
        self.fenceWebhooks = fenceWebhooks
    }

    /// The map page's asset folder: the configured one, else `web/vendor` under the demo data.
    var resolvedWebAssets: URL? { webAssetsDirectory ?? demoDataRoot?.appendingPathComponent("web/vendor") }

    /// The division list to load: the configured one, else the demo data's, else none.
    var resolvedDivisionList: URL? { divisionListPath ?? demoDataFile("AddressBooks/national/divisions.csv") }

    /// The pinyin table to load: the configured one, else the demo data's, else none (no homophones).
    var resolvedPinyinTable: URL? { pinyinTablePath ?? demoDataFile("AddressBooks/national/pinyin.txt") }

    /// A file of the demo data, if there is demo data and the file is there.
    private func demoDataFile(_ relativePath: String) -> URL? {
        guard let url = demoDataRoot?.appendingPathComponent(relativePath) else { return nil }
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}

/// The PEM files of the server's TLS certificate chain and private key.
@MemberwiseInit
public struct TLSFiles: Sendable, Hashable {
    public var certificateChain: String
    public var privateKey: String
}
