/**
 * @module server/stores/sqlite/readings.repository
 * Indicator readings (raw, latest and folded hourly) and the rolled-up series in the embedded database.
 */
import type { HourlyReadingRow, LatestReading, NewReading, ReadingRepository, SeriesRow } from '../../ports.ts';
import type { SqliteConnection } from './connection.ts';
import { latestReadingFromRow, type LatestReadingRow } from './rows.ts';

export class SqliteReadingRepository implements ReadingRepository {
  constructor(private readonly conn: SqliteConnection) {}

  async insertReadings(readings: NewReading[]): Promise<void> {
    const ins = this.conn.prep(
      'INSERT INTO readings (indicator_id, area_id, value, at, received_at, simulated) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const latest = this.conn.prep(`INSERT INTO readings_latest (indicator_id, area_id, value, at, simulated) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (indicator_id, area_id) DO UPDATE SET value = excluded.value, at = excluded.at, simulated = excluded.simulated
      WHERE excluded.at >= readings_latest.at`);
    this.conn.db.transaction(() => {
      for (const r of readings) {
        const sim = r.simulated ? 1 : 0;
        ins.run(r.indicatorId, r.areaId, r.value, r.at, r.receivedAt, sim);
        latest.run(r.indicatorId, r.areaId, r.value, r.at, sim);
      }
    }).immediate();
  }

  async latestReadings(): Promise<LatestReading[]> {
    return (this.conn.prep('SELECT indicator_id, area_id, value, at, simulated FROM readings_latest').all() as LatestReadingRow[]).map(latestReadingFromRow);
  }

  async downsampleReadings(before: number): Promise<number> {
    return this.conn.db.transaction(() => {
      // fold each (indicator, area, hour) group; `last` is the value with the newest `at`
      this.conn.db
        .prepare(
          `INSERT INTO readings_hourly (indicator_id, area_id, hour, n, sum, min, max, last, last_at)
           SELECT indicator_id, area_id, (at / 3600000) * 3600000 AS hour, COUNT(*), SUM(value), MIN(value), MAX(value),
                  (SELECT r2.value FROM readings r2 WHERE r2.indicator_id = r.indicator_id AND r2.area_id = r.area_id
                     AND (r2.at / 3600000) = (r.at / 3600000) AND r2.at < @before ORDER BY r2.at DESC, r2.id DESC LIMIT 1),
                  MAX(at)
           FROM readings r WHERE at < @before GROUP BY indicator_id, area_id, at / 3600000
           ON CONFLICT (indicator_id, area_id, hour) DO UPDATE SET
             n = n + excluded.n, sum = sum + excluded.sum, min = MIN(min, excluded.min), max = MAX(max, excluded.max),
             last = CASE WHEN excluded.last_at >= last_at THEN excluded.last ELSE last END,
             last_at = MAX(last_at, excluded.last_at)`,
        )
        .run({ before });
      return this.conn.db.prepare('DELETE FROM readings WHERE at < ?').run(before).changes;
    }).immediate();
  }

  async hourlyReadings(indicatorId: string, areaId: string, from: number, to: number): Promise<HourlyReadingRow[]> {
    return this.conn.db
      .prepare(
        `SELECT indicator_id AS indicatorId, area_id AS areaId, hour, n, sum, min, max, last FROM readings_hourly
         WHERE indicator_id = ? AND area_id = ? AND hour >= ? AND hour < ? ORDER BY hour`,
      )
      .all(indicatorId, areaId, from, to) as HourlyReadingRow[];
  }

  async readingHours(indicatorId: string, areaId: string, from: number): Promise<{ hour: number; value: number }[]> {
    // an hour may be partly folded already: its aggregate and its raw rows are summed together
    return this.conn.prep(
      `SELECT hour, SUM(s) / SUM(n) AS value FROM (
         SELECT hour, sum AS s, n FROM readings_hourly WHERE indicator_id = @i AND area_id = @a AND hour >= @from
         UNION ALL
         SELECT (at / 3600000) * 3600000 AS hour, SUM(value) AS s, COUNT(*) AS n FROM readings
           WHERE at >= @from AND indicator_id = @i AND area_id = @a GROUP BY at / 3600000
       ) GROUP BY hour ORDER BY hour`,
    ).all({ i: indicatorId, a: areaId, from }) as { hour: number; value: number }[];
  }

  async oldestReadingAt(): Promise<number | null> {
    return (this.conn.prep('SELECT MIN(at) FROM readings').pluck().get() as number | null) ?? null;
  }

  async rawReadingCount(): Promise<number> {
    return this.conn.db.prepare('SELECT COUNT(*) FROM readings').pluck().get() as number;
  }

  async upsertSeries(rows: SeriesRow[]): Promise<void> {
    const up = this.conn.prep(`INSERT INTO indicator_series (indicator_id, area_id, bucket, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (area_id, bucket, indicator_id) DO UPDATE SET value = excluded.value`);
    this.conn.db.transaction(() => {
      for (const r of rows) up.run(r.indicatorId, r.areaId, r.bucket, r.value);
    }).immediate();
  }

  async series(areaId: string, from: number, to = Number.MAX_SAFE_INTEGER): Promise<SeriesRow[]> {
    return this.conn.db
      .prepare(
        `SELECT indicator_id AS indicatorId, area_id AS areaId, bucket, value FROM indicator_series
         WHERE area_id = ? AND bucket >= ? AND bucket <= ? ORDER BY bucket`,
      )
      .all(areaId, from, to) as SeriesRow[];
  }

  async readingsAsOf(at: number, since: number): Promise<LatestReading[]> {
    // one indexed look-up per series ever reported (readings_latest lists them): the newest raw
    // reading by (indicator, area, at), and the newest folded hour whose last reading is by `at`
    const p = { at, since };
    const raw = this.conn.prep(
      `SELECT r.indicator_id, r.area_id, r.value, r.at, r.simulated FROM readings_latest l
       JOIN readings r ON r.id = (SELECT x.id FROM readings x WHERE x.indicator_id = l.indicator_id AND x.area_id = l.area_id
         AND x.at <= @at AND x.at > @since ORDER BY x.at DESC, x.id DESC LIMIT 1)`,
    ).all(p) as LatestReadingRow[];
    const folded = this.conn.prep(
      `SELECT h.indicator_id, h.area_id, h.last AS value, h.last_at AS at, l.simulated FROM readings_latest l
       JOIN readings_hourly h ON h.indicator_id = l.indicator_id AND h.area_id = l.area_id AND h.hour = (
         SELECT y.hour FROM readings_hourly y WHERE y.indicator_id = l.indicator_id AND y.area_id = l.area_id
           AND y.hour <= @at AND y.hour > @since - 3600000 AND y.last_at <= @at AND y.last_at > @since ORDER BY y.hour DESC LIMIT 1)`,
    ).all(p) as LatestReadingRow[];
    const out = new Map<string, LatestReading>();
    for (const r of [...folded, ...raw].map(latestReadingFromRow)) {
      const k = `${r.indicatorId}|${r.areaId}`;
      const prev = out.get(k);
      if (!prev || r.at >= prev.at) out.set(k, r);
    }
    return [...out.values()];
  }

  async pruneSeries(before: number): Promise<void> {
    this.conn.db.prepare('DELETE FROM indicator_series WHERE bucket < ?').run(before);
  }
}
