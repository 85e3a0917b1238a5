/**
 * @module server/stores/postgres/readings.repository
 * Indicator readings (raw, and folded into hourly aggregates) and the rolled-up series. Batches
 * are written set-wise (`unnest` of one array per column), one statement per table.
 */
import type { HourlyReadingRow, LatestReading, NewReading, ReadingRepository, SeriesRow } from '../../ports.ts';
import type { PgConnection } from './connection.ts';
import { LOCK } from './migrations.ts';
import { latestReadingFromRow, type LatestReadingRow } from './rows.ts';

export class PgReadingsRepository implements ReadingRepository {
  constructor(private readonly db: PgConnection) {}

  async insertReadings(readings: NewReading[]): Promise<void> {
    if (readings.length === 0) return;
    // the newest of the batch per (indicator, area); of equal times the later item wins, as when
    // the items are applied one by one
    const latest = new Map<string, NewReading>();
    for (const r of readings) {
      const key = `${r.indicatorId}\u0000${r.areaId}`;
      const prev = latest.get(key);
      if (!prev || r.at >= prev.at) latest.set(key, r);
    }
    const top = [...latest.values()];
    await this.db.tx(async (c) => {
      await c.query(
        `INSERT INTO readings (indicator_id, area_id, value, at, received_at, simulated)
         SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::int8[], $5::int8[], $6::bool[])`,
        [readings.map((r) => r.indicatorId), readings.map((r) => r.areaId), readings.map((r) => r.value), readings.map((r) => r.at), readings.map((r) => r.receivedAt), readings.map((r) => r.simulated)],
      );
      await c.query(
        `INSERT INTO readings_latest (indicator_id, area_id, value, at, simulated)
         SELECT * FROM unnest($1::text[], $2::text[], $3::float8[], $4::int8[], $5::bool[])
         ON CONFLICT (indicator_id, area_id) DO UPDATE SET value = excluded.value, at = excluded.at, simulated = excluded.simulated
         WHERE excluded.at >= readings_latest.at`,
        [top.map((r) => r.indicatorId), top.map((r) => r.areaId), top.map((r) => r.value), top.map((r) => r.at), top.map((r) => r.simulated)],
      );
    });
  }

  async latestReadings(): Promise<LatestReading[]> {
    return (await this.db.rows<LatestReadingRow>('SELECT indicator_id, area_id, value, at, simulated FROM readings_latest')).map(latestReadingFromRow);
  }

