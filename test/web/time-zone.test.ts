import { afterEach, describe, expect, it, vi } from 'vitest';
import { setWallTimeZone, wallTimeZone } from '../../web/src/lib/state/time-zone.svelte.ts';
import { formatTime } from '../../web/src/lib/utils/format.ts';
import {
  addZonedDays,
  DEFAULT_TIME_ZONE,
  isoOffset,
  isValidTimeZone,
  resolveWallTime,
  resolveZonedInput,
  startOfZonedDay,
  utcOffsetLabel,
  zonedHour,
  zonedInputValue,
  zonedIso,
  zonedParts,
  zoneOffsetMs,
} from '../../web/src/lib/utils/time-zone.ts';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe(zonedParts.name, () => {
  it.each([
    ['Asia/Shanghai', '2026-11-21T16:30:00Z', { year: 2026, month: 11, day: 22, hour: 0, minute: 30, second: 0, weekday: 0 }],
    ['Europe/Berlin', '2026-12-31T23:00:00Z', { year: 2027, month: 1, day: 1, hour: 0, minute: 0, second: 0, weekday: 5 }],
    ['America/New_York', '2026-03-08T07:00:00Z', { year: 2026, month: 3, day: 8, hour: 3, minute: 0, second: 0, weekday: 0 }],
  ] as const)('should read the wall clock in %s at %s', (tz, at, expected) => {
    expect(zonedParts(Date.parse(at), tz)).toEqual(expected);
  });
  it('should give NaN fields for an unreadable time', () => {
    expect(zonedParts(NaN, 'Asia/Shanghai').hour).toBeNaN();
  });
});

describe(zoneOffsetMs.name, () => {
  it.each([
    ['Asia/Shanghai', '2026-01-15T00:00:00Z', 8],
    ['Asia/Shanghai', '2026-07-15T00:00:00Z', 8],
    ['Europe/Berlin', '2026-03-29T00:59:59Z', 1],
    ['Europe/Berlin', '2026-03-29T01:00:00Z', 2],
    ['Europe/Berlin', '2026-10-25T00:59:59Z', 2],
    ['Europe/Berlin', '2026-10-25T01:00:00Z', 1],
    ['America/New_York', '2026-03-08T06:59:59Z', -5],
    ['America/New_York', '2026-03-08T07:00:00Z', -4],
    ['Asia/Kathmandu', '2026-01-15T00:00:00Z', 5.75],
  ] as const)('should know %s is UTC%+s h at %s', (tz, at, hours) => {
    expect(zoneOffsetMs(Date.parse(at), tz)).toBe(hours * H);
  });
  it('should not depend on the milliseconds of the instant', () => {
    expect(zoneOffsetMs(Date.parse('2026-01-15T00:00:00.999Z'), 'Europe/Berlin')).toBe(H);
  });
});

describe(startOfZonedDay.name, () => {
  it.each([
    ['Asia/Shanghai', '2026-11-22T01:00:00Z', '2026-11-21T16:00:00.000Z'],
    ['Asia/Shanghai', '2026-11-22T17:00:00Z', '2026-11-22T16:00:00.000Z'],
    // the spring-forward day in Berlin began at 00:00 CET; the next day at 00:00 CEST
    ['Europe/Berlin', '2026-03-29T12:00:00Z', '2026-03-28T23:00:00.000Z'],
    ['Europe/Berlin', '2026-03-29T22:00:00Z', '2026-03-29T22:00:00.000Z'],
    ['Europe/Berlin', '2026-03-29T21:59:59Z', '2026-03-28T23:00:00.000Z'],
    // the fall-back day began at 00:00 CEST and lasts until 00:00 CET
    ['Europe/Berlin', '2026-10-25T22:59:59Z', '2026-10-24T22:00:00.000Z'],
    ['America/New_York', '2026-11-01T12:00:00Z', '2026-11-01T04:00:00.000Z'],
    // Santiago springs forward at midnight: 6 September 2026 begins at 01:00 (-03)
    ['America/Santiago', '2026-09-06T12:00:00Z', '2026-09-06T04:00:00.000Z'],
  ] as const)('should find the day start in %s of %s', (tz, at, expected) => {
    expect(iso(startOfZonedDay(Date.parse(at), tz))).toBe(expected);
  });
});

describe(addZonedDays.name, () => {
  it('should step by local days, 23 or 25 hours long where the clocks change', () => {
    const before = Date.parse('2026-03-28T23:00:00Z'); // Berlin, Sun 29 March 00:00 CET
    expect(addZonedDays(before, 1, 'Europe/Berlin') - before).toBe(23 * H);
    const autumn = Date.parse('2026-10-24T22:00:00Z'); // Sun 25 October 00:00 CEST
    expect(addZonedDays(autumn, 1, 'Europe/Berlin') - autumn).toBe(25 * H);
    expect(iso(addZonedDays(autumn, -1, 'Europe/Berlin'))).toBe('2026-10-23T22:00:00.000Z');
    // from anywhere in a day, across a month and a year
    expect(iso(addZonedDays(Date.parse('2026-12-31T10:00:00Z'), 1, 'Asia/Shanghai'))).toBe('2026-12-31T16:00:00.000Z');
    expect(iso(addZonedDays(Date.parse('2026-03-01T10:00:00Z'), -1, 'Asia/Shanghai'))).toBe('2026-02-27T16:00:00.000Z');
  });
});

