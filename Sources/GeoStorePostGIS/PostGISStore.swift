import Foundation
import GeoCore
import GeoCrypto
import GeoStore
import Logging
internal import PostgresNIO
import Synchronization

/// The city's store on PostgreSQL with PostGIS: the same protocols as ``SpatialStore`` (``CityStore``), for cities and
/// provinces that outgrow one machine and for several `citygeo serve` processes over one database.
///
/// It owns a `PostgresClient` (a pool of connections, at most ``Options/maximumConnections``) whose `run()` runs
/// in a task of its own for the store's lifetime; ``close()`` ends it (and any change feed), as releasing the store
/// does. Opening brings the schema up to date (``PostGISMigrations``). Every method throws ``GeoError`` only, with
/// the same codes and locations as ``SpatialStore`` for the same bad input; no PostgreSQL type appears in the API.
///
/// The schema, the partitioning of tracks by day, the indexes and the change notifications are described in
/// docs/scaling.md ("PostGIS backend").
public final class PostGISStore: Sendable {
    /// How the store uses its server.
    @MemberwiseInit
    public struct Options: Hashable, Sendable {
        /// Connections the pool may open (the change feed takes one more per subscriber).
        public var maximumConnections: Int = 16
        /// How long opening waits for the server.
        public var connectTimeout: Duration = .seconds(10)
    }

    /// The server and database, without secrets in its description.
    public let location: PostGISLocation
    /// The SM4 data keys sealing sensitive columns (``SensitiveColumnStore``); nil when none are configured.
    public let dataKeys: DataKeyRing?
    let options: Options
    let client: PostgresClient
    let logger: Logger
    /// Runs `client.run()`: cancelling it closes the pool.
    private let clientTask: Task<Void, Never>
    /// The change feeds' listener tasks, cancelled by ``close()``.
    let listeners = Mutex<[UUID: Task<Void, Never>]>([:])
    /// For a store made by ``temporary(server:options:)``: the server's maintenance database, from which its own
    /// database is dropped on ``close()``.
    private let dropsDatabaseFrom: PostGISLocation?

    private init(location: PostGISLocation, options: Options, dataKeys: DataKeyRing?, dropsDatabaseFrom: PostGISLocation?) {
        self.location = location
        self.dataKeys = dataKeys
        self.options = options
        self.dropsDatabaseFrom = dropsDatabaseFrom
        logger = Logger(label: "citygeo.postgis")
        var configuration = PostGISConnections.clientConfiguration(location)
        configuration.options.maximumConnections = options.maximumConnections
        configuration.options.connectTimeout = options.connectTimeout
        let client = PostgresClient(configuration: configuration)
        self.client = client
        clientTask = Task { await client.run() }
    }

    deinit {
        clientTask.cancel()
        for task in listeners.withLock({ $0.values }) { task.cancel() }
    }

    /// Connects to the database `url` names (see ``PostGISLocation``) and brings its schema up to date; `dataKeys`
    /// seal the sensitive columns. Throws `invalid_configuration` for a malformed URL, `database_error` when the
    /// server cannot be reached or the schema cannot be migrated (PostGIS must be installable there:
    /// `CREATE EXTENSION postgis`).
    public static func open(url: String, options: Options = Options(), dataKeys: DataKeyRing? = nil) async throws(GeoError) -> PostGISStore {
        try await open(try PostGISLocation(url: url), options: options, dataKeys: dataKeys)
    }

    /// Connects to `location` and brings its schema up to date; see ``open(url:options:dataKeys:)``.
    public static func open(
        _ location: PostGISLocation, options: Options = Options(), dataKeys: DataKeyRing? = nil
    ) async throws(GeoError) -> PostGISStore {
        try await open(location, options: options, dataKeys: dataKeys, dropsDatabaseFrom: nil)
    }