  async downsampleReadings(before: number): Promise<number> {
    return this.db.tx(async (c) => {
      // one fold at a time in the cluster: a second node waits, then (its next statement seeing the
      // first one's commit) finds the raw rows gone instead of adding them again
      await c.query('SELECT pg_advisory_xact_lock($1)', [LOCK.downsample.toString()]);
      // fold each (indicator, area, hour) group; `last` is the value with the newest `at`. One
      // statement (one snapshot) deletes exactly the rows it folds: a reading of an old hour that
      // another node commits meanwhile stays raw for the next fold, instead of being deleted unfolded
      const r = await c.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM readings WHERE at < $1 RETURNING id, indicator_id, area_id, value, at
         ), folded AS (
           INSERT INTO readings_hourly AS h (indicator_id, area_id, hour, n, sum, min, max, last, last_at)
           SELECT indicator_id, area_id, (at / 3600000) * 3600000, COUNT(*), SUM(value), MIN(value), MAX(value),
                  (array_agg(value ORDER BY at DESC, id DESC))[1], MAX(at)
           FROM gone GROUP BY indicator_id, area_id, at / 3600000
           ON CONFLICT (indicator_id, area_id, hour) DO UPDATE SET
             n = h.n + excluded.n, sum = h.sum + excluded.sum, min = LEAST(h.min, excluded.min), max = GREATEST(h.max, excluded.max),
             last = CASE WHEN excluded.last_at >= h.last_at THEN excluded.last ELSE h.last END,
             last_at = GREATEST(h.last_at, excluded.last_at)
         )
         SELECT count(*) AS n FROM gone`,
        [before],
      );
      return r.rows[0]!.n;
    });
  }

  async hourlyReadings(indicatorId: string, areaId: string, from: number, to: number): Promise<HourlyReadingRow[]> {
    return this.db.rows<HourlyReadingRow>(
      `SELECT indicator_id AS "indicatorId", area_id AS "areaId", hour, n, sum, min, max, last FROM readings_hourly
       WHERE indicator_id = $1 AND area_id = $2 AND hour >= $3 AND hour < $4 ORDER BY hour`,
      [indicatorId, areaId, from, to],
    );
  }

  async readingHours(indicatorId: string, areaId: string, from: number): Promise<{ hour: number; value: number }[]> {
    // an hour may be partly folded already: its aggregate and its raw rows are summed together
    return this.db.rows<{ hour: number; value: number }>(
      `SELECT hour, SUM(s) / SUM(n)::float8 AS value FROM (
         SELECT hour, sum AS s, n::bigint AS n FROM readings_hourly WHERE indicator_id = $1 AND area_id = $2 AND hour >= $3
         UNION ALL
         SELECT (at / 3600000) * 3600000 AS hour, SUM(value) AS s, COUNT(*) AS n FROM readings
           WHERE at >= $3 AND indicator_id = $1 AND area_id = $2 GROUP BY at / 3600000
       ) x GROUP BY hour ORDER BY hour`,
      [indicatorId, areaId, from],
    );
  }

  async oldestReadingAt(): Promise<number | null> {
    return (await this.db.one<{ at: number | null }>('SELECT MIN(at) AS at FROM readings'))!.at;
  }

  async rawReadingCount(): Promise<number> {
    return (await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM readings'))!.n;
  }

  async upsertSeries(rows: SeriesRow[]): Promise<void> {
    if (rows.length === 0) return;
    // one statement may not touch a row twice: the last value of a (series, bucket) wins, as in order
    const last = new Map<string, SeriesRow>();
    for (const r of rows) last.set(`${r.areaId}\u0000${r.bucket}\u0000${r.indicatorId}`, r);
    const v = [...last.values()];
    await this.db.query(
      `INSERT INTO indicator_series (indicator_id, area_id, bucket, value)
       SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[])
       ON CONFLICT (area_id, bucket, indicator_id) DO UPDATE SET value = excluded.value`,
      [v.map((r) => r.indicatorId), v.map((r) => r.areaId), v.map((r) => r.bucket), v.map((r) => r.value)],
    );
  }

  async series(areaId: string, from: number, to = Number.MAX_SAFE_INTEGER): Promise<SeriesRow[]> {
    return this.db.rows<SeriesRow>(
      `SELECT indicator_id AS "indicatorId", area_id AS "areaId", bucket, value FROM indicator_series
       WHERE area_id = $1 AND bucket >= $2 AND bucket <= $3 ORDER BY bucket, indicator_id`,
      [areaId, from, to],
    );
  }

  async readingsAsOf(at: number, since: number): Promise<LatestReading[]> {
    // one indexed look-up per series ever reported (readings_latest lists them): the newest raw
    // reading by (indicator, area, at), and the newest folded hour whose last reading is by `at`
    const rows = await this.db.rows<LatestReadingRow>(
      `SELECT l.indicator_id, l.area_id, x.value, x.at, x.simulated FROM readings_latest l
       CROSS JOIN LATERAL (
         (SELECT r.value, r.at, r.simulated FROM readings r WHERE r.indicator_id = l.indicator_id AND r.area_id = l.area_id
            AND r.at <= $1 AND r.at > $2 ORDER BY r.at DESC, r.id DESC LIMIT 1)
         UNION ALL
         (SELECT h.last, h.last_at, l.simulated FROM readings_hourly h WHERE h.indicator_id = l.indicator_id AND h.area_id = l.area_id
            AND h.hour <= $1 AND h.hour > $2 - 3600000 AND h.last_at <= $1 AND h.last_at > $2 ORDER BY h.hour DESC LIMIT 1)
         ORDER BY at DESC LIMIT 1
       ) x`,
      [Math.floor(at), Math.floor(since)], // whole ms: times are bigint here
    );
    return rows.map(latestReadingFromRow);
  }

  async pruneSeries(before: number): Promise<void> {
    await this.db.query('DELETE FROM indicator_series WHERE bucket < $1', [before]);
  }
}
