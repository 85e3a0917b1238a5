/**
 * @module server/stores/sqlite/alarm.repository
 * Alarms, their history and the versioned rule set, in the embedded database (migration 8). Rows
 * become wire records ({@link Alarm}) here and nowhere else.
 */
import type Database from 'better-sqlite3';
import { AlarmRule, type Alarm, type AlarmHistoryEntry } from '../../../shared/index.ts';
import type { AlarmChange, AlarmFilter, AlarmRepository, NewAlarm, NewAlarmHistory } from '../../ports.ts';

interface AlarmRow {
  id: string;
  rule_id: string;
  kind: string;
  indicator_id: string;
  area_id: string;
  street_id: string | null;
  district_id: string;
  severity: string;
  state: string;
  title_zh: string;
  title_en: string;
  value: number | null;
  threshold: number | null;
  since: number;
  raised_at: number;
  last_at: number;
  cleared_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  case_id: string | null;
  create_case: string;
  simulated: number;
  version: number;
}

const iso = (t: number) => new Date(t).toISOString();
const isoOrNull = (t: number | null) => (t === null ? null : iso(t));

function toAlarm(r: AlarmRow): Alarm {
  return {
    id: r.id,
    ruleId: r.rule_id,
    kind: r.kind as Alarm['kind'],
    indicatorId: r.indicator_id,
    areaId: r.area_id,
    streetId: r.street_id,
    severity: r.severity as Alarm['severity'],
    state: r.state as Alarm['state'],
    title: { zh: r.title_zh, en: r.title_en },
    value: r.value,
    threshold: r.threshold,
    since: iso(r.since),
    raisedAt: iso(r.raised_at),
    lastAt: iso(r.last_at),
    clearedAt: isoOrNull(r.cleared_at),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    ackNote: r.ack_note,
    caseId: r.case_id,
    createCase: r.create_case as Alarm['createCase'],
    simulated: r.simulated === 1,
    version: r.version,
  };
}

const AREA_COLUMN = { grid: 'area_id', street: 'street_id', district: 'district_id' } as const;
const SEVERITY_ORDER = "CASE severity WHEN 'alarm' THEN 0 ELSE 1 END";

const CHANGE_COLUMNS: Record<keyof AlarmChange, string> = {
  severity: 'severity',
  state: 'state',
  value: 'value',
  threshold: 'threshold',
  lastAt: 'last_at',
  clearedAt: 'cleared_at',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  ackNote: 'ack_note',
  caseId: 'case_id',
};

