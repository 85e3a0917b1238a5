/**
 * @module web/utils/data-age
 * How old the data of each wall widget is, and whether it is stale and why (§2 of the 30-day
 * wall): pure functions over values and a clock, no I/O.
 *
 * Three kinds of widget data:
 * - **the stream** (map, ticker, alarms, deadline watch, hourly chart): current while the live
 *   stream is connected and synced (the server pushes every change); once it is not, the data is
 *   as of the moment it was lost, and stale after {@link STREAM_GRACE_MS};
 * - **an indicator value** (a tile, the PM2.5 trend): as of its reading's time, stale past its
 *   definition's `staleAfterSec` (its source is silent), or when the stream is lost;
 * - **fetched figures** (the closed-loop board and funnel, the 12345 panel): as of the last good
 *   answer, stale past their own window or when the last request failed.
 *
 * A stale widget names one reason; the connection's reason goes first (while it is lost nothing
 * can be said of the sources).
 *
 * @example
 * const s = streamHealth({ connection: 'reconnecting', synced: false, lostAt: t0, lostBy: 'network' });
 * streamAge(s, now)          // { updatedAt: t0, stale: 'connection_lost' } after the grace
 * ageText(streamAge(s, now), now, 'en')  // '12 s ago'
 */
import { formatAge } from './format.ts';
import { t, type Lang } from './i18n.ts';

/** Why a widget is stale. */
export type StaleReason =
  /** the sensor or system feeding an indicator sent nothing within its staleness window */
  | 'source_silent'
  /** the live stream (or this machine's network) is down */
  | 'connection_lost'
  /** the server closed the stream and does not answer: it is restarting or being redeployed */
  | 'server_restarting'
  /** connected, but the data is being reloaded (a gap or a new server epoch) */
  | 'resyncing'
  /** fetched figures could not be refreshed (the server answered with an error, or not at all) */
  | 'not_updating';

export const STALE_REASONS: readonly StaleReason[] = ['source_silent', 'connection_lost', 'server_restarting', 'resyncing', 'not_updating'];

/** A widget's data age: the server time its data is as of (ms; 0 = no data yet) and why it is stale. */
export interface DataAge {
  updatedAt: number;
  stale: StaleReason | null;
}

/** A stream that was live this recently is not yet stale: a blip does not grey the wall. */
export const STREAM_GRACE_MS = 5_000;

/** How the server stream stands, as the wall knows it (times on the server's clock, ms). */
export interface StreamHealth {
  /** connected and synced: every change is being pushed */
  live: boolean;
  /** since when it is not live (0 while live, or before it ever was) */
  lostAt: number;
  /** what stands between the wall and live data, while not live */
  reason: Extract<StaleReason, 'connection_lost' | 'server_restarting' | 'resyncing'> | null;
}

/** What {@link streamHealth} reads. */
export interface StreamFacts {
  connection: 'connecting' | 'connected' | 'reconnecting' | 'offline';
  /** the stream's data is synced (a snapshot and every delta since) */
  synced: boolean;
  /** server-clock ms since when it is not live (0 = unknown) */
  lostAt: number;
  /** how it was lost: the network, or the server closed it (and did not answer since) */
  lostBy: 'network' | 'server' | null;
}

/** The stream's health from what the live source reports. */
export function streamHealth(f: StreamFacts): StreamHealth {
  if (f.connection === 'connected' && f.synced) return { live: true, lostAt: 0, reason: null };
  const reason = f.connection === 'connected' ? 'resyncing' : f.lostBy === 'server' ? 'server_restarting' : 'connection_lost';
  return { live: false, lostAt: f.lostAt, reason };
}

/** The stream's reason once it has been down longer than the grace, else null. */
export function streamStale(s: StreamHealth, nowMs: number): StaleReason | null {
  if (s.live || !s.reason) return null;
  // never live yet (lostAt unknown): the wall is loading, which the banner says; nothing to grey
  if (!s.lostAt) return null;
  return nowMs - s.lostAt > STREAM_GRACE_MS ? s.reason : null;
}

