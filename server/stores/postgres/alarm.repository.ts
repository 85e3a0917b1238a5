/**
 * @module server/stores/postgres/alarm.repository
 * Alarms, their history and the versioned rule set. The database keeps one open episode per
 * (rule, area) (a unique `open_key`), an episode changes only at the version its writer read, and a
 * rule-set version is saved once: several nodes may evaluate and edit at the same time.
 */
import { AlarmRule, type Alarm, type AlarmHistoryEntry, type AlarmView } from '../../../shared/index.ts';
import type { AlarmChange, AlarmFilter, AlarmRepository, AreaScope, NewAlarm, NewAlarmHistory } from '../../ports.ts';
import { jsonParam, type PgConnection, type Queryable } from './connection.ts';
import { ALARM_AREA_COLUMN, ALARM_CHANGE_COLUMNS, ALARM_SEVERITY_ORDER } from '../columns.ts';
import { alarmFromRow, alarmHistoryFromRow, type AlarmHistoryRow, type AlarmRow } from './rows.ts';


export class PgAlarmRepository implements AlarmRepository {
  constructor(private readonly db: PgConnection) {}

  /** append a history entry; the caller holds the alarm's row (inserted or updated in this transaction) */
  private async appendHistory(c: Queryable, id: string, e: NewAlarmHistory): Promise<void> {
    await c.query(
      `INSERT INTO alarm_history (alarm_id, seq, at, kind, severity, value, by_user, note)
       VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM alarm_history WHERE alarm_id = $1), $2, $3, $4, $5, $6, $7)`,
      [id, e.at, e.kind, e.severity, e.value, e.by, e.note],
    );
  }

  async insert(a: NewAlarm, entry: NewAlarmHistory): Promise<Alarm | null> {
    return this.db.tx(async (c) => {
      const r = await c.query<AlarmRow>(
        `INSERT INTO alarms (id, rule_id, kind, indicator_id, area_id, street_id, district_id, severity, state, title_zh, title_en, value, threshold,
           since, raised_at, last_at, case_id, create_case, simulated, open_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) ON CONFLICT (open_key) DO NOTHING RETURNING *`,
        [
          a.id, a.ruleId, a.kind, a.indicatorId, a.areaId, a.streetId, a.districtId, a.severity, a.state, a.title.zh, a.title.en, a.value, a.threshold,
          a.since, a.raisedAt, a.lastAt, a.caseId, a.createCase, a.simulated, `${a.ruleId}|${a.areaId}`,
        ],
      );
      if (!r.rows[0]) return null;
      await this.appendHistory(c, a.id, entry);
      return alarmFromRow(r.rows[0]);
    });
  }

  async update(id: string, change: AlarmChange, entry: NewAlarmHistory | null, expectedVersion?: number): Promise<Alarm | null> {
    return this.db.tx(async (c) => {
      const sets: string[] = [];
      const params: unknown[] = [];
      for (const [k, v] of Object.entries(change) as [keyof AlarmChange, unknown][]) {
        if (v === undefined || !Object.hasOwn(ALARM_CHANGE_COLUMNS, k)) continue;
        params.push(v);
        sets.push(`${ALARM_CHANGE_COLUMNS[k]} = $${params.length}`);
      }
      if (change.state === 'cleared') sets.push('open_key = NULL');
      sets.push('version = version + 1');
      params.push(id);
      let where = `id = $${params.length}`;
      if (expectedVersion !== undefined) {
        params.push(expectedVersion);
        where += ` AND version = $${params.length}`;
      }
      // a clearing applies to an open episode only: of two evaluators (on any nodes) clearing it, one does
      if (change.clearedAt != null) where += ' AND cleared_at IS NULL';
      const r = await c.query<AlarmRow>(`UPDATE alarms SET ${sets.join(', ')} WHERE ${where} RETURNING *`, params);
      if (!r.rows[0]) return null;
      if (entry) await this.appendHistory(c, id, entry);
      return alarmFromRow(r.rows[0]);
    });
  }

  async get(id: string): Promise<Alarm | null> {
    const r = await this.db.one<AlarmRow>('SELECT * FROM alarms WHERE id = $1', [id]);
    return r ? alarmFromRow(r) : null;
  }

