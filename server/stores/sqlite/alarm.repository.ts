/**
 * @module server/stores/sqlite/alarm.repository
 * Alarms, their history and the versioned rule set, in the embedded database (migration 8). Rows
 * become wire records ({@link Alarm}) through `rows.ts`.
 */
import { AlarmRule, type Alarm, type AlarmHistoryEntry, type AlarmView } from '../../../shared/index.ts';
import type { AlarmChange, AlarmFilter, AlarmRepository, AreaScope, NewAlarm, NewAlarmHistory } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';
import { ALARM_AREA_COLUMN, ALARM_CHANGE_COLUMNS, ALARM_SEVERITY_ORDER } from '../columns.ts';
import { alarmFromRow, alarmHistoryFromRow, type AlarmHistoryRow, type AlarmRow } from './rows.ts';


export class SqliteAlarmRepository implements AlarmRepository {
  constructor(private readonly conn: SqliteConnection) {}

  private appendHistory(id: string, e: NewAlarmHistory): void {
    const seq = (this.conn.prep('SELECT COALESCE(MAX(seq), 0) + 1 FROM alarm_history WHERE alarm_id = ?').pluck().get(id) as number) ?? 1;
    this.conn.prep('INSERT INTO alarm_history (alarm_id, seq, at, kind, severity, value, by_user, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      id, seq, e.at, e.kind, e.severity, e.value, e.by, e.note,
    );
  }

  async insert(a: NewAlarm, entry: NewAlarmHistory): Promise<Alarm | null> {
    return this.conn.db.transaction(() => {
      const r = this.conn.prep(
        `INSERT INTO alarms (id, rule_id, kind, indicator_id, area_id, street_id, district_id, severity, state, title_zh, title_en, value, threshold,
           since, raised_at, last_at, case_id, create_case, simulated, open_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (open_key) DO NOTHING`,
      ).run(
        a.id, a.ruleId, a.kind, a.indicatorId, a.areaId, a.streetId, a.districtId, a.severity, a.state, a.title.zh, a.title.en, a.value, a.threshold,
        a.since, a.raisedAt, a.lastAt, a.caseId, a.createCase, a.simulated ? 1 : 0, `${a.ruleId}|${a.areaId}`,
      );
      if (r.changes === 0) return null;
      this.appendHistory(a.id, entry);
      return alarmFromRow(this.conn.prep('SELECT * FROM alarms WHERE id = ?').get(a.id) as AlarmRow);
    }).immediate();
  }

  async update(id: string, change: AlarmChange, entry: NewAlarmHistory | null, expectedVersion?: number): Promise<Alarm | null> {
    return this.conn.db.transaction(() => {
      const sets: string[] = [];
      const params: unknown[] = [];
      for (const [k, v] of Object.entries(change) as [keyof AlarmChange, unknown][]) {
        if (v === undefined || !Object.hasOwn(ALARM_CHANGE_COLUMNS, k)) continue;
        sets.push(`${ALARM_CHANGE_COLUMNS[k]} = ?`);
        params.push(v);
      }
      if (change.state === 'cleared') sets.push('open_key = NULL');
      sets.push('version = version + 1');
      // a clearing applies to an open episode only: of two evaluators clearing it, one does
      const where = `id = ?${expectedVersion === undefined ? '' : ' AND version = ?'}${change.clearedAt != null ? ' AND cleared_at IS NULL' : ''}`;
      const r = this.conn.db.prepare(`UPDATE alarms SET ${sets.join(', ')} WHERE ${where}`).run(...params, id, ...(expectedVersion === undefined ? [] : [expectedVersion]));
      if (r.changes === 0) return null;
      if (entry) this.appendHistory(id, entry);
      return alarmFromRow(this.conn.prep('SELECT * FROM alarms WHERE id = ?').get(id) as AlarmRow);
    }).immediate();
  }

