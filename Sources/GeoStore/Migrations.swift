import GeoCore
internal import GRDB

/// The store's schema, as named migrations applied in order, each once.
///
/// GRDB records applied migrations in `grdb_migrations`, so reopening a database applies only the new ones.
/// Never edit a shipped migration: add a new one.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1_spatial_metadata") { db in
            // A file made by another SpatiaLite tool already has its metadata: keep it.
            if try db.tableExists("spatial_ref_sys") && db.tableExists("geometry_columns") { return }
            // Called without the `transaction` argument on purpose: the migration already runs in a
            // transaction (InitSpatialMetaData(1) would fail with "cannot start a transaction within a
            // transaction"), and that outer transaction is what makes it fast: outside one, each of the
            // ~6,000 spatial_ref_sys rows is its own commit and the call takes minutes.
            let done = try Int.fetchOne(db, sql: "SELECT InitSpatialMetaData()")
            guard done == 1 else {
                throw GeoError(code: .databaseError, message: "InitSpatialMetaData() failed on a fresh database")
            }
        }

        migrator.registerMigration("v2_layer_catalog") { db in
            try db.execute(
                sql: """
                    CREATE TABLE geo_layers (
                        name TEXT NOT NULL PRIMARY KEY,
                        title TEXT,
                        -- GeoJSON type name (Point, Polygon, ...) or Geometry for any type.
                        geometry_type TEXT NOT NULL,
                        srid INTEGER NOT NULL DEFAULT 4490,
                        -- JSON array of {"name": ..., "type": "integer|real|text|boolean|json"}.
                        attribute_schema TEXT NOT NULL DEFAULT '[]',
                        feature_count INTEGER NOT NULL DEFAULT 0,
                        min_x REAL, min_y REAL, max_x REAL, max_y REAL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        version INTEGER NOT NULL
                    );
                    -- The last version handed out per layer name. Outlives the layer so that a layer deleted and
                    -- created again never repeats a version a cache may still hold.
                    CREATE TABLE geo_layer_versions (
                        name TEXT NOT NULL PRIMARY KEY,
                        last_version INTEGER NOT NULL
                    );
                    """)
        }

        migrator.registerMigration("v3_fences") { db in
            // Fences and their events are kept as JSON bodies owned by GeoFences, with the columns that queries
            // filter on copied out beside them: the store need not know the fence model to index it.
            try db.execute(
                sql: """
                    CREATE TABLE fence_definitions (
                        id TEXT NOT NULL PRIMARY KEY,
                        kind TEXT NOT NULL,
                        role TEXT,
                        version INTEGER NOT NULL,
                        min_x REAL, min_y REAL, max_x REAL, max_y REAL,
                        body TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE TABLE fence_events (
                        id TEXT NOT NULL PRIMARY KEY,
                        vehicle_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        fence_id TEXT,
                        start_time REAL NOT NULL,
                        end_time REAL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX fence_events_vehicle ON fence_events (vehicle_id, start_time);
                    CREATE INDEX fence_events_fence ON fence_events (fence_id, start_time);
                    CREATE INDEX fence_events_start ON fence_events (start_time);
                    -- Saved evaluator states by name, so that a restarted server resumes without repeating events.
                    CREATE TABLE fence_evaluator_states (
                        name TEXT NOT NULL PRIMARY KEY,
                        body BLOB NOT NULL,
                        saved_at TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v4_track_points") { db in
            try db.execute(sql: TrackTables.createSQL)
        }
        migrator.registerMigration("v5_access") { db in
            try db.execute(sql: SpatialStore.accessTablesSQL)
        }
        migrator.registerMigration("v6_vehicle_states_outbox") { db in
            try db.execute(sql: ClusterTables.createSQL)
        }
        migrator.registerMigration("v7_compliance") { db in
            try ComplianceMigration.migrate(db)
        }

        return migrator
    }

    /// Names of every registered migration, in order.
    static var names: [String] { migrator.migrations }
}
