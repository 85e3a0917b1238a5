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

/** counts per hour: 24 slots from dayStart for the given timestamps */
export function hourHistogram(times: readonly number[], dayStart: number): number[] {
  const out = new Array<number>(24).fill(0);
  for (const t of times) {
    const h = Math.floor((t - dayStart) / 3_600_000);
    if (h >= 0 && h < 24) out[h]! += 1;
  }
  return out;
}

export const floorTo = (t: number, ms: number): number => t - (((t % ms) + ms) % ms);
