/**
 * @module server/domain/time
 * Local-time arithmetic for "today" and hourly buckets in the centre's time zone, with Intl only.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** offset of the zone from UTC at instant t, in ms (Shanghai: +8 h) */
export function zoneOffsetMs(t: number, tz: string): number {
  const parts = Object.fromEntries(fmt(tz).formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** epoch ms of the local midnight that starts the day containing t */
export function startOfLocalDay(t: number, tz: string): number {
  const off = zoneOffsetMs(t, tz);
  const local = t + off;
  const midnightLocal = local - (((local % 86_400_000) + 86_400_000) % 86_400_000);
  return midnightLocal - zoneOffsetMs(midnightLocal - off, tz);
}

/**
 * epoch ms of the local midnight that starts the day after the one starting at dayStart: 23, 24
 * or 25 hours later where the zone changes its offset
 */
export function nextLocalDay(dayStart: number, tz: string): number {
  return startOfLocalDay(dayStart + 36 * 3_600_000, tz);
}

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