    private static func open(
        _ location: PostGISLocation, options: Options, dataKeys: DataKeyRing?, dropsDatabaseFrom: PostGISLocation?
    ) async throws(GeoError) -> PostGISStore {
        let store = PostGISStore(location: location, options: options, dataKeys: dataKeys, dropsDatabaseFrom: dropsDatabaseFrom)
        do {
            // Migrations run on a connection of their own: it fails at once, with the reason, when the server is
            // not there, where the pool would keep retrying.
            try await PostGISConnections.withConnection(to: location, timeout: options.connectTimeout, logger: store.logger) {
                connection in try await PostGISMigrations.migrate(connection, logger: store.logger)
            }
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// A store in a new, empty database on the server `url` names (its maintenance database, e.g. `postgres`),
    /// dropped again by ``close()``: what ``SpatialStore/temporary()`` is to SpatiaLite, for tests and scratch work.
    /// The database is copied from a template holding PostGIS (`citygeo_scratch_template`, made on first use), which
    /// is several times faster than installing the extension into each.
    public static func temporary(
        server url: String, options: Options = Options(maximumConnections: 4), dataKeys: DataKeyRing? = nil
    ) async throws(GeoError) -> PostGISStore {
        let server = try PostGISLocation(url: url)
        let name = "citygeo_scratch_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await PostGISScratchDatabases.create(name, on: server, logger: Logger(label: "citygeo.postgis"))
        return try await open(server.with(database: name), options: options, dataKeys: dataKeys, dropsDatabaseFrom: server)
    }

    /// Closes the pool and every change feed (their streams finish), then, for a temporary store, drops its
    /// database. The store cannot be used afterwards.
    public func close() async {
        let running = listeners.withLock { tasks in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in running {
            task.cancel()
            await task.value
        }
        clientTask.cancel()
        await clientTask.value
        if let server = dropsDatabaseFrom {
            try? await PostGISScratchDatabases.drop(location.database, on: server, logger: logger)
        }
    }

    // MARK: running SQL with GeoError

    /// Runs `body` on a pooled connection, turning every error into a ``GeoError`` (`context` as its message).
    @discardableResult
    func withConnection<T: Sendable>(
        _ context: String, _ body: (PostgresConnection) async throws -> T
    ) async throws(GeoError) -> T {
        do {
            return try await client.withConnection { connection in try await body(connection) }
        } catch {
            throw PostGISErrors.geoError(error, context)
        }
    }

    /// Runs `body` in one transaction on a pooled connection (rolled back if it throws), turning every error into a
    /// ``GeoError``.
    @discardableResult
    func transaction<T: Sendable>(
        _ context: String, _ body: (PostgresConnection) async throws -> T
    ) async throws(GeoError) -> T {
        do {
            return try await transactionPassingErrors(body)
        } catch {
            throw PostGISErrors.geoError(error, context)
        }
    }

    /// One transaction whose body's own errors reach the caller as thrown (the rollback's are dropped: the
    /// connection is then closed by the pool, which discards the transaction too).
    func transactionPassingErrors<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.run("BEGIN", logger: logger)
            do {
                let value = try await body(connection)
                try await connection.run("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.run("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}

extension PostGISStore: CityStore {
    /// `postgis`, `PostGIS_Lib_Version()` and `host:port/database` (never the user or password).
    public func describe() async throws(GeoError) -> StoreDescription {
        let version = try await withConnection("cannot read the PostGIS version") { connection in
            try await connection.query("SELECT PostGIS_Lib_Version()", logger: logger).collect().first?.decode(String.self) ?? ""
        }
        return StoreDescription(backend: "postgis", version: version, location: location.description)
    }
}

/// Connections outside the pool: migrations, the change feed's listener, scratch databases.
enum PostGISConnections {
    static func clientConfiguration(_ location: PostGISLocation) -> PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls(location.tls))
    }

    static func connectionConfiguration(_ location: PostGISLocation, applicationName: String) throws -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: try connectionTLS(location.tls))
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        return configuration
    }

    static func tls(_ mode: PostGISLocation.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(unverifiedTLS())
        case .require: .require(unverifiedTLS())
        }
    }

    static func connectionTLS(_ mode: PostGISLocation.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: unverifiedTLS()))
        case .require: .require(try NIOSSLContext(configuration: unverifiedTLS()))
        }
    }

    /// libpq's `prefer` and `require` encrypt without verifying the server's certificate; so do these.
    private static func unverifiedTLS() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }

    private static let nextID = Atomic<Int>(1)

    /// Opens one connection to `location` (`database_error` naming the server when it cannot), runs `body` on it
    /// and closes it.
    @discardableResult
    static func withConnection<T: Sendable>(
        to location: PostGISLocation, applicationName: String = "citygeo", timeout: Duration = .seconds(10), logger: Logger,
        _ body: (PostgresConnection) async throws -> T
    ) async throws(GeoError) -> T {
        let connection = try await connect(to: location, applicationName: applicationName, timeout: timeout, logger: logger)
        do {
            let value = try await body(connection)
            try? await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw PostGISErrors.geoError(error, "PostgreSQL at \(location) failed")
        }
    }

    static func connect(
        to location: PostGISLocation, applicationName: String, timeout: Duration = .seconds(10), logger: Logger
    ) async throws(GeoError) -> PostgresConnection {
        do {
            var configuration = try connectionConfiguration(location, applicationName: applicationName)
            configuration.options.connectTimeout = .init(timeout)
            return try await PostgresConnection.connect(
                configuration: configuration, id: nextID.add(1, ordering: .relaxed).newValue, logger: logger)
        } catch {
            let reason = PostGISErrors.geoError(error, "").underlying ?? "\(error)"
            throw GeoError(
                code: .databaseError, message: "cannot connect to PostgreSQL at \(location) as \(location.user)", underlying: reason)
        }
    }
}