  async get(id: string): Promise<Alarm | null> {
    const r = this.conn.prep('SELECT * FROM alarms WHERE id = ?').get(id) as AlarmRow | undefined;
    return r ? alarmFromRow(r) : null;
  }

  async findOpen(ruleId: string, areaId: string): Promise<Alarm | null> {
    const r = this.conn.prep('SELECT * FROM alarms WHERE open_key = ?').get(`${ruleId}|${areaId}`) as AlarmRow | undefined;
    return r ? alarmFromRow(r) : null;
  }

  async history(id: string): Promise<AlarmHistoryEntry[]> {
    return (this.conn.prep('SELECT * FROM alarm_history WHERE alarm_id = ? ORDER BY seq').all(id) as AlarmHistoryRow[]).map(alarmHistoryFromRow);
  }

  private where(f: Omit<AlarmFilter, 'limit'>): { sql: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (f.status === 'active') parts.push('cleared_at IS NULL');
    else if (f.status === 'cleared') parts.push('cleared_at IS NOT NULL');
    if (f.area && f.area.level && f.area.level !== 'city') {
      parts.push(`${ALARM_AREA_COLUMN[f.area.level]} = ?`);
      params.push(f.area.id);
    }
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
  }

  async list(f: AlarmFilter): Promise<Alarm[]> {
    const w = this.where(f);
    const rows = this.conn.db
      .prepare(
        `SELECT * FROM alarms ${w.sql}
         ORDER BY (cleared_at IS NOT NULL), ${ALARM_SEVERITY_ORDER},
           CASE WHEN cleared_at IS NULL THEN raised_at ELSE -cleared_at END, id LIMIT ?`,
      )
      .all(...w.params, f.limit) as AlarmRow[];
    return rows.map(alarmFromRow);
  }

  async count(f: Omit<AlarmFilter, 'limit'>): Promise<number> {
    const w = this.where(f);
    return this.conn.db.prepare(`SELECT count(*) FROM alarms ${w.sql}`).pluck().get(...w.params) as number;
  }

  async open(): Promise<Alarm[]> {
    return (this.conn.prep('SELECT * FROM alarms WHERE cleared_at IS NULL').all() as AlarmRow[]).map(alarmFromRow);
  }

  async overlapping(from: number, to: number, limit: number, area?: AreaScope): Promise<AlarmView[]> {
    const scoped = area?.level && area.level !== 'city' ? ` AND ${ALARM_AREA_COLUMN[area.level]} = @area` : '';
    const rows = this.conn.prep(
      `SELECT * FROM alarms WHERE raised_at <= @to AND (cleared_at IS NULL OR cleared_at >= @from)${scoped} ORDER BY raised_at, id LIMIT @limit`,
    ).all({ from, to, limit, area: area?.id ?? null }) as AlarmRow[];
    const history = this.conn.prep('SELECT * FROM alarm_history WHERE alarm_id = ? ORDER BY seq');
    return rows.map((r) => ({ ...alarmFromRow(r), history: (history.all(r.id) as AlarmHistoryRow[]).map(alarmHistoryFromRow) }));
  }

  async latestRuleSet() {
    const r = this.conn.prep('SELECT * FROM alarm_rule_sets ORDER BY version DESC LIMIT 1').get() as
      | { version: number; rules: string; saved_at: number; saved_by: string }
      | undefined;
    if (!r) return null;
    // stored by this code after validation; parsed again so a hand-edited row cannot slip through
    const rules = AlarmRule.array().parse(JSON.parse(r.rules));
    return { version: r.version, rules, savedAt: r.saved_at, savedBy: r.saved_by };
  }

  async saveRuleSet(version: number, rules: AlarmRule[], at: number, by: string): Promise<boolean> {
    const r = this.conn.prep('INSERT INTO alarm_rule_sets (version, rules, saved_at, saved_by) VALUES (?, ?, ?, ?) ON CONFLICT (version) DO NOTHING').run(
      version, JSON.stringify(rules), at, by,
    );
    return r.changes === 1;
  }
}
