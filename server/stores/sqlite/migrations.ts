/**
 * @module server/stores/sqlite/migrations
 * Versioned schema migrations. Append only: never edit a migration that has shipped.
 * Times are epoch milliseconds (INTEGER).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE ingest_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        simulated INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        external_id TEXT NOT NULL,
        category TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        lng REAL NOT NULL,
        lat REAL NOT NULL,
        grid_id TEXT NOT NULL,
        street_id TEXT NOT NULL,
        district_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        occurred_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        simulated INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1,
        UNIQUE (source, external_id)
      );
      CREATE INDEX events_street_status ON events (street_id, status);
      CREATE INDEX events_grid_status ON events (grid_id, status);
      CREATE INDEX events_status_received ON events (status, received_at);
      CREATE INDEX events_received ON events (received_at);
      CREATE INDEX events_occurred ON events (occurred_at);
      CREATE TABLE readings (
        id INTEGER PRIMARY KEY,
        indicator_id TEXT NOT NULL,
        area_id TEXT NOT NULL,
        value REAL NOT NULL,
        at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        simulated INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX readings_at ON readings (at);
      CREATE TABLE readings_latest (
        indicator_id TEXT NOT NULL,
        area_id TEXT NOT NULL,
        value REAL NOT NULL,
        at INTEGER NOT NULL,
        simulated INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (indicator_id, area_id)
      );
      CREATE TABLE readings_hourly (
        indicator_id TEXT NOT NULL,
        area_id TEXT NOT NULL,
        hour INTEGER NOT NULL,
        n INTEGER NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,
        last_at INTEGER NOT NULL,
        PRIMARY KEY (indicator_id, area_id, hour)
      );
      CREATE TABLE indicator_series (
        indicator_id TEXT NOT NULL,
        area_id TEXT NOT NULL,
        bucket INTEGER NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (area_id, bucket, indicator_id)
      );
    `,
  },
  {
    version: 2,
    name: 'identities, sessions, display tokens, audit trail',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        area_id TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        disabled_at INTEGER
      );
      CREATE TABLE display_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        area_id TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE TABLE sessions (
        hash TEXT PRIMARY KEY,
        user_id TEXT,
        display_id TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        ip TEXT NOT NULL,
        CHECK ((user_id IS NULL) <> (display_id IS NULL))
      );
      CREATE INDEX sessions_user ON sessions (user_id);
      CREATE INDEX sessions_display ON sessions (display_id);
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        actor_kind TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        outcome TEXT NOT NULL,
        ip TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX audit_at ON audit (at);
      -- the audit trail is append-only: nothing may change or remove an entry
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    `,
  },
  {
    version: 3,
    name: 'index readings by series for the hourly fold',
    sql: `CREATE INDEX readings_series_at ON readings (indicator_id, area_id, at);`,
  },
  {
    version: 4,
    name: 'closed loop: case fields and the append-only timeline',
    sql: `
      ALTER TABLE events ADD COLUMN lead_unit TEXT;
      ALTER TABLE events ADD COLUMN co_units TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE events ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE events ADD COLUMN stage_started_at INTEGER;
      ALTER TABLE events ADD COLUMN due_at INTEGER;
      ALTER TABLE events ADD COLUMN breaches INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE events ADD COLUMN breached_stage INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE events ADD COLUMN rating TEXT;
      ALTER TABLE events ADD COLUMN satisfaction INTEGER;
      ALTER TABLE events ADD COLUMN duplicate_of TEXT;
      UPDATE events SET stage_started_at = received_at;
      CREATE INDEX events_due ON events (due_at) WHERE due_at IS NOT NULL;
      CREATE TABLE event_timeline (
        event_id TEXT NOT NULL REFERENCES events (id),
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        action TEXT NOT NULL,
        from_status TEXT NOT NULL,
        to_status TEXT NOT NULL,
        note TEXT NOT NULL,
        attachments TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (event_id, seq)
      );
      CREATE TRIGGER timeline_no_update BEFORE UPDATE ON event_timeline BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;
      CREATE TRIGGER timeline_no_delete BEFORE DELETE ON event_timeline BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;
    `,
  },
  {
    version: 5,
    name: 'index the timeline by time for period statistics',
    sql: `CREATE INDEX event_timeline_at ON event_timeline (at);`,
  },
  {
    version: 6,
    name: "index cases by lead unit and by the case they duplicate, for a unit's list and merged reports",
    sql: `
      CREATE INDEX events_lead_unit ON events (lead_unit) WHERE lead_unit IS NOT NULL;
      CREATE INDEX events_with_co_units ON events (id) WHERE co_units <> '[]';
      CREATE INDEX events_duplicate_of ON events (duplicate_of) WHERE duplicate_of IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'ingest keys bound to sources, single-use display enrolment, folded audit rows',
    sql: `
      -- NULL: an unbound key (as every key made before this version); else a JSON array of source codes
      ALTER TABLE ingest_keys ADD COLUMN sources TEXT;
      -- a display token enrols one screen once. Tokens made before cannot tell whether they were
      -- used (sessions expire and are pruned): all count as used; a screen that still needs one
      -- gets a new link (admin: "new link", CLI: display link <id>)
      ALTER TABLE display_tokens ADD COLUMN enrolled_at INTEGER;
      UPDATE display_tokens SET enrolled_at = COALESCE((SELECT MIN(s.created_at) FROM sessions s WHERE s.display_id = display_tokens.id), created_at);
      -- identical failures repeated within a short window are written once, with how many there were
      ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 8,
    name: 'alarms, their history, and the versioned alarm rule set',
    sql: `
      CREATE TABLE alarms (
        id TEXT PRIMARY KEY,
        rule_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        indicator_id TEXT NOT NULL,
        area_id TEXT NOT NULL,
        street_id TEXT,
        district_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,
        title_zh TEXT NOT NULL,
        title_en TEXT NOT NULL,
        value REAL,
        threshold REAL,
        since INTEGER NOT NULL,
        raised_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        cleared_at INTEGER,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        ack_note TEXT,
        case_id TEXT,
        create_case TEXT NOT NULL,
        simulated INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL DEFAULT 1,
        -- '<rule>|<area>' while the episode is open, NULL once cleared: the database itself keeps
        -- one open episode per (rule, area)
        open_key TEXT UNIQUE
      );
      CREATE INDEX alarms_open ON alarms (state, severity) WHERE cleared_at IS NULL;
      CREATE INDEX alarms_cleared ON alarms (cleared_at) WHERE cleared_at IS NOT NULL;
      CREATE INDEX alarms_street ON alarms (street_id);
      CREATE INDEX alarms_area ON alarms (area_id);
      CREATE TABLE alarm_history (
        alarm_id TEXT NOT NULL REFERENCES alarms (id),
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        value REAL,
        by_user TEXT,
        note TEXT,
        PRIMARY KEY (alarm_id, seq)
      );
      -- every save of the rule set is a new row (version 0 is the shipped data/rules.json, not stored)
      CREATE TABLE alarm_rule_sets (
        version INTEGER PRIMARY KEY,
        rules TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        saved_by TEXT NOT NULL
      );
    `,
  },
  {
    version: 9,
    name: 'notifications out: channels and the delivery outbox',
    sql: `
      CREATE TABLE notification_channels (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        -- the HMAC key of a webhook or a DingTalk 加签 secret: needed in the clear to sign
        secret TEXT,
        area_id TEXT NOT NULL,
        min_severity TEXT NOT NULL,
        kinds TEXT NOT NULL,
        enabled INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE notification_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        -- NULL once the channel is deleted; its name stays for the log
        channel_id TEXT REFERENCES notification_channels (id) ON DELETE SET NULL,
        channel_name TEXT NOT NULL,
        notice_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_error TEXT,
        last_status INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        delivered_at INTEGER,
        UNIQUE (channel_id, notice_key)
      );
      CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX notification_deliveries_updated ON notification_deliveries (updated_at);
    `,
  },
  {
    version: 10,
    name: 'closed-loop indicators: when a case was closed and how often it was returned or reworked',
    sql: `
      -- kept from the timeline (the record) by a trigger, so every path that appends an entry
      -- keeps them true; they let 首办成功率 and the other loop rates be counted per grid
      -- in one grouped query instead of reading timelines
      ALTER TABLE events ADD COLUMN closed_at INTEGER;
      ALTER TABLE events ADD COLUMN reworks INTEGER NOT NULL DEFAULT 0;
      UPDATE events SET closed_at = (SELECT MAX(t.at) FROM event_timeline t WHERE t.event_id = events.id AND t.action = 'archive')
        WHERE status = 'archived';
      UPDATE events SET reworks = (SELECT COUNT(*) FROM event_timeline t WHERE t.event_id = events.id AND t.action IN ('return', 'rework'))
        WHERE id IN (SELECT event_id FROM event_timeline WHERE action IN ('return', 'rework'));
      -- covering: the per-grid counts are read from the indexes alone
      CREATE INDEX events_closed ON events (closed_at, grid_id, reworks, breaches, rating) WHERE closed_at IS NOT NULL;
      CREATE INDEX events_source_occurred ON events (source, occurred_at, grid_id);
      CREATE TRIGGER timeline_loop_counts AFTER INSERT ON event_timeline WHEN NEW.action IN ('archive', 'return', 'rework') BEGIN
        UPDATE events SET
          closed_at = CASE WHEN NEW.action = 'archive' THEN NEW.at ELSE closed_at END,
          reworks = reworks + (NEW.action <> 'archive')
        WHERE id = NEW.event_id;
      END;
    `,
  },
  {
    version: 11,
    name: 'problem tags (recurring, emerging, typical) and the earlier cases a recurring case links to',
    sql: `
      -- JSON arrays; cases stored before this version have no tags (recurrence is decided at ingest only)
      ALTER TABLE events ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE events ADD COLUMN related_ids TEXT NOT NULL DEFAULT '[]';
      -- recurrence at ingest: the case's 0.002° lattice cell (domain/hotspots.ts geoCell), so the cases
      -- of a category near a point are a few index ranges (one per lattice row), filtered by time
      -- and position inside the index (covering: no row is read)
      ALTER TABLE events ADD COLUMN geo_cell INTEGER NOT NULL DEFAULT 0;
      UPDATE events SET geo_cell = CAST((lat + 90) / 0.002 AS INTEGER) * 1000000 + CAST((lng + 180) / 0.002 AS INTEGER);
      CREATE INDEX events_recurrence ON events (category, geo_cell, occurred_at, lat, lng, id, duplicate_of) WHERE duplicate_of IS NULL;
      -- recurring spots: the few tagged cases of a window
      CREATE INDEX events_tagged ON events (occurred_at) WHERE tags <> '[]';
      -- a hotspot's cases: one grid over a window
      CREATE INDEX events_grid_occurred ON events (grid_id, occurred_at);
    `,
  },
  {
    version: 12,
    name: 'display configurations: the playlist of scenes, the layout, and the pause of the rotation',
    sql: `
      -- one row per display that was ever configured or paused (others have the defaults);
      -- scenes: a JSON array of shared/schemas/display.ts Scene, checked before it is written
      CREATE TABLE display_configs (
        display_id TEXT PRIMARY KEY REFERENCES display_tokens (id),
        scenes TEXT NOT NULL DEFAULT '[]',
        layout TEXT NOT NULL DEFAULT '1920x1080',
        updated_at INTEGER,
        updated_by TEXT,
        -- paused: who and when; paused_until NULL with paused_at set: until someone resumes it
        paused_by TEXT,
        paused_at INTEGER,
        paused_until INTEGER
      );
    `,
  },
  {
    version: 13,
    name: 'display screens: last seen, the build they run, and the reloads they reported',
    sql: `
      -- one row per display ever seen; written at most once a minute per display (last seen) and
      -- on a reported reload, never on every heartbeat
      CREATE TABLE display_status (
        display_id TEXT PRIMARY KEY REFERENCES display_tokens(id) ON DELETE CASCADE,
        last_seen_at INTEGER,
        build TEXT,
        reloads INTEGER NOT NULL DEFAULT 0,
        last_reload_reason TEXT,
        last_reload_at INTEGER
      );
    `,
  },
  {
    version: 14,
    name: 'unit accounts: the department or team a unit user works for',
    sql: `ALTER TABLE users ADD COLUMN unit_id TEXT;`,
  },
  {
    version: 15,
    name: 'confidential cases, masked personal data kept apart, clearance for street and unit accounts, the escalation ladder',
    sql: `
      ALTER TABLE events ADD COLUMN confidential INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE events ADD COLUMN ladder TEXT;
      -- NULL: a case stored before masking existed, not yet checked (the server masks it in the background)
      ALTER TABLE events ADD COLUMN masked INTEGER;
      CREATE INDEX events_unchecked ON events (id) WHERE masked IS NULL;
      -- the report as posted, only where personal data was masked in events.title/description
      CREATE TABLE event_personal (
        event_id TEXT PRIMARY KEY REFERENCES events (id),
        title TEXT NOT NULL,
        description TEXT NOT NULL
      );
      ALTER TABLE users ADD COLUMN cleared INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 16,
    name: 'tasks on the map (挂图作战) and their append-only logs',
    sql: `
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        unit_id TEXT NOT NULL,
        person TEXT NOT NULL,
        standard TEXT NOT NULL,
        deadline INTEGER NOT NULL,
        area_id TEXT NOT NULL,
        district_id TEXT NOT NULL,
        street_id TEXT,
        location TEXT,
        milestones TEXT NOT NULL,
        status TEXT NOT NULL,
        progress INTEGER NOT NULL,
        last_visit_at INTEGER,
        chased_at INTEGER,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        -- the earliest time a milestone or the deadline is due and not yet chased (null: nothing to chase)
        next_due INTEGER
      );
      CREATE INDEX tasks_district ON tasks (district_id, status, deadline);
      CREATE INDEX tasks_street ON tasks (street_id, status, deadline) WHERE street_id IS NOT NULL;
      CREATE INDEX tasks_unit ON tasks (unit_id, status, deadline);
      CREATE INDEX tasks_next_due ON tasks (next_due) WHERE next_due IS NOT NULL;
      CREATE TABLE task_log (
        task_id TEXT NOT NULL REFERENCES tasks (id),
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        actor_role TEXT NOT NULL,
        action TEXT NOT NULL,
        note TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
      );
      CREATE TRIGGER task_log_no_update BEFORE UPDATE ON task_log BEGIN SELECT RAISE(ABORT, 'the task log is append-only'); END;
      CREATE TRIGGER task_log_no_delete BEFORE DELETE ON task_log BEGIN SELECT RAISE(ABORT, 'the task log is append-only'); END;
    `,
  },
  {
    version: 17,
    name: 'a unit account limited to several streets',
    sql: `ALTER TABLE users ADD COLUMN streets TEXT NOT NULL DEFAULT '[]';`,
  },
  {
    version: 18,
    name: '平战结合: incidents run in wartime mode, at most one running per area, and their append-only logs',
    sql: `
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        area_id TEXT NOT NULL,
        grade TEXT NOT NULL,
        class TEXT NOT NULL,
        title TEXT NOT NULL,
        lng REAL NOT NULL,
        lat REAL NOT NULL,
        radius_m INTEGER NOT NULL,
        drill INTEGER NOT NULL,
        command TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        started_by TEXT NOT NULL,
        ended_at INTEGER,
        ended_by TEXT,
        summary TEXT,
        version INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX incidents_running ON incidents (area_id) WHERE ended_at IS NULL;
      CREATE INDEX incidents_ended ON incidents (ended_at) WHERE ended_at IS NOT NULL;
      CREATE TABLE incident_log (
        incident_id TEXT NOT NULL REFERENCES incidents (id),
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (incident_id, seq)
      );
      CREATE TRIGGER incident_log_no_update BEFORE UPDATE ON incident_log BEGIN SELECT RAISE(ABORT, 'the incident log is append-only'); END;
      CREATE TRIGGER incident_log_no_delete BEFORE DELETE ON incident_log BEGIN SELECT RAISE(ABORT, 'the incident log is append-only'); END;
    `,
  },
  {
    version: 19,
    name: 'the emergency resource registry (teams, supplies, shelters) and their dispatch to incidents',
    sql: `
      CREATE TABLE resources (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        owner TEXT NOT NULL,
        contact TEXT NOT NULL,
        capacity TEXT NOT NULL,
        available INTEGER NOT NULL,
        lng REAL NOT NULL,
        lat REAL NOT NULL,
        street_id TEXT,
        demo INTEGER NOT NULL,
        dispatched_to TEXT
      );
    `,
  },
  {
    version: 20,
    name: 'drill cases (演练): marked, and left out of statistics; the covering indexes carry the mark',
    sql: `
      ALTER TABLE events ADD COLUMN drill INTEGER NOT NULL DEFAULT 0;
      DROP INDEX events_closed;
      CREATE INDEX events_closed ON events (closed_at, grid_id, reworks, breaches, rating, drill) WHERE closed_at IS NOT NULL;
      DROP INDEX events_source_occurred;
      CREATE INDEX events_source_occurred ON events (source, occurred_at, grid_id, drill);
    `,
  },
  {
    version: 21,
    name: '路长制 roads and key areas: the layers kept whole, and each case’s road, key areas and limits’ factor',
    sql: `
      CREATE TABLE map_layers (
        kind TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        version INTEGER NOT NULL,
        saved_at INTEGER NOT NULL,
        saved_by TEXT NOT NULL
      );
      ALTER TABLE events ADD COLUMN road_id TEXT;
      ALTER TABLE events ADD COLUMN key_area_ids TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE events ADD COLUMN limit_factor REAL NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 22,
    name: '三长联动: the building a case was reported at',
    sql: `ALTER TABLE events ADD COLUMN building_id TEXT;`,
  },
];

/** the newest schema version this build knows */
export const LATEST_SCHEMA_VERSION = Math.max(...migrations.map((m) => m.version));

/**
 * The database holds a schema newer than this build knows: a newer OneScreen wrote it (and was
 * then downgraded, or an operator restored onto an old install). Running on it could corrupt data.
 */
export class NewerDatabaseError extends Error {
  constructor(
    readonly found: number,
    readonly known: number = LATEST_SCHEMA_VERSION,
  ) {
    super(`this database was written by a newer OneScreen (schema ${found}, this version knows up to ${known}); upgrade OneScreen or restore a backup`);
    this.name = 'NewerDatabaseError';
  }
}
