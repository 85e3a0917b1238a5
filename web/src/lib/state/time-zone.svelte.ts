/**
 * @module web/state/time-zone
 * The centre's time zone for every date and time the web shows or reads: the server's
 * `TIME_ZONE`, taken from `GET /api/health` (like the clocks' `warnAt`). Until that answer is in
 * it is the server's default, Asia/Shanghai.
 *
 * It is reactive ($state): a template or `$derived` that formats a time reads it, and redraws
 * when the health answer names another zone. Plain callers (tests, pure modules) just read it.
 */
import { DEFAULT_TIME_ZONE, isValidTimeZone } from '../utils/time-zone.ts';

let zone = $state(DEFAULT_TIME_ZONE);

/** The zone in force. */
export function wallTimeZone(): string {
  return zone;
}

/**
 * Follows the server's zone. An unknown zone (the browser's time-zone data lacks it) is ignored
 * with a warning and the previous one kept; returns whether the zone is now `tz`.
 */
export function setWallTimeZone(tz: string): boolean {
  if (!isValidTimeZone(tz)) {
    console.warn(`[onescreen] unknown time zone ${JSON.stringify(tz)}; keeping ${zone}`);
    return false;
  }
  if (tz !== zone) zone = tz;
  return true;
}
