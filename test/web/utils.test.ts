import { describe, expect, it } from 'vitest';
import type { AreaGeometry, IndicatorDefinition, IndicatorValue } from '../../shared/index.ts';
import { formatAge, formatDate, formatDateTime, formatTime, formatValue, localHour, localMidnight, timeZoneLabel } from '../../web/src/lib/utils/format.ts';
import { boundsOf, containsPoint, labelPoint } from '../../web/src/lib/utils/geo.ts';
import { placeLabels, shortStreetName, shortStreetNameEn, textWidth } from '../../web/src/lib/utils/labels.ts';
import { loc, resolveLang, sourceName, t } from '../../web/src/lib/utils/i18n.ts';
import { evaluate, indicatorStatus, loadGrade, thresholdsFor } from '../../web/src/lib/utils/status.ts';

const def: IndicatorDefinition = {
  id: 'fire_alarms',
  name: { zh: '火灾报警', en: 'Fire alarms' },
  category: 'public_safety',
  unit: { zh: '起/时', en: '/h' },
  decimals: 0,
  thresholds: { direction: 'above', warn: 4, alarm: 8 },
  levelThresholds: { street: { warn: 2, alarm: 4 } },
  aggregation: 'sum',
  staleAfterSec: 7200,
  inherit: false,
  levels: ['street', 'district'],
  source: 'readings',
  range: [0, 500],
  basis: 'test',
  weight: 1,
};
const NOW = Date.parse('2026-11-22T10:00:00+08:00');
const val = (v: number | null, agoSec = 0): IndicatorValue => ({
  indicatorId: 'fire_alarms',
  areaId: '310110',
  value: v,
  at: new Date(NOW - agoSec * 1000).toISOString(),
  status: 'normal',
  simulated: false,
});

