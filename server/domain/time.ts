/**
 * @module server/domain/time
 * Local-time arithmetic for "today" and hourly buckets in the centre's time zone; the calendar
 * arithmetic itself is shared with the web (`shared/time-zone.ts`).
 */
import { addZonedDays, startOfZonedDay, zoneOffsetMs } from '../../shared/time-zone.ts';

export { zoneOffsetMs } from '../../shared/time-zone.ts';

/** epoch ms of the local midnight that starts the day containing t (or its first instant, where midnight was skipped) */
export const startOfLocalDay = (t: number, tz: string): number => startOfZonedDay(t, tz);

/**
 * epoch ms of the local midnight that starts the day after the one starting at dayStart: 23, 24
 * or 25 hours later where the zone changes its offset
 */
export const nextLocalDay = (dayStart: number, tz: string): number => addZonedDays(dayStart, 1, tz);

/**
 * counts per local hour of day (0–23) of the times in [dayStart, nextLocalDay): on the day the
 * clocks go back the repeated hour shares one slot, on the day they jump the skipped hour stays
 * empty (the web counts live events into the same slots)
 */
export function hourHistogram(times: readonly number[], dayStart: number, tz: string): number[] {
  const out = new Array<number>(24).fill(0);
  const dayEnd = nextLocalDay(dayStart, tz);
  // one offset all day, except on the days the zone changes it
  const first = zoneOffsetMs(dayStart, tz);
  const steady = first === zoneOffsetMs(dayEnd - 1, tz);
  for (const t of times) {
    if (t < dayStart || t >= dayEnd) continue;
    const local = t + (steady ? first : zoneOffsetMs(t, tz));
    out[Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000)]! += 1;
  }
  return out;
}

export const floorTo = (t: number, ms: number): number => t - (((t % ms) + ms) % ms);