export class SqliteAlarmRepository implements AlarmRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly prep: (sql: string) => Database.Statement,
  ) {}

  private appendHistory(id: string, e: NewAlarmHistory): void {
    const seq = (this.prep('SELECT COALESCE(MAX(seq), 0) + 1 FROM alarm_history WHERE alarm_id = ?').pluck().get(id) as number) ?? 1;
    this.prep('INSERT INTO alarm_history (alarm_id, seq, at, kind, severity, value, by_user, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      id, seq, e.at, e.kind, e.severity, e.value, e.by, e.note,
    );
  }

  async insert(a: NewAlarm, entry: NewAlarmHistory): Promise<Alarm | null> {
    return this.db.transaction(() => {
      const r = this.prep(
        `INSERT INTO alarms (id, rule_id, kind, indicator_id, area_id, street_id, district_id, severity, state, title_zh, title_en, value, threshold,
           since, raised_at, last_at, case_id, create_case, simulated, open_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (open_key) DO NOTHING`,
      ).run(
        a.id, a.ruleId, a.kind, a.indicatorId, a.areaId, a.streetId, a.districtId, a.severity, a.state, a.title.zh, a.title.en, a.value, a.threshold,
        a.since, a.raisedAt, a.lastAt, a.caseId, a.createCase, a.simulated ? 1 : 0, `${a.ruleId}|${a.areaId}`,
      );
      if (r.changes === 0) return null;
      this.appendHistory(a.id, entry);
      return toAlarm(this.prep('SELECT * FROM alarms WHERE id = ?').get(a.id) as AlarmRow);
    })();
  }

  async update(id: string, change: AlarmChange, entry: NewAlarmHistory | null, expectedVersion?: number): Promise<Alarm | null> {
    return this.db.transaction(() => {
      const sets: string[] = [];
      const params: unknown[] = [];
      for (const [k, v] of Object.entries(change) as [keyof AlarmChange, unknown][]) {
        if (v === undefined) continue;
        sets.push(`${CHANGE_COLUMNS[k]} = ?`);
        params.push(v);
      }
      if (change.state === 'cleared') sets.push('open_key = NULL');
      sets.push('version = version + 1');
      const where = expectedVersion === undefined ? 'id = ?' : 'id = ? AND version = ?';
      const r = this.db.prepare(`UPDATE alarms SET ${sets.join(', ')} WHERE ${where}`).run(...params, id, ...(expectedVersion === undefined ? [] : [expectedVersion]));
      if (r.changes === 0) return null;
      if (entry) this.appendHistory(id, entry);
      return toAlarm(this.prep('SELECT * FROM alarms WHERE id = ?').get(id) as AlarmRow);
    })();
  }

  async get(id: string): Promise<Alarm | null> {
    const r = this.prep('SELECT * FROM alarms WHERE id = ?').get(id) as AlarmRow | undefined;
    return r ? toAlarm(r) : null;
  }

  async findOpen(ruleId: string, areaId: string): Promise<Alarm | null> {
    const r = this.prep('SELECT * FROM alarms WHERE open_key = ?').get(`${ruleId}|${areaId}`) as AlarmRow | undefined;
    return r ? toAlarm(r) : null;
  }

  async history(id: string): Promise<AlarmHistoryEntry[]> {
    const rows = this.prep('SELECT * FROM alarm_history WHERE alarm_id = ? ORDER BY seq').all(id) as {
      at: number; kind: string; severity: string; value: number | null; by_user: string | null; note: string | null;
    }[];
    return rows.map((r) => ({ at: iso(r.at), kind: r.kind as AlarmHistoryEntry['kind'], severity: r.severity as AlarmHistoryEntry['severity'], value: r.value, by: r.by_user, note: r.note }));
  }

  private where(f: Omit<AlarmFilter, 'limit'>): { sql: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (f.status === 'active') parts.push('cleared_at IS NULL');
    else if (f.status === 'cleared') parts.push('cleared_at IS NOT NULL');
    if (f.area && f.area.level && f.area.level !== 'city') {
      parts.push(`${AREA_COLUMN[f.area.level]} = ?`);
      params.push(f.area.id);
    }
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
  }

  async list(f: AlarmFilter): Promise<Alarm[]> {
    const w = this.where(f);
    const rows = this.db
      .prepare(
        `SELECT * FROM alarms ${w.sql}
         ORDER BY (cleared_at IS NOT NULL), ${SEVERITY_ORDER},
           CASE WHEN cleared_at IS NULL THEN raised_at ELSE -cleared_at END, id LIMIT ?`,
      )
      .all(...w.params, f.limit) as AlarmRow[];
    return rows.map(toAlarm);
  }

  async count(f: Omit<AlarmFilter, 'limit'>): Promise<number> {
    const w = this.where(f);
    return this.db.prepare(`SELECT count(*) FROM alarms ${w.sql}`).pluck().get(...w.params) as number;
  }

  async open(): Promise<Alarm[]> {
    return (this.prep('SELECT * FROM alarms WHERE cleared_at IS NULL').all() as AlarmRow[]).map(toAlarm);
  }

  async latestRuleSet() {
    const r = this.prep('SELECT * FROM alarm_rule_sets ORDER BY version DESC LIMIT 1').get() as
      | { version: number; rules: string; saved_at: number; saved_by: string }
      | undefined;
    if (!r) return null;
    // stored by this code after validation; parsed again so a hand-edited row cannot slip through
    const rules = AlarmRule.array().parse(JSON.parse(r.rules));
    return { version: r.version, rules, savedAt: r.saved_at, savedBy: r.saved_by };
  }

  async saveRuleSet(version: number, rules: AlarmRule[], at: number, by: string): Promise<boolean> {
    const r = this.prep('INSERT INTO alarm_rule_sets (version, rules, saved_at, saved_by) VALUES (?, ?, ?, ?) ON CONFLICT (version) DO NOTHING').run(
      version, JSON.stringify(rules), at, by,
    );
    return r.changes === 1;
  }
}
