/**
 * @module web/utils/time-input
 * `<input type="datetime-local">` values read and written as Asia/Shanghai wall-clock time, so
 * an audit filter means the same on every computer whatever its own time zone.
 */
import { SHANGHAI_OFFSET_MS } from './format.ts';

/**
 * A `datetime-local` value (`2026-11-22T09:30`) as an ISO instant in +08:00, or null when empty
 * or malformed.
 * @example shanghaiInputToIso('2026-11-22T09:30') // '2026-11-22T09:30:00+08:00'
 */
export function shanghaiInputToIso(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value.trim());
  if (!m) return null;
  const iso = `${m[1]}T${m[2]}${m[3] ?? ':00'}+08:00`;
  return Number.isFinite(Date.parse(iso)) ? iso : null;
}

/** An instant as a `datetime-local` value in Shanghai time (minutes). */
export function isoToShanghaiInput(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);
}