describe(resolveWallTime.name, () => {
  it('should map an ordinary time once', () => {
    expect(resolveWallTime({ year: 2026, month: 11, day: 22, hour: 9, minute: 30 }, 'Asia/Shanghai')).toEqual({ ms: Date.parse('2026-11-22T01:30:00Z'), kind: 'exact' });
  });
  it('should move a skipped time past the jump by as much as it was past the jump\'s start', () => {
    expect(resolveWallTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin')).toEqual({ ms: Date.parse('2026-03-29T01:30:00Z'), kind: 'gap' });
    expect(resolveWallTime({ year: 2026, month: 3, day: 29, hour: 2 }, 'Europe/Berlin').ms).toBe(Date.parse('2026-03-29T03:00:00+02:00'));
  });
  it('should pick the first or the second reading of a repeated time', () => {
    const w = { year: 2026, month: 10, day: 25, hour: 2, minute: 30 };
    expect(resolveWallTime(w, 'Europe/Berlin')).toEqual({ ms: Date.parse('2026-10-25T02:30:00+02:00'), kind: 'overlap' });
    expect(resolveWallTime(w, 'Europe/Berlin', 'later')).toEqual({ ms: Date.parse('2026-10-25T02:30:00+01:00'), kind: 'overlap' });
    // the hour after the repeat is unambiguous again
    expect(resolveWallTime({ ...w, hour: 3 }, 'Europe/Berlin', 'later')).toEqual({ ms: Date.parse('2026-10-25T03:30:00+01:00'), kind: 'exact' });
  });
});

describe(resolveZonedInput.name, () => {
  it('should give the instant with the zone\'s offset at it', () => {
    expect(resolveZonedInput('2026-07-01T09:00', 'Europe/Berlin')?.iso).toBe('2026-07-01T09:00:00+02:00');
    expect(resolveZonedInput('2026-01-01T09:00:30', 'Europe/Berlin')?.iso).toBe('2026-01-01T09:00:30+01:00');
  });
  it.each(['', '2026-13-01T00:00', '2026-04-31T10:00', '2027-02-29T10:00', '2026-01-01T10:60', 'yesterday'])('should refuse %j', (v) => {
    expect(resolveZonedInput(v, 'Europe/Berlin')).toBeNull();
  });
  it('should accept a leap day', () => {
    expect(resolveZonedInput('2028-02-29T10:00', 'Asia/Shanghai')?.iso).toBe('2028-02-29T10:00:00+08:00');
  });
  it('should write back what it read', () => {
    for (const tz of ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York']) {
      for (const v of ['2026-03-08T01:59', '2026-03-29T03:00', '2026-10-25T02:30', '2026-11-01T01:30', '2026-12-31T23:59']) {
        const r = resolveZonedInput(v, tz)!;
        if (r.kind !== 'gap') expect(zonedInputValue(r.ms, tz)).toBe(v);
      }
    }
  });
});

describe('offsets', () => {
  it.each([
    [8 * H, '+08:00', 'UTC+8'],
    [-4 * H, '-04:00', 'UTC-4'],
    [5.75 * H, '+05:45', 'UTC+5:45'],
    [-3.5 * H, '-03:30', 'UTC-3:30'],
    [0, '+00:00', 'UTC'],
  ])('should write %i ms as %s and %s', (ms, isoText, label) => {
    expect(isoOffset(ms)).toBe(isoText);
    expect(utcOffsetLabel(ms)).toBe(label);
  });
  it('should write an instant with its local offset', () => {
    expect(zonedIso(Date.parse('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+02:00');
    expect(zonedIso(Date.parse('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+01:00');
  });
});

describe('the centre\'s zone setting', () => {
  afterEach(() => {
    setWallTimeZone(DEFAULT_TIME_ZONE);
    vi.restoreAllMocks();
  });
  it('should be Asia/Shanghai until the server names one, then follow it', () => {
    expect(wallTimeZone()).toBe('Asia/Shanghai');
    expect(formatTime('2026-07-15T12:00:00Z')).toBe('20:00:00');
    expect(setWallTimeZone('Europe/Berlin')).toBe(true);
    expect(wallTimeZone()).toBe('Europe/Berlin');
    expect(formatTime('2026-07-15T12:00:00Z')).toBe('14:00:00');
    expect(zonedHour(Date.parse('2026-07-15T12:00:00Z'), wallTimeZone())).toBe(14);
  });
  it('should keep the zone it has when told an unknown one', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    setWallTimeZone('America/New_York');
    expect(setWallTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(wallTimeZone()).toBe('America/New_York');
    expect(warn).toHaveBeenCalledOnce();
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
  });
});