describe('format', () => {
  it.each([
    [91.234, 1, 'zh', '91.2'],
    [1234.5, 0, 'en', '1,235'],
    [0.5, 2, 'en', '0.50'],
    [-0.01, 1, 'en', '0.0'],
    [null, 1, 'zh', '—'],
    [Number.NaN, 0, 'zh', '—'],
  ] as const)('should format %s with %i decimals (%s) as %s', (v, d, lang, expected) => {
    expect(formatValue(v, d, lang)).toBe(expected);
  });

  it('should show times in Asia/Shanghai until the server names another zone', () => {
    expect(formatTime('2026-11-22T01:02:03Z')).toBe('09:02:03');
    expect(formatTime(Date.parse('2026-11-22T15:59:00Z'), false)).toBe('23:59');
    expect(formatTime('not a time')).toBe('--:--:--');
    expect(localHour('2026-11-21T16:30:00Z')).toBe(0);
    expect(formatDateTime('2026-11-22T01:02:03Z')).toBe('2026-11-22 09:02:03');
  });

  it('should show times in the zone it is given, with its summer time', () => {
    expect(formatTime('2026-01-15T12:00:00Z', true, 'Europe/Berlin')).toBe('13:00:00');
    expect(formatTime('2026-07-15T12:00:00Z', true, 'Europe/Berlin')).toBe('14:00:00');
    // the hour Berlin's clocks go back: 02:30 twice, an hour apart
    expect(formatTime('2026-10-25T00:30:00Z', false, 'Europe/Berlin')).toBe('02:30');
    expect(formatTime('2026-10-25T01:30:00Z', false, 'Europe/Berlin')).toBe('02:30');
    expect(formatDateTime('2026-03-08T07:30:00Z', 'America/New_York')).toBe('2026-03-08 03:30:00');
    expect(localHour('2026-03-08T06:59:00Z', 'America/New_York')).toBe(1);
    expect(localHour('2026-03-08T07:00:00Z', 'America/New_York')).toBe(3);
  });

  it('should format the date line', () => {
    expect(formatDate(Date.parse('2026-11-22T01:00:00Z'), 'zh')).toBe('2026年11月22日 星期日');
    expect(formatDate(Date.parse('2026-11-22T01:00:00Z'), 'en')).toBe('Sun 22 Nov 2026');
    // 01:00 UTC on Sunday is still Saturday evening in New York
    expect(formatDate(Date.parse('2026-11-22T01:00:00Z'), 'en', 'America/New_York')).toBe('Sat 21 Nov 2026');
  });

  it('should find the local midnight', () => {
    expect(localMidnight(Date.parse('2026-11-22T16:30:00Z'))).toBe(Date.parse('2026-11-23T00:00:00+08:00'));
    expect(localMidnight(Date.parse('2026-11-22T10:00:00+08:00'))).toBe(Date.parse('2026-11-22T00:00:00+08:00'));
    expect(localMidnight(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Berlin')).toBe(Date.parse('2026-03-29T00:00:00+01:00'));
    expect(localMidnight(Date.parse('2026-03-29T23:30:00Z'), 'Europe/Berlin')).toBe(Date.parse('2026-03-30T00:00:00+02:00'));
  });

  it('should name the zone beside the clock', () => {
    expect(timeZoneLabel('zh', 0)).toBe('北京时间');
    expect(timeZoneLabel('en', 0)).toBe('Beijing time');
    expect(timeZoneLabel('zh', Date.parse('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe('中欧时间 UTC+1');
    expect(timeZoneLabel('en', Date.parse('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe('Central European Time UTC+2');
    expect(timeZoneLabel('en', Date.parse('2026-07-15T12:00:00Z'), 'America/New_York')).toBe('Eastern Time UTC-4');
    expect(timeZoneLabel('en', 0, 'UTC')).toBe('UTC');
    expect(timeZoneLabel('en', Date.parse('2026-07-15T12:00:00Z'), 'Asia/Kathmandu')).toMatch(/UTC\+5:45$/);
  });

  it.each([
    [5_000, 'zh', '5秒前'],
    [5 * 60_000, 'en', '5 min ago'],
    [3 * 3_600_000, 'zh', '3小时前'],
    [72 * 3_600_000, 'en', '3 d ago'],
  ] as const)('should format an age of %i ms', (ms, lang, expected) => {
    expect(formatAge(ms, lang)).toBe(expected);
  });
});

describe('status', () => {
  it('should let levelThresholds override thresholds', () => {
    expect(thresholdsFor(def, 'district')).toEqual({ direction: 'above', warn: 4, alarm: 8 });
    expect(thresholdsFor(def, 'street')).toEqual({ direction: 'above', warn: 2, alarm: 4 });
  });

  it.each([
    ['above', 3, 'normal'],
    ['above', 4, 'warn'],
    ['above', 8, 'alarm'],
    ['below', 91, 'normal'],
    ['below', 90, 'warn'],
    ['below', 85, 'alarm'],
  ] as const)('should evaluate %s thresholds at %i as %s', (direction, v, expected) => {
    const th = direction === 'above' ? { direction, warn: 4, alarm: 8 } : { direction, warn: 90, alarm: 85 };
    expect(evaluate(th, v)).toBe(expected);
  });

  it('should mark missing, null and old values', () => {
    expect(indicatorStatus(def, 'district', undefined, NOW)).toBe('nodata');
    expect(indicatorStatus(def, 'district', val(null), NOW)).toBe('nodata');
    expect(indicatorStatus(def, 'district', val(3, 7201), NOW)).toBe('stale');
    expect(indicatorStatus(def, 'district', { ...val(3), status: 'stale' }, NOW)).toBe('stale');
    expect(indicatorStatus(def, 'district', val(3), NOW)).toBe('normal');
    expect(indicatorStatus(def, 'street', val(3), NOW)).toBe('warn');
  });

  it('should not call a derived count stale for keeping its value (the server sends it only when it changes)', () => {
    const derived = { ...def, source: 'derived' as const, staleAfterSec: 600 };
    expect(indicatorStatus(derived, 'district', val(3, 6 * 3600), NOW)).toBe('normal');
    // the server's own verdict still holds
    expect(indicatorStatus(derived, 'district', { ...val(3), status: 'stale' }, NOW)).toBe('stale');
  });

  it.each([
    [0, 0],
    [3, 1],
    [10, 2],
    [20, 3],
    [35, 4],
  ] as const)('should grade a load of %i as %i', (count, grade) => {
    expect(loadGrade(count, { warn: 20, alarm: 35 })).toBe(grade);
  });
});

describe('i18n', () => {
  it('should prefer ?lang= over the stored choice, and default to Chinese', () => {
    expect(resolveLang('?lang=en', 'zh')).toBe('en');
    expect(resolveLang('', 'en')).toBe('en');
    expect(resolveLang('?lang=fr', 'xx')).toBe('zh');
  });
  it('should look up strings and data names', () => {
    expect(t('en', 'simulated')).toBe('SIMULATED');
    expect(loc({ zh: '杨浦区', en: 'Yangpu' }, 'en')).toBe('Yangpu');
    expect(sourceName('12345', 'zh')).toBe('12345热线');
    expect(sourceName('drone', 'en')).toBe('drone');
    expect(sourceName('__proto__', 'en')).toBe('__proto__');
  });
});

describe('geo', () => {
  const square: AreaGeometry = { type: 'Polygon', coordinates: [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]] };
  const ushape: AreaGeometry = {
    type: 'Polygon',
    coordinates: [[[0, 0], [6, 0], [6, 6], [4, 6], [4, 2], [2, 2], [2, 6], [0, 6], [0, 0]]],
  };
  it('should compute bounds', () => {
    expect(boundsOf([square])).toEqual([[0, 0], [4, 4]]);
    expect(boundsOf([])).toBeNull();
  });
  it('should test containment', () => {
    expect(containsPoint(square, [1, 1])).toBe(true);
    expect(containsPoint(square, [5, 1])).toBe(false);
  });
  it('should put a label inside the polygon', () => {
    expect(labelPoint(square)).toEqual([2, 2]);
    const p = labelPoint(ushape)!;
    expect(containsPoint(ushape, p)).toBe(true);
  });
});

describe('labels', () => {
  it('should leave separate labels on their anchors', () => {
    const out = placeLabels([
      { x: 0, y: 0, w: 50, h: 20, priority: 1 },
      { x: 200, y: 0, w: 50, h: 20, priority: 1 },
    ]);
    expect(out.every((p) => p.dy === 0 && !p.overlaps)).toBe(true);
  });
  it('should move the lower-priority label of an overlapping pair', () => {
    const out = placeLabels([
      { x: 0, y: 0, w: 80, h: 20, priority: 1 },
      { x: 10, y: 5, w: 80, h: 20, priority: 5 },
    ]);
    expect(out[1]).toEqual({ dx: 0, dy: 0, overlaps: false });
    expect(out[0]!.dy).not.toBe(0);
  });
  it('should estimate text widths and shorten street names', () => {
    expect(textWidth('定海路', 10)).toBe(30);
    expect(textWidth('ab', 10)).toBeCloseTo(11.6);
    expect(shortStreetName('定海路街道')).toBe('定海路');
    expect(shortStreetName('殷行街道')).toBe('殷行');
    expect(shortStreetName('Dinghai Road')).toBe('Dinghai Road');
    expect(shortStreetNameEn('Dinghai Road')).toBe('Dinghai Rd');
    expect(shortStreetNameEn('Changbai Xincun')).toBe('Changbai Xincun');
    expect(shortStreetNameEn('Road Street Road')).toBe('Road Street Rd');
  });
});