/// Databases made for tests and scratch work by ``PostGISStore/temporary(server:options:)``.
enum PostGISScratchDatabases {
    static let template = "citygeo_scratch_template"

    static func create(_ name: String, on server: PostGISLocation, logger: Logger) async throws(GeoError) {
        try await PostGISConnections.withConnection(to: server, logger: logger) { connection in
            for attempt in 0..<100 {
                do {
                    try await connection.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"), logger: logger)
                    return
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "3D000" {
                    // No template yet: one caller makes it while the others wait on the same advisory lock.
                    try await makeTemplate(connection, server: server, logger: logger)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55006" && attempt < 99 {
                    // The template is being made or copied by another connection at this instant.
                    try await Task.sleep(for: .milliseconds(20 + attempt * 5))
                }
            }
        }
    }

    private static func makeTemplate(_ connection: PostgresConnection, server: PostGISLocation, logger: Logger) async throws {
        try await connection.run("SELECT pg_advisory_lock(hashtext('citygeo_scratch_template'))", logger: logger)
        do {
            let exists = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(template)", logger: logger).collect()
            if exists.isEmpty {
                try await connection.run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(template)"), logger: logger)
                try await PostGISConnections.withConnection(to: server.with(database: template), logger: logger) { inside in
                    try await inside.run("CREATE EXTENSION IF NOT EXISTS postgis", logger: logger)
                }
            }
        } catch {
            _ = try? await connection.run("SELECT pg_advisory_unlock(hashtext('citygeo_scratch_template'))", logger: logger)
            throw error
        }
        try await connection.run("SELECT pg_advisory_unlock(hashtext('citygeo_scratch_template'))", logger: logger)
    }

    static func drop(_ name: String, on server: PostGISLocation, logger: Logger) async throws(GeoError) {
        try await PostGISConnections.withConnection(to: server, logger: logger) { connection in
            try await connection.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(PostGISSnapshots.quoted(name)) WITH (FORCE)"), logger: logger)
        }
    }
}

/// PostgreSQL's errors as ``GeoError``s.
enum PostGISErrors {
    /// `error` as a GeoError: unchanged if it is one, `cancelled` for a cancelled task or query, else
    /// `database_error` with `context` as the message and the server's SQLSTATE and message as the cause.
    static func geoError(_ error: any Error, _ context: String) -> GeoError {
        if let error = error as? GeoError { return error }
        if error is CancellationError {
            return GeoError(code: .cancelled, message: "\(context): the task was cancelled")
        }
        guard let error = error as? PSQLError else {
            return GeoError(code: .databaseError, message: context, underlying: "\(error)")
        }
        if error.code == .queryCancelled || sqlState(error) == "57014" {
            return GeoError(code: .cancelled, message: "\(context): the query was cancelled")
        }
        return GeoError(code: .databaseError, message: context, underlying: cause(error))
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The server's SQLSTATE and message, or the client's reason (a refused connection, a closed socket).
    static func cause(_ error: PSQLError) -> String {
        if let info = error.serverInfo, let message = info[.message] {
            return "\(info[.sqlState] ?? "?????"): \(message)" + (info[.detail].map { " (\($0))" } ?? "")
        }
        return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
    }
}

extension PostgresConnection {
    /// Runs a statement whose rows are not wanted and waits for its end. `query` returns as soon as the rows'
    /// description arrives, so an error raised later by the statement (a function's exception, a constraint) would
    /// reach only a consumer of the rows: left unread, it is lost and surfaces as "current transaction is aborted"
    /// on the next statement, or not at all when the next is COMMIT (which then rolls back silently).
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
