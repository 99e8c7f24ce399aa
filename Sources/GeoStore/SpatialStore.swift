import Foundation
import GeoCore
import GeoCrypto
import Synchronization
internal import GRDB
internal import GRDBSQLite

/// A SpatiaLite database of layers: the durable truth of the city's geodata.
///
/// On a file it is a GRDB `DatabasePool` in WAL mode, so reads run concurrently with each other and with the
/// single writer. `mod_spatialite` is loaded on every connection the pool opens (readers included), because
/// SQLite extensions are per connection: a reader without it would fail on the first `AsBinary`.
///
/// All methods are `async` and throw ``GeoError`` only; no database type appears in the public API.
public final class SpatialStore: FeatureStore {
    /// The database file, or nil for an in-memory store.
    public let path: String?
    /// The GRDB writer (a pool for files, a queue in memory). Internal so that no GRDB type leaks out.
    let writer: any DatabaseWriter
    /// A directory created by ``temporary()`` and removed with the store.
    private let temporaryDirectory: URL?
    /// The data keys that seal and open sensitive columns (``SensitiveColumnStore``); nil when none is configured.
    public let dataKeys: DataKeyRing?

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    ///
    /// Throws `spatialite_missing` when `mod_spatialite` cannot be loaded, `database_error` when the file
    /// cannot be opened or migrated.
    public convenience init(path: String, dataKeys: DataKeyRing? = nil) throws(GeoError) {
        try self.init(path: path, spatialiteModule: "mod_spatialite", temporaryDirectory: nil, dataKeys: dataKeys)
    }

    /// A store on a fresh file in a new temporary directory, removed when the store is released, or when the
    /// process exits normally if it never is (a store kept for a whole test run).
    /// Behaves exactly like a file store (WAL, a pool of readers); meant for tests and scratch work.
    public static func temporary(dataKeys: DataKeyRing? = nil) throws(GeoError) -> SpatialStore {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("citygeo-store-\(UUID().uuidString)", isDirectory: true)
        TemporaryStoreDirectories.register(directory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw GeoError(
                code: .databaseError, message: "cannot create temporary directory \(directory.path)",
                underlying: "\(error)")
        }
        return try SpatialStore(
            path: directory.appendingPathComponent("store.sqlite").path, spatialiteModule: "mod_spatialite",
            temporaryDirectory: directory, dataKeys: dataKeys)
    }

    /// A store in memory on a single connection: no file, no concurrent reads. For quick scratch work.
    public static func inMemory() throws(GeoError) -> SpatialStore {
        try SpatialStore(path: nil, spatialiteModule: "mod_spatialite", temporaryDirectory: nil)
    }

    /// The designated initialiser. `spatialiteModule` is a parameter so that tests can prove the
    /// `spatialite_missing` error without uninstalling the package.
    init(path: String?, spatialiteModule: String, temporaryDirectory: URL?, dataKeys: DataKeyRing? = nil) throws(GeoError) {
        self.path = path
        self.temporaryDirectory = temporaryDirectory
        self.dataKeys = dataKeys
        var configuration = Configuration()
        // Another process (the CLI importing while the server runs) may hold the write lock for a while.
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try SpatialStore.loadSpatialite(into: db, module: spatialiteModule)
        }
        do {
            if let path {
                writer = try DatabasePool(path: path, configuration: configuration)
            } else {
                writer = try DatabaseQueue(configuration: configuration)
            }
            try StoreMigrations.migrator.migrate(writer)
        } catch {
            if let temporaryDirectory { try? FileManager.default.removeItem(at: temporaryDirectory) }
            throw GeoError.store(error, "cannot open the spatial database at \(path ?? ":memory:")")
        }
    }

    deinit {
        if let temporaryDirectory {
            try? FileManager.default.removeItem(at: temporaryDirectory)
            TemporaryStoreDirectories.forget(temporaryDirectory)
        }
    }

    /// Loads SpatiaLite into one connection. Extension loading is switched on only for the duration of the
    /// call, so that SQL run later on this connection can never load a library of its choosing.
    static func loadSpatialite(into db: Database, module: String) throws {
        guard let connection = db.sqliteConnection else {
            throw GeoError(code: .databaseError, message: "the SQLite connection is closed")
        }
        let enabled = sqlite3_enable_load_extension(connection, 1)
        guard enabled == SQLITE_OK else {
            throw GeoError(
                code: .spatialiteMissing,
                message: "this SQLite build cannot load extensions (sqlite3_enable_load_extension returned \(enabled)); "
                    + "mod_spatialite from the Debian package libsqlite3-mod-spatialite is required")
        }
        defer { sqlite3_enable_load_extension(connection, 0) }
        do {
            try db.execute(sql: "SELECT load_extension(?)", arguments: [module])
        } catch let error as DatabaseError {
            throw GeoError(
                code: .spatialiteMissing,
                message: "cannot load the SQLite extension \(module): install the Debian package "
                    + "libsqlite3-mod-spatialite (apt-get install libsqlite3-mod-spatialite)",
                underlying: error.message)
        }
    }

    /// The version of the SpatiaLite library loaded into the database connections, e.g. "5.0.1".
    public func spatialiteVersion() async throws(GeoError) -> String {
        try await read { db in try String.fetchOne(db, sql: "SELECT spatialite_version()") ?? "" }
    }

    // MARK: database access with GeoError

    /// Runs `body` on a reader connection, turning every error into a ``GeoError``.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(GeoError) -> T {
        do {
            return try await writer.read(body)
        } catch {
            throw GeoError.store(error, "database read failed")
        }
    }

    /// Runs `body` in one write transaction (rolled back if it throws), turning every error into a ``GeoError``.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(GeoError) -> T {
        do {
            return try await writer.write(body)
        } catch {
            throw GeoError.store(error, "database write failed")
        }
    }
}

extension GeoError {
    /// `error` as a GeoError: unchanged if it already is one, else wrapped with `context` as the message.
    static func store(_ error: any Error, _ context: String) -> GeoError {
        if let error = error as? GeoError { return error }
        if let error = error as? DatabaseError {
            return GeoError(code: .databaseError, message: context, underlying: error.message ?? "\(error)")
        }
        if error is CancellationError {
            return GeoError(code: .cancelled, message: "\(context): the task was cancelled")
        }
        return GeoError(code: .databaseError, message: context, underlying: "\(error)")
    }
}

/// The folders of temporary stores still alive, removed at a normal exit: a store held in a static (routes shared by
/// a test suite) is never released, and its folder (tens of MB) would otherwise stay in the temporary directory.
enum TemporaryStoreDirectories {
    private static let alive = Mutex<Set<URL>>([])
    private static let exitHandlerInstalled = Mutex(false)

    static func register(_ directory: URL) {
        alive.withLock { _ = $0.insert(directory) }
        exitHandlerInstalled.withLock { installed in
            guard !installed else { return }
            installed = true
            atexit { TemporaryStoreDirectories.removeAll() }
        }
    }

    static func forget(_ directory: URL) {
        alive.withLock { _ = $0.remove(directory) }
    }

    static func removeAll() {
        for directory in alive.withLock({ $0 }) { try? FileManager.default.removeItem(at: directory) }
    }
}
