/**
 * @module server/stores/postgres/migrations
 * Versioned schema migrations of the PostgreSQL store. Append only: never edit a migration that
 * has shipped. Each is applied in its own transaction under a transaction-level advisory lock, so
 * two nodes starting together migrate once (the second waits, then finds the work done).
 *
 * Version 1 is the whole schema of the embedded store's version 11, in PostgreSQL's types: times
 * are epoch milliseconds in `bigint`, lists are `text[]`, structured values `jsonb`, flags `boolean`.
 * The audit trail and the case timelines are append-only, enforced by triggers that raise on
 * UPDATE, DELETE and TRUNCATE.
 */
import type pg from 'pg';
import { NewerDatabaseError } from '../sqlite/migrations.ts';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const pgMigrations: PgMigration[] = [
  {
    version: 1,
    name: 'initial: the schema of the embedded store (version 11)',
    sql: `
      CREATE FUNCTION onescreen_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
      END $$;

      CREATE TABLE ingest_keys (
        id text PRIMARY KEY,
        name text NOT NULL,
        hash text NOT NULL UNIQUE,
        -- NULL: an unbound key (any source)
        sources text[],
        simulated boolean NOT NULL DEFAULT false,
        created_at bigint NOT NULL,
        revoked_at bigint
      );

      CREATE TABLE events (
        id text PRIMARY KEY,
        source text NOT NULL,
        external_id text NOT NULL,
        category text NOT NULL,
        title text NOT NULL,
        description text NOT NULL,
        lng double precision NOT NULL,
        lat double precision NOT NULL,
        grid_id text NOT NULL,
        street_id text NOT NULL,
        district_id text NOT NULL,
        severity text NOT NULL,
        status text NOT NULL,
        occurred_at bigint NOT NULL,
        received_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        simulated boolean NOT NULL DEFAULT false,
        version integer NOT NULL DEFAULT 1,
        lead_unit text,
        co_units text[] NOT NULL DEFAULT '{}',
        escalated boolean NOT NULL DEFAULT false,
        stage_started_at bigint,
        due_at bigint,
        breaches integer NOT NULL DEFAULT 0,
        breached_stage boolean NOT NULL DEFAULT false,
        rating text,
        satisfaction integer,
        duplicate_of text,
        -- kept from the timeline by a trigger (see timeline_loop_counts)
        closed_at bigint,
        reworks integer NOT NULL DEFAULT 0,
        tags text[] NOT NULL DEFAULT '{}',
        related_ids text[] NOT NULL DEFAULT '{}',
        -- the 0.002° lattice cell (domain/hotspots.ts geoCell) for recurrence at ingest
        geo_cell bigint NOT NULL DEFAULT 0,
        UNIQUE (source, external_id)
      );
      CREATE INDEX events_street_status ON events (street_id, status);
      CREATE INDEX events_grid_status ON events (grid_id, status);
      CREATE INDEX events_status_received ON events (status, received_at);
      CREATE INDEX events_received ON events (received_at);
      CREATE INDEX events_occurred ON events (occurred_at);
      CREATE INDEX events_due ON events (due_at) WHERE due_at IS NOT NULL;
      CREATE INDEX events_lead_unit ON events (lead_unit) WHERE lead_unit IS NOT NULL;
      CREATE INDEX events_co_units ON events USING gin (co_units);
      CREATE INDEX events_duplicate_of ON events (duplicate_of) WHERE duplicate_of IS NOT NULL;
      CREATE INDEX events_closed ON events (closed_at) INCLUDE (grid_id, reworks, breaches, rating) WHERE closed_at IS NOT NULL;
      CREATE INDEX events_source_occurred ON events (source, occurred_at) INCLUDE (grid_id);
      CREATE INDEX events_recurrence ON events (category, geo_cell, occurred_at) INCLUDE (lat, lng, id) WHERE duplicate_of IS NULL;
      CREATE INDEX events_tagged ON events (occurred_at) WHERE tags <> '{}';
      CREATE INDEX events_grid_occurred ON events (grid_id, occurred_at);

      CREATE TABLE event_timeline (
        event_id text NOT NULL REFERENCES events (id),
        seq integer NOT NULL,
        at bigint NOT NULL,
        actor text NOT NULL,
        actor_role text NOT NULL,
        action text NOT NULL,
        from_status text NOT NULL,
        to_status text NOT NULL,
        note text NOT NULL,
        attachments text[] NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (event_id, seq)
      );
      CREATE INDEX event_timeline_at ON event_timeline (at);
      CREATE TRIGGER timeline_append_only BEFORE UPDATE OR DELETE ON event_timeline FOR EACH ROW EXECUTE FUNCTION onescreen_append_only();
      CREATE TRIGGER timeline_no_truncate BEFORE TRUNCATE ON event_timeline FOR EACH STATEMENT EXECUTE FUNCTION onescreen_append_only();
      CREATE FUNCTION onescreen_timeline_loop_counts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE events SET
          closed_at = CASE WHEN NEW.action = 'archive' THEN NEW.at ELSE closed_at END,
          reworks = reworks + CASE WHEN NEW.action <> 'archive' THEN 1 ELSE 0 END
        WHERE id = NEW.event_id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER timeline_loop_counts AFTER INSERT ON event_timeline FOR EACH ROW
        WHEN (NEW.action IN ('archive', 'return', 'rework')) EXECUTE FUNCTION onescreen_timeline_loop_counts();

      CREATE TABLE readings (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        indicator_id text NOT NULL,
        area_id text NOT NULL,
        value double precision NOT NULL,
        at bigint NOT NULL,
        received_at bigint NOT NULL,
        simulated boolean NOT NULL DEFAULT false
      );
      CREATE INDEX readings_at ON readings (at);
      CREATE INDEX readings_series_at ON readings (indicator_id, area_id, at);
      CREATE TABLE readings_latest (
        indicator_id text NOT NULL,
        area_id text NOT NULL,
        value double precision NOT NULL,
        at bigint NOT NULL,
        simulated boolean NOT NULL DEFAULT false,
        PRIMARY KEY (indicator_id, area_id)
      );
      CREATE TABLE readings_hourly (
        indicator_id text NOT NULL,
        area_id text NOT NULL,
        hour bigint NOT NULL,
        n integer NOT NULL,
        sum double precision NOT NULL,
        min double precision NOT NULL,
        max double precision NOT NULL,
        last double precision NOT NULL,
        last_at bigint NOT NULL,
        PRIMARY KEY (indicator_id, area_id, hour)
      );
      CREATE TABLE indicator_series (
        indicator_id text NOT NULL,
        area_id text NOT NULL,
        bucket bigint NOT NULL,
        value double precision NOT NULL,
        PRIMARY KEY (area_id, bucket, indicator_id)
      );
      CREATE INDEX indicator_series_bucket ON indicator_series (bucket);

      CREATE TABLE users (
        id text PRIMARY KEY,
        username text NOT NULL UNIQUE,
        role text NOT NULL,
        area_id text NOT NULL,
        password_hash text NOT NULL,
        created_at bigint NOT NULL,
        disabled_at bigint
      );
      CREATE TABLE display_tokens (
        id text PRIMARY KEY,
        name text NOT NULL,
        area_id text NOT NULL,
        hash text NOT NULL UNIQUE,
        created_by text NOT NULL,
        created_at bigint NOT NULL,
        revoked_at bigint,
        enrolled_at bigint
      );
      CREATE TABLE sessions (
        hash text PRIMARY KEY,
        user_id text,
        display_id text,
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        ip text NOT NULL,
        CHECK ((user_id IS NULL) <> (display_id IS NULL))
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE INDEX sessions_display ON sessions (display_id);
      CREATE INDEX sessions_expires ON sessions (expires_at);

      CREATE TABLE audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at bigint NOT NULL,
        actor text NOT NULL,
        actor_kind text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        outcome text NOT NULL,
        ip text NOT NULL,
        detail text NOT NULL,
        count integer NOT NULL DEFAULT 1
      );
      CREATE INDEX audit_at ON audit (at);
      -- the audit trail is append-only: nothing may change, remove or truncate an entry
      CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION onescreen_append_only();
      CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT EXECUTE FUNCTION onescreen_append_only();

      CREATE TABLE alarms (
        id text PRIMARY KEY,
        rule_id text NOT NULL,
        kind text NOT NULL,
        indicator_id text NOT NULL,
        area_id text NOT NULL,
        street_id text,
        district_id text NOT NULL,
        severity text NOT NULL,
        state text NOT NULL,
        title_zh text NOT NULL,
        title_en text NOT NULL,
        value double precision,
        threshold double precision,
        since bigint NOT NULL,
        raised_at bigint NOT NULL,
        last_at bigint NOT NULL,
        cleared_at bigint,
        acknowledged_at bigint,
        acknowledged_by text,
        ack_note text,
        case_id text,
        create_case text NOT NULL,
        simulated boolean NOT NULL DEFAULT false,
        version integer NOT NULL DEFAULT 1,
        -- '<rule>|<area>' while the episode is open, NULL once cleared: the database itself keeps
        -- one open episode per (rule, area)
        open_key text UNIQUE
      );
      CREATE INDEX alarms_open ON alarms (state, severity) WHERE cleared_at IS NULL;
      CREATE INDEX alarms_cleared ON alarms (cleared_at) WHERE cleared_at IS NOT NULL;
      CREATE INDEX alarms_street ON alarms (street_id);
      CREATE INDEX alarms_area ON alarms (area_id);
      CREATE INDEX alarms_district ON alarms (district_id);
      CREATE TABLE alarm_history (
        alarm_id text NOT NULL REFERENCES alarms (id),
        seq integer NOT NULL,
        at bigint NOT NULL,
        kind text NOT NULL,
        severity text NOT NULL,
        value double precision,
        by_user text,
        note text,
        PRIMARY KEY (alarm_id, seq)
      );
      -- every save of the rule set is a new row (version 0 is the shipped data/rules.json, not stored)
      CREATE TABLE alarm_rule_sets (
        version integer PRIMARY KEY,
        rules jsonb NOT NULL,
        saved_at bigint NOT NULL,
        saved_by text NOT NULL
      );

      CREATE TABLE notification_channels (
        id text PRIMARY KEY,
        name text NOT NULL,
        kind text NOT NULL,
        url text NOT NULL,
        secret text,
        area_id text NOT NULL,
        min_severity text NOT NULL,
        kinds text[] NOT NULL,
        enabled boolean NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      );
      CREATE TABLE notification_deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- NULL once the channel is deleted; its name stays for the log
        channel_id text REFERENCES notification_channels (id) ON DELETE SET NULL,
        channel_name text NOT NULL,
        notice_key text NOT NULL,
        kind text NOT NULL,
        severity text NOT NULL,
        payload text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint,
        last_error text,
        last_status integer,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        delivered_at bigint,
        UNIQUE (channel_id, notice_key)
      );
      CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at, id) WHERE status = 'pending';
      CREATE INDEX notification_deliveries_updated ON notification_deliveries (updated_at);
    `,
  },
  {
    version: 2,
    name: 'text in byte order (COLLATE "C"), as SQLite compares and sorts, whatever the cluster locale',
    // a cluster initialised on an en_US system sorts 'a' < 'B' < 'b' and ignores '_' at first: the
    // lists, counts per grid and their tie-breaks would differ from the embedded store's and from
    // one cluster to the next. Every text column of this schema becomes "C" (its indexes are rebuilt;
    // a trigger's WHEN clause pins its column's type, so that trigger is made again)
    sql: `
      DROP TRIGGER timeline_loop_counts ON event_timeline;
      DO $$
      DECLARE r record;
      BEGIN
        FOR r IN
          SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS t
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            AND a.atttypid IN ('text'::regtype, 'text[]'::regtype) AND a.attcollation <> 'pg_catalog."C"'::regcollation
          ORDER BY c.relname, a.attnum
        LOOP
          EXECUTE format('ALTER TABLE %I ALTER COLUMN %I TYPE %s COLLATE "C"', r.relname, r.attname, r.t);
        END LOOP;
      END $$;
      CREATE TRIGGER timeline_loop_counts AFTER INSERT ON event_timeline FOR EACH ROW
        WHEN (NEW.action IN ('archive', 'return', 'rework')) EXECUTE FUNCTION onescreen_timeline_loop_counts();
    `,
  },
  {
    version: 3,
    name: 'display configurations: the playlist of scenes, the layout, and the pause of the rotation (embedded store version 12)',
    sql: `
      CREATE TABLE display_configs (
        display_id text COLLATE "C" PRIMARY KEY REFERENCES display_tokens (id),
        scenes jsonb NOT NULL DEFAULT '[]',
        layout text COLLATE "C" NOT NULL DEFAULT '1920x1080',
        updated_at bigint,
        updated_by text COLLATE "C",
        paused_by text COLLATE "C",
        paused_at bigint,
        paused_until bigint
      );
    `,
  },
  {
    version: 4,
    name: 'display screens: last seen, the build they run, and the reloads they reported (embedded store: 13)',
    sql: `
      CREATE TABLE display_status (
        display_id text COLLATE "C" PRIMARY KEY REFERENCES display_tokens(id) ON DELETE CASCADE,
        last_seen_at bigint,
        build text COLLATE "C",
        reloads integer NOT NULL DEFAULT 0,
        last_reload_reason text COLLATE "C",
        last_reload_at bigint
      );
    `,
  },
  {
    version: 5,
    name: 'unit accounts: the department or team a unit user works for (embedded store: 14)',
    sql: `ALTER TABLE users ADD COLUMN unit_id text COLLATE "C";`,
  },
  {
    version: 6,
    name: 'confidential cases, masked personal data kept apart, clearance, the escalation ladder (embedded store: 15)',
    sql: `
      ALTER TABLE events ADD COLUMN confidential boolean NOT NULL DEFAULT false;
      ALTER TABLE events ADD COLUMN ladder text COLLATE "C";
      -- NULL: a case stored before masking existed, not yet checked (the server masks it in the background)
      ALTER TABLE events ADD COLUMN masked boolean;
      CREATE INDEX events_unchecked ON events (id) WHERE masked IS NULL;
      CREATE TABLE event_personal (
        event_id text COLLATE "C" PRIMARY KEY REFERENCES events (id),
        title text NOT NULL,
        description text NOT NULL
      );
      ALTER TABLE users ADD COLUMN cleared boolean NOT NULL DEFAULT false;
    `,
  },
  {
    version: 7,
    name: 'tasks on the map (挂图作战) and their append-only logs (embedded store: 16)',
    sql: `
      CREATE TABLE tasks (
        id text COLLATE "C" PRIMARY KEY,
        kind text COLLATE "C" NOT NULL,
        title text NOT NULL,
        unit_id text COLLATE "C" NOT NULL,
        person text NOT NULL,
        standard text NOT NULL,
        deadline bigint NOT NULL,
        area_id text COLLATE "C" NOT NULL,
        district_id text COLLATE "C" NOT NULL,
        street_id text COLLATE "C",
        location jsonb,
        milestones jsonb NOT NULL,
        status text COLLATE "C" NOT NULL,
        progress integer NOT NULL,
        last_visit_at bigint,
        chased_at bigint,
        created_at bigint NOT NULL,
        created_by text NOT NULL,
        updated_at bigint NOT NULL,
        version integer NOT NULL,
        next_due bigint
      );
      CREATE INDEX tasks_district ON tasks (district_id, status, deadline);
      CREATE INDEX tasks_street ON tasks (street_id, status, deadline) WHERE street_id IS NOT NULL;
      CREATE INDEX tasks_unit ON tasks (unit_id, status, deadline);
      CREATE INDEX tasks_next_due ON tasks (next_due) WHERE next_due IS NOT NULL;
      CREATE TABLE task_log (
        task_id text COLLATE "C" NOT NULL REFERENCES tasks (id),
        seq integer NOT NULL,
        at bigint NOT NULL,
        actor text NOT NULL,
        actor_role text NOT NULL,
        action text COLLATE "C" NOT NULL,
        note text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (task_id, seq)
      );
      CREATE TRIGGER task_log_append_only BEFORE UPDATE OR DELETE ON task_log FOR EACH ROW EXECUTE FUNCTION onescreen_append_only();
      CREATE TRIGGER task_log_no_truncate BEFORE TRUNCATE ON task_log FOR EACH STATEMENT EXECUTE FUNCTION onescreen_append_only();
    `,
  },
  {
    version: 8,
    name: 'a unit account limited to several streets (embedded store: 17)',
    sql: `ALTER TABLE users ADD COLUMN streets text[] NOT NULL DEFAULT '{}';`,
  },
  {
    version: 9,
    name: '平战结合: incidents and their append-only logs (embedded store: 18)',
    sql: `
      CREATE TABLE incidents (
        id text COLLATE "C" PRIMARY KEY,
        area_id text COLLATE "C" NOT NULL,
        grade text NOT NULL,
        class text NOT NULL,
        title text NOT NULL,
        lng double precision NOT NULL,
        lat double precision NOT NULL,
        radius_m integer NOT NULL,
        drill boolean NOT NULL,
        command jsonb NOT NULL,
        started_at bigint NOT NULL,
        started_by text NOT NULL,
        ended_at bigint,
        ended_by text,
        summary text,
        version integer NOT NULL
      );
      CREATE UNIQUE INDEX incidents_running ON incidents (area_id) WHERE ended_at IS NULL;
      CREATE INDEX incidents_ended ON incidents (ended_at) WHERE ended_at IS NOT NULL;
      CREATE TABLE incident_log (
        incident_id text COLLATE "C" NOT NULL REFERENCES incidents (id),
        seq integer NOT NULL,
        at bigint NOT NULL,
        actor text NOT NULL,
        kind text COLLATE "C" NOT NULL,
        text text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (incident_id, seq)
      );
      CREATE TRIGGER incident_log_append_only BEFORE UPDATE OR DELETE ON incident_log FOR EACH ROW EXECUTE FUNCTION onescreen_append_only();
      CREATE TRIGGER incident_log_no_truncate BEFORE TRUNCATE ON incident_log FOR EACH STATEMENT EXECUTE FUNCTION onescreen_append_only();
    `,
  },
  {
    version: 10,
    name: 'the emergency resource registry and their dispatch to incidents (embedded store: 19)',
    sql: `
      CREATE TABLE resources (
        id text COLLATE "C" PRIMARY KEY,
        kind text NOT NULL,
        name text NOT NULL,
        owner text NOT NULL,
        contact text NOT NULL,
        capacity text NOT NULL,
        available boolean NOT NULL,
        lng double precision NOT NULL,
        lat double precision NOT NULL,
        street_id text COLLATE "C",
        demo boolean NOT NULL,
        dispatched_to text COLLATE "C"
      );
    `,
  },
  {
    version: 11,
    name: 'drill cases (演练), left out of statistics (embedded store: 20)',
    sql: `
      ALTER TABLE events ADD COLUMN drill boolean NOT NULL DEFAULT false;
      DROP INDEX events_closed;
      CREATE INDEX events_closed ON events (closed_at) INCLUDE (grid_id, reworks, breaches, rating, drill) WHERE closed_at IS NOT NULL;
      DROP INDEX events_source_occurred;
      CREATE INDEX events_source_occurred ON events (source, occurred_at) INCLUDE (grid_id, drill);
    `,
  },
  {
    version: 12,
    name: 'roads and key areas, and each case’s road, key areas and limits’ factor (embedded store: 21)',
    sql: `
      CREATE TABLE map_layers (
        kind text COLLATE "C" PRIMARY KEY,
        body text NOT NULL,
        version integer NOT NULL,
        saved_at bigint NOT NULL,
        saved_by text NOT NULL
      );
      ALTER TABLE events ADD COLUMN road_id text COLLATE "C";
      ALTER TABLE events ADD COLUMN key_area_ids text[] NOT NULL DEFAULT '{}';
      ALTER TABLE events ADD COLUMN limit_factor double precision NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 13,
    name: 'the building a case was reported at (embedded store: 22)',
    sql: `ALTER TABLE events ADD COLUMN building_id text COLLATE "C";`,
  },
];

/** the newest schema version this build knows (of the PostgreSQL store: its own numbering) */
export const LATEST_PG_SCHEMA_VERSION = Math.max(...pgMigrations.map((m) => m.version));

/** advisory lock keys (one bigint namespace per database) */
export const LOCK = {
  migrate: 0x6f6e6573_00000001n,
  downsample: 0x6f6e6573_00000002n,
} as const;

/**
 * Bring the schema to {@link LATEST_PG_SCHEMA_VERSION}, one migration per transaction, each under
 * `pg_advisory_xact_lock` (so concurrent starts apply each migration once). Throws
 * {@link NewerDatabaseError} when a newer OneScreen wrote the database.
 */
export async function migrate(pool: pg.Pool, migrations: readonly PgMigration[] = pgMigrations): Promise<void> {
  const known = Math.max(...migrations.map((m) => m.version));
  for (;;) {
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (e: Error) => (broken ??= e);
    // a lost connection fails this transaction instead of raising an uncaught error (connection.ts)
    client.on('error', onError);
    let pending = false;
    try {
      await client.query('BEGIN');
      // the pool's statement_timeout (60 s) is for requests: a migration rebuilding the indexes of a
      // large table, and a second node waiting for it at the lock, may take longer
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK.migrate.toString()]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
      const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const newest = Math.max(0, ...done);
      if (newest > known) throw new NewerDatabaseError(newest, known);
      const next = migrations.find((m) => !done.has(m.version));
      if (next) {
        await client.query(next.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [next.version, next.name, Date.now()]);
        pending = true;
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken ??= e));
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
    if (!pending) return;
  }
}