  async findOpen(ruleId: string, areaId: string): Promise<Alarm | null> {
    const r = await this.db.one<AlarmRow>('SELECT * FROM alarms WHERE open_key = $1', [`${ruleId}|${areaId}`]);
    return r ? alarmFromRow(r) : null;
  }

  async history(id: string): Promise<AlarmHistoryEntry[]> {
    return (await this.db.rows<AlarmHistoryRow>('SELECT * FROM alarm_history WHERE alarm_id = $1 ORDER BY seq', [id])).map(alarmHistoryFromRow);
  }

  private where(f: Omit<AlarmFilter, 'limit'>): { sql: string; params: unknown[] } {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (f.status === 'active') parts.push('cleared_at IS NULL');
    else if (f.status === 'cleared') parts.push('cleared_at IS NOT NULL');
    if (f.area && f.area.level && f.area.level !== 'city') {
      params.push(f.area.id);
      parts.push(`${ALARM_AREA_COLUMN[f.area.level]} = $${params.length}`);
    }
    return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
  }

  async list(f: AlarmFilter): Promise<Alarm[]> {
    const w = this.where(f);
    const rows = await this.db.rows<AlarmRow>(
      `SELECT * FROM alarms ${w.sql}
       ORDER BY (cleared_at IS NOT NULL), ${ALARM_SEVERITY_ORDER},
         CASE WHEN cleared_at IS NULL THEN raised_at ELSE -cleared_at END, id LIMIT $${w.params.length + 1}`,
      [...w.params, f.limit],
    );
    return rows.map(alarmFromRow);
  }

  async count(f: Omit<AlarmFilter, 'limit'>): Promise<number> {
    const w = this.where(f);
    return (await this.db.one<{ n: number }>(`SELECT count(*) AS n FROM alarms ${w.sql}`, w.params))!.n;
  }

  async open(): Promise<Alarm[]> {
    return (await this.db.rows<AlarmRow>('SELECT * FROM alarms WHERE cleared_at IS NULL')).map(alarmFromRow);
  }

  async overlapping(from: number, to: number, limit: number, area?: AreaScope): Promise<AlarmView[]> {
    const scoped = area?.level && area.level !== 'city' ? ` AND ${ALARM_AREA_COLUMN[area.level]} = $4` : '';
    const rows = await this.db.rows<AlarmRow>(
      `SELECT * FROM alarms WHERE raised_at <= $2 AND (cleared_at IS NULL OR cleared_at >= $1)${scoped} ORDER BY raised_at, id LIMIT $3`,
      [from, to, limit, ...(scoped ? [area!.id] : [])],
    );
    const history = new Map<string, AlarmHistoryEntry[]>(rows.map((r) => [r.id, []]));
    if (rows.length) {
      const entries = await this.db.rows<AlarmHistoryRow & { alarm_id: string }>('SELECT * FROM alarm_history WHERE alarm_id = ANY ($1::text[]) ORDER BY alarm_id, seq', [rows.map((r) => r.id)]);
      for (const e of entries) history.get(e.alarm_id)?.push(alarmHistoryFromRow(e));
    }
    return rows.map((r) => ({ ...alarmFromRow(r), history: history.get(r.id) ?? [] }));
  }

  async latestRuleSet() {
    const r = await this.db.one<{ version: number; rules: unknown; saved_at: number; saved_by: string }>(
      'SELECT * FROM alarm_rule_sets ORDER BY version DESC LIMIT 1',
    );
    if (!r) return null;
    // stored by this code after validation; parsed again so a hand-edited row cannot slip through
    const rules = AlarmRule.array().parse(r.rules);
    return { version: r.version, rules, savedAt: r.saved_at, savedBy: r.saved_by };
  }

  async saveRuleSet(version: number, rules: AlarmRule[], at: number, by: string): Promise<boolean> {
    // two editors (on any nodes) saving the same next version: the primary key lets one through
    const r = await this.db.query('INSERT INTO alarm_rule_sets (version, rules, saved_at, saved_by) VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING', [
      version, jsonParam(rules), at, by,
    ]);
    return r.rowCount === 1;
  }
}
