/**
 * @module server/simulator/pm25
 * Replays the real hourly PM2.5 series of the Jing'an station (UCI PM2.5 data set, 2013–2015),
 * time-shifted to now: a moment maps to the same calendar day and hour in the newest year of the
 * series that has a value for it, interpolated between hours.
 */
import { readFileSync } from 'node:fs';

export class Pm25Replay {
  /** key MM-DD-HH → value, from the newest year that has it */
  private readonly byHour = new Map<string, number>();

  constructor(csvText: string) {
    const lines = csvText.trim().split(/\r?\n/).slice(1);
    for (const line of lines) {
      const [y, m, d, h, v] = line.split(',');
      const value = Number(v);
      if (!Number.isFinite(value)) continue;
      const key = `${m!.padStart(2, '0')}-${d!.padStart(2, '0')}-${h!.padStart(2, '0')}`;
      // rows ascend by time, so a later year overwrites an earlier one
      void y;
      this.byHour.set(key, value);
    }
    if (this.byHour.size === 0) throw new Error('PM2.5 series is empty');
  }

  static fromFile(path: string): Pm25Replay {
    return new Pm25Replay(readFileSync(path, 'utf8'));
  }

  /** the value at local wall-clock time (year ignored); `localMs` is epoch ms shifted to local time */
  private hourValue(localMs: number): number {
    // search back up to two days for an hour the series has (gaps in the station data)
    for (let back = 0; back < 48; back++) {
      const d = new Date(localMs - back * 3_600_000);
      const key = `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}-${String(d.getUTCHours()).padStart(2, '0')}`;
      const v = this.byHour.get(key);
      if (v !== undefined) return v;
    }
    return [...this.byHour.values()][0]!;
  }

  /** PM2.5 in µg/m³ at instant t in a zone `offsetMs` ahead of UTC, linearly interpolated */
  at(t: number, offsetMs: number): number {
    const local = t + offsetMs;
    const h0 = local - (local % 3_600_000);
    const f = (local - h0) / 3_600_000;
    const a = this.hourValue(h0);
    const b = this.hourValue(h0 + 3_600_000);
    return Math.round((a + (b - a) * f) * 10) / 10;
  }
}