/** Age of data fed by the stream: now while live, else the moment it was lost. */
export function streamAge(s: StreamHealth, nowMs: number, hasData = true): DataAge {
  if (!hasData) return { updatedAt: 0, stale: streamStale(s, nowMs) };
  return { updatedAt: s.live ? nowMs : s.lostAt || nowMs, stale: streamStale(s, nowMs) };
}

/**
 * Age of an indicator value: as of its reading, stale past `staleAfterSec` (source silent),
 * with the stream's reason first.
 */
export function valueAge(atIso: string | null | undefined, staleAfterSec: number, s: StreamHealth, nowMs: number): DataAge {
  const at = atIso ? Date.parse(atIso) : NaN;
  const updatedAt = Number.isFinite(at) ? at : 0;
  const conn = streamStale(s, nowMs);
  if (conn) return { updatedAt, stale: conn };
  if (!updatedAt) return { updatedAt: 0, stale: null };
  return { updatedAt, stale: nowMs - updatedAt > staleAfterSec * 1000 ? 'source_silent' : null };
}

/**
 * Age of an indicator's value on the wall. A `derived` indicator (open cases, overdue, the loop's
 * rates, 12345 calls) is computed by the server from the cases it holds, not read from a source:
 * the server re-stamps it on every refresh but sends it only when its value or status changes, so
 * it is as current as the stream, however long its value stays the same (a night with no overdue
 * case). Any other indicator is as old as its reading ({@link valueAge}).
 */
export function indicatorAge(def: { source: string; staleAfterSec: number }, atIso: string | null | undefined, s: StreamHealth, nowMs: number): DataAge {
  return def.source === 'derived' ? streamAge(s, nowMs, !!atIso) : valueAge(atIso, def.staleAfterSec, s, nowMs);
}

/** Age of the newest of several ages (a panel of tiles): stale when every one with data is. */
export function newestAge(ages: readonly DataAge[]): DataAge {
  const withData = ages.filter((a) => a.updatedAt > 0);
  if (withData.length === 0) return { updatedAt: 0, stale: ages.find((a) => a.stale)?.stale ?? null };
  const newest = withData.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a));
  const fresh = withData.find((a) => !a.stale);
  return { updatedAt: newest.updatedAt, stale: fresh ? null : newest.stale };
}

/**
 * Age of fetched figures: as of the last good answer (server-clock ms, 0 = none yet). The last
 * good answer is kept through errors: it is stale once older than `windowMs`, or, with none yet,
 * once a request failed; the stream's reason goes first.
 */
export function fetchedAge(fetchedAt: number, windowMs: number, failed: boolean, s: StreamHealth, nowMs: number): DataAge {
  const conn = streamStale(s, nowMs);
  if (conn) return { updatedAt: fetchedAt, stale: conn };
  if (!fetchedAt) return { updatedAt: 0, stale: failed ? 'not_updating' : null };
  return { updatedAt: fetchedAt, stale: nowMs - fetchedAt > windowMs ? 'not_updating' : null };
}

/** Data younger than this reads "live" (实时). */
export const LIVE_AGE_MS = 2_000;

/** How old the data is, e.g. `12 s ago` / `12秒前`, or `live` / `实时`; empty without data. */
export function ageText(age: DataAge, nowMs: number, lang: Lang): string {
  if (age.updatedAt <= 0) return '';
  return nowMs - age.updatedAt < LIVE_AGE_MS ? t(lang, 'ageLive') : formatAge(nowMs - age.updatedAt, lang);
}

/** `data-updated-at`: the ISO time of the data, or nothing when there is none yet. */
export function updatedAtAttr(age: DataAge): string | undefined {
  return age.updatedAt > 0 ? new Date(age.updatedAt).toISOString() : undefined;
}
