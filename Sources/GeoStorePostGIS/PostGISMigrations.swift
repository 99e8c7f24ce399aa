import GeoCore
import Logging
internal import PostgresNIO

/// The PostGIS store's schema, as named migrations applied in order, each once, recorded in `schema_migrations`
/// (as GRDB records SpatiaLite's in `grdb_migrations`). All pending migrations run in one transaction under an
/// advisory lock, so that replicas started together migrate once. Never edit a shipped migration: add a new one.
///
/// Text keys that answers are sorted by are `COLLATE "C"` (byte order, as SQLite compares), whatever the
/// database's locale, so both backends list layers, fences, events and vehicles in the same order.
enum PostGISMigrations {
    /// The channel of the change feed (``PostGISStore/changes()``).
    static let channel = "citygeo_changes"

    /// Each migration's statements, one per query (the extended protocol runs one statement at a time).
    static let migrations: [(name: String, statements: [String])] = [
        ("v1_postgis", [
            "CREATE EXTENSION IF NOT EXISTS postgis",
            // One notification per committed change; identical payloads of one transaction arrive once.
            """
            CREATE FUNCTION citygeo_notify_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_TABLE_NAME = 'geo_layers' THEN
                    PERFORM pg_notify('\(channel)', 'layer:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.name ELSE NEW.name END);
                ELSIF TG_TABLE_NAME = 'fence_definitions' THEN
                    -- The fence's id, so followers read that one fence (ids too long for a payload: all of them).
                    IF octet_length(CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END) > 7000 THEN
                        PERFORM pg_notify('\(channel)', 'fences');
                    ELSE
                        PERFORM pg_notify('\(channel)', 'fence:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
                    END IF;
                ELSE
                    PERFORM pg_notify('\(channel)', 'keys');
                END IF;
                RETURN NULL;
            END $$
            """,
        ]),
        ("v2_layer_catalog", [
            """
            CREATE TABLE geo_layers (
                name text COLLATE "C" PRIMARY KEY,
                title text,
                -- GeoJSON type name (Point, Polygon, ...) or Geometry for any type.
                geometry_type text NOT NULL,
                srid integer NOT NULL DEFAULT 4490,
                -- JSON array of {"name": ..., "type": "integer|real|text|boolean|json"}.
                attribute_schema text NOT NULL DEFAULT '[]',
                feature_count bigint NOT NULL DEFAULT 0,
                min_x float8, min_y float8, max_x float8, max_y float8,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                version bigint NOT NULL
            )
            """,
            // The last version handed out per layer name: outlives the layer, so a version is never reused.
            "CREATE TABLE geo_layer_versions (name text COLLATE \"C\" PRIMARY KEY, last_version bigint NOT NULL)",
            """
            CREATE TRIGGER geo_layers_notify AFTER INSERT OR UPDATE OR DELETE ON geo_layers
                FOR EACH ROW EXECUTE FUNCTION citygeo_notify_row()
            """,
        ]),
        ("v3_fences", [
            """
            CREATE TABLE fence_definitions (
                id text COLLATE "C" PRIMARY KEY,
                kind text NOT NULL,
                role text,
                version bigint NOT NULL,
                min_x float8, min_y float8, max_x float8, max_y float8,
                body text NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            """
            CREATE TRIGGER fence_definitions_notify AFTER INSERT OR UPDATE OR DELETE ON fence_definitions
                FOR EACH ROW EXECUTE FUNCTION citygeo_notify_row()
            """,
            """
            CREATE TABLE fence_events (
                id text COLLATE "C" PRIMARY KEY,
                vehicle_id text COLLATE "C" NOT NULL,
                kind text COLLATE "C" NOT NULL,
                fence_id text COLLATE "C",
                start_time float8 NOT NULL,
                end_time float8,
                body text NOT NULL,
                -- when the row was last written: a change feed that reconnects re-announces what changed meanwhile
                changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
            )
            """,
            "CREATE INDEX fence_events_vehicle ON fence_events (vehicle_id, start_time)",
            "CREATE INDEX fence_events_fence ON fence_events (fence_id, start_time)",
            "CREATE INDEX fence_events_start ON fence_events (start_time)",
            "CREATE INDEX fence_events_changed ON fence_events (changed_at)",
            // Event snapshots (the rows as written) in notifications of at most ~7,900 bytes (PostgreSQL refuses
            // payloads of 8,000), as JSON arrays; a row too large for one notification is announced by its id alone
            // (`event-ids:`), and the listener reads it.
            """
            CREATE FUNCTION citygeo_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                chunk text := '';
                item text;
                event_id text;
            BEGIN
                FOR event_id, item IN
                    SELECT n.id, json_build_object('id', n.id, 'vehicle', n.vehicle_id, 'kind', n.kind, 'fence', n.fence_id,
                        'start', n.start_time, 'end', n.end_time, 'body', n.body)::text
                    FROM changed_events n ORDER BY n.id
                LOOP
                    IF octet_length(item) > 7800 THEN
                        PERFORM pg_notify('\(channel)', 'event-ids:' || json_build_array(event_id)::text);
                        CONTINUE;
                    END IF;
                    IF chunk <> '' AND octet_length(chunk) + octet_length(item) > 7800 THEN
                        PERFORM pg_notify('\(channel)', 'events:[' || chunk || ']');
                        chunk := '';
                    END IF;
                    chunk := CASE WHEN chunk = '' THEN item ELSE chunk || ',' || item END;
                END LOOP;
                IF chunk <> '' THEN
                    PERFORM pg_notify('\(channel)', 'events:[' || chunk || ']');
                END IF;
                RETURN NULL;
            END $$
            """,
            // A trigger with a transition table handles one kind of statement: inserts and updates (upserts) apart.
            """
            CREATE TRIGGER fence_events_inserted AFTER INSERT ON fence_events
                REFERENCING NEW TABLE AS changed_events FOR EACH STATEMENT EXECUTE FUNCTION citygeo_notify_events()
            """,
            """
            CREATE TRIGGER fence_events_updated AFTER UPDATE ON fence_events
                REFERENCING NEW TABLE AS changed_events FOR EACH STATEMENT EXECUTE FUNCTION citygeo_notify_events()
            """,
            """
            CREATE TABLE fence_evaluator_states (
                name text COLLATE "C" PRIMARY KEY,
                body bytea NOT NULL,
                saved_at timestamptz NOT NULL
            )
            """,
        ]),
        ("v4_track_points", [
            // Partitioned by day (UTC) on the time itself: a partition per day, made on demand by the inserting
            // transaction (citygeo_track_partitions), so a month's query reads 30 small indexes and old days can be
            // detached or dropped whole. The unique key includes the partition key t, as PostgreSQL requires.
            """
            CREATE TABLE track_points (
                vehicle text COLLATE "C" NOT NULL,
                -- seconds since 1970-01-01 UTC
                t float8 NOT NULL,
                lon float8 NOT NULL,
                lat float8 NOT NULL,
                speed float8,
                heading float8,
                status text,
                -- TrackCell.cell(lon, lat): the coarse grid of who-passed-here queries
                cell bigint NOT NULL,
                -- serves "points of a vehicle between t1 and t2" and makes inserts idempotent
                CONSTRAINT track_points_vehicle_t UNIQUE (vehicle, t, lon, lat)
            ) PARTITION BY RANGE (t)
            """,
            // Who passed here: the vehicles of a road section's cells over a window, from the index alone (INCLUDE).
            "CREATE INDEX track_points_cell_t ON track_points (cell, t) INCLUDE (vehicle)",
            // Times before 1970 or after 9999 share two partitions (TrackPartitions.firstDay, lastDay).
            """
            CREATE TABLE track_points_far_past PARTITION OF track_points
                FOR VALUES FROM (MINVALUE) TO (\(TrackPartitions.firstDay * 86_400))
            """,
            """
            CREATE TABLE track_points_far_future PARTITION OF track_points
                FOR VALUES FROM (\((TrackPartitions.lastDay + 1) * 86_400)) TO (MAXVALUE)
            """,
            // Made as a plain table then attached: ATTACH PARTITION takes only a SHARE UPDATE EXCLUSIVE lock on
            // track_points, so inserts and reads of other days go on meanwhile (CREATE TABLE ... PARTITION OF would
            // take ACCESS EXCLUSIVE). The advisory lock makes concurrent batches of a new day create it once.
            """
            CREATE FUNCTION citygeo_track_partitions(days bigint[]) RETURNS void LANGUAGE plpgsql AS $$
            DECLARE
                day bigint;
                part text;
            BEGIN
                FOREACH day IN ARRAY days LOOP
                    part := 'track_points_' || to_char(to_timestamp(day * 86400) AT TIME ZONE 'UTC', 'YYYY_MM_DD');
                    IF to_regclass(quote_ident(part)) IS NULL THEN
                        PERFORM pg_advisory_xact_lock(hashtext('citygeo_track_partitions'));
                        -- Asked of pg_class with this statement's snapshot: to_regclass reads the relation cache,
                        -- which need not yet know of a partition another transaction committed while this one waited.
                        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class
                                       WHERE relname = part AND relnamespace = current_schema()::regnamespace) THEN
                            EXECUTE format('CREATE TABLE %I (LIKE track_points INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
                            EXECUTE format('ALTER TABLE track_points ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                                part, day * 86400, (day + 1) * 86400);
                        END IF;
                    END IF;
                END LOOP;
            END $$
            """,
        ]),
        ("v5_access", [
            """
            CREATE TABLE api_keys (
                id text COLLATE "C" PRIMARY KEY,
                name text NOT NULL,
                sha256 text NOT NULL UNIQUE,
                scopes text NOT NULL,
                rate_per_second float8,
                created_at float8 NOT NULL,
                revoked_at float8
            )
            """,
            """
            CREATE TRIGGER api_keys_notify AFTER INSERT OR UPDATE OR DELETE ON api_keys
                FOR EACH ROW EXECUTE FUNCTION citygeo_notify_row()
            """,
            """
            CREATE TABLE audit_log (
                id bigserial PRIMARY KEY,
                time float8 NOT NULL,
                key_id text,
                key_name text,
                method text NOT NULL,
                path text NOT NULL,
                status integer NOT NULL,
                detail text NOT NULL,
                remote_address text
            )
            """,
            "CREATE INDEX audit_log_time ON audit_log (time)",
            "CREATE INDEX audit_log_key ON audit_log (key_id, time)",
            // Append-only, as the platform specifications ask of audit logs.
            """
            CREATE FUNCTION citygeo_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only';
            END $$
            """,
            """
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION citygeo_audit_append_only()
            """,
            """
            CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION citygeo_audit_append_only()
            """,
        ]),
        ("v6_vehicle_states_outbox", [
            // One evaluation state per vehicle, locked by the batch that evaluates its fixes. A row whose body is
            // NULL is a vehicle not yet evaluated: inserted before locking, so that two replicas never both treat a
            // vehicle as new.
            """
            CREATE TABLE fence_vehicle_states (
                vehicle text COLLATE "C" PRIMARY KEY,
                body bytea,
                -- the time of the oldest fix held back for reordering; NULL when none is
                pending_since float8,
                saved_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE INDEX fence_vehicle_states_pending ON fence_vehicle_states (pending_since, vehicle)
                WHERE pending_since IS NOT NULL
            """,
            // Webhook deliveries written with their events; one dispatcher leases each (FOR UPDATE SKIP LOCKED).
            """
            CREATE TABLE webhook_outbox (
                id bigserial PRIMARY KEY,
                event_id text NOT NULL,
                url text NOT NULL,
                body text NOT NULL,
                attempts integer NOT NULL,
                due_at float8 NOT NULL,
                leased_by text,
                leased_until float8,
                UNIQUE (event_id, url)
            )
            """,
            "CREATE INDEX webhook_outbox_due ON webhook_outbox (due_at, id)",
        ]),
        // Issue 21, as SpatiaLite's migration of the same name: keys with lifetimes and SM3 digests, the audit log in
        // four kinds and chained by SM3 (its rows are re-chained by the program step, ``programs``), and the register
        // of columns kept sealed.
        ("v7_compliance", [
            // The digest names its algorithm (older keys are SHA-256, new ones SM3); expiry, regions, per-route
            // rates and the previous secret of a rotation with the end of its overlap.
            "ALTER TABLE api_keys RENAME COLUMN sha256 TO digest",
            "UPDATE api_keys SET digest = 'sha256:' || digest",
            """
            ALTER TABLE api_keys
                ADD COLUMN expires_at float8,
                ADD COLUMN regions text NOT NULL DEFAULT '',
                ADD COLUMN route_rates text NOT NULL DEFAULT '{}',
                ADD COLUMN previous_digest text,
                ADD COLUMN previous_expires_at float8
            """,
            """
            CREATE TABLE audit_log_chained (
                id bigint PRIMARY KEY,
                time float8 NOT NULL,
                kind text NOT NULL CHECK (kind IN ('access', 'system', 'operation', 'exception')),
                key_id text,
                key_name text,
                method text NOT NULL,
                path text NOT NULL,
                status integer NOT NULL,
                detail text NOT NULL,
                remote_address text,
                chain_hash text NOT NULL
            )
            """,
            // Columns whose values are stored sealed (SM4-CBC + HMAC-SM3), by layer.
            """
            CREATE TABLE sensitive_columns (
                layer text COLLATE "C" NOT NULL,
                column_name text COLLATE "C" NOT NULL,
                PRIMARY KEY (layer, column_name)
            )
            """,
        ]),
    ]

    /// Steps of a migration that SQL alone cannot take (hashing with SM3), run after its statements in the same
    /// transaction.
    static let programs: [String: @Sendable (PostgresConnection, Logger) async throws -> Void] = [
        "v7_compliance": PostGISAuditChain.migrate
    ]

    /// Names of every migration, in order.
    static var names: [String] { migrations.map(\.name) }

    /// The migrations `connection`'s database has applied, in order.
    static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        var applied: [String] = []
        for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
            applied.append(name)
        }
        // Migrations of one start share its transaction's time: the list's order breaks the tie.
        let order = names
        return applied.sorted { (order.firstIndex(of: $0) ?? .max, $0) < (order.firstIndex(of: $1) ?? .max, $1) }
    }

    /// Applies the migrations `connection`'s database has not seen, in one transaction; those after `last` wait
    /// (tests build a database as an older release left it).
    static func migrate(_ connection: PostgresConnection, through last: String? = nil, logger: Logger) async throws {
        try await connection.run("BEGIN", logger: logger)
        do {
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext('citygeo_schema_migrations'))", logger: logger)
            try await connection.run(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            let wanted = last.flatMap { name in migrations.firstIndex { $0.name == name } }.map { migrations[...$0] } ?? migrations[...]
            for migration in wanted where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await programs[migration.name]?(connection, logger)
                try await connection.run("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
            }
            try await connection.run("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.run("ROLLBACK", logger: logger)
            throw PostGISErrors.geoError(error, "cannot migrate the PostGIS database")
        }
    }
}
