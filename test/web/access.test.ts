import { describe, expect, it } from 'vitest';
import type { AreaFeature, AreaLevel } from '../../shared/index.ts';
import { areaBarsOption, areaTooltipHtml, hourlyOption, trendOption } from '../../web/src/lib/components/charts/chart-options.ts';
import { errorBodyOf, retryAfterSeconds } from '../../web/src/lib/api/http.ts';
import { escapeHtml } from '../../web/src/lib/utils/escape.ts';
import { linkedItem, loginHref, pageOf, safeNext, takeDisplayToken } from '../../web/src/lib/utils/nav.ts';

/** the wall's own origin, as a browser on the server's machine would see it */
const HERE = 'http://127.0.0.1:8080';
import { ancestorsOf, isWithin, scopeGeometry } from '../../web/src/lib/utils/scope.ts';
import { isoToTimeInput, readTimeInput, timeInputNote, timeInputToIso } from '../../web/src/lib/utils/time-input.ts';

const PAYLOADS = ['<img src=x onerror=window.__xss=1>', '<script>window.__xss=2</script>', '"><svg onload=window.__xss=3>', "' onmouseover='x"];

describe('escapeHtml', () => {
  it.each(PAYLOADS)('should leave no markup in %s', (p) => {
    const out = escapeHtml(p);
    expect(out).not.toMatch(/[<>"']/);
  });

  it('should escape & first and render null and numbers', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('chart tooltips', () => {
  const call = (fmt: unknown, arg: unknown) => (fmt as (p: unknown) => string)(arg);

  it('should escape area names and event titles in the bar tooltip', () => {
    const html = areaTooltipHtml('<b>街道</b>', 3, PAYLOADS, 'zh');
    expect(html).not.toMatch(/<(img|script|svg)/i);
    expect(html).toContain('&lt;img src=x onerror=window.__xss=1&gt;');
    expect(html).toContain('&lt;b&gt;街道&lt;/b&gt;');
  });

  it('should carry the newest titles in the bar data and format them escaped', () => {
    const o = areaBarsOption([{ id: 'a', name: 'A<svg>', count: 2, grade: 1, latest: [PAYLOADS[1]!] }], 1, 'en');
    const item = (o.series as { data: unknown[] }[])[0]!.data[0];
    const html = call((o.tooltip as { formatter: unknown }).formatter, { name: 'A<svg>', value: 2, data: item });
    expect(html).toContain('&lt;script&gt;window.__xss=2&lt;/script&gt;');
    expect(html).not.toMatch(/<(script|svg)/i);
    expect((o.tooltip as { renderMode: string }).renderMode).toBe('html');
  });

  it('should escape series names in the hourly and trend tooltips', () => {
    const h = hourlyOption({ today: [1], yesterday: [2], currentHour: 0, lang: 'zh', scale: 1 });
    const hh = call((h.tooltip as { formatter: unknown }).formatter, [{ axisValue: '<i>00', seriesName: '<img src=x>', value: 1, seriesId: 'today' }]);
    expect(hh).not.toMatch(/<(img|i>)/);
    const tr = trendOption({ series: [], warn: 1, alarm: 2, nowMs: 0, lang: 'zh', scale: 1, decimals: 0 });
    const th = call((tr.tooltip as { formatter: unknown }).formatter, [{ value: [0, 12] }]);
    expect(th).toContain('12');
  });

  it('should change the option when only the language changes', () => {
    const rows = [{ id: 'a', name: 'A', count: 1, grade: 1 as const }];
    expect(JSON.stringify(areaBarsOption(rows, 1, 'zh'))).not.toBe(JSON.stringify(areaBarsOption(rows, 1, 'en')));
  });
});

describe('nav', () => {
  it.each([
    ['/login', 'login'],
    ['/login/', 'login'],
    ['/admin', 'admin'],
    ['/', 'wall'],
    ['/anything', 'wall'],
  ] as const)('should show %s as the %s page', (path, page) => {
    expect(pageOf(path)).toBe(page);
  });

  it.each([
    ['/admin', '/admin'],
    ['/?lang=en', '/?lang=en'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
    ['/\tx', '/'],
    ['/login?next=/admin', '/'],
    [null, '/'],
    ['', '/'],
  ] as const)('should accept only same-origin paths as next: %s → %s', (raw, expected) => {
    expect(safeNext(raw, '/', HERE)).toBe(expected);
  });

  it('should build the login address with next', () => {
    expect(loginHref('/', HERE)).toBe('/login');
    expect(loginHref('/admin', HERE)).toBe('/login?next=%2Fadmin');
    expect(loginHref('//evil', HERE)).toBe('/login');
  });

  it('should take the display token out of the query and keep the rest', () => {
    expect(takeDisplayToken('?display=abc123&lang=en')).toEqual({ token: 'abc123', rest: '?lang=en' });
    expect(takeDisplayToken('?display=abc123')).toEqual({ token: 'abc123', rest: '' });
    expect(takeDisplayToken('?lang=en')).toEqual({ token: null, rest: '?lang=en' });
    expect(takeDisplayToken('?display=')).toEqual({ token: null, rest: '' });
  });
});

const square = (x: number): AreaFeature['geometry'] => ({
  type: 'Polygon',
  coordinates: [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]],
});
const area = (id: string, level: AreaLevel, parentId: string | null, x = 0): AreaFeature => ({
  type: 'Feature',
  properties: { id, level, parentId, name: id, nameEn: id, approximate: true },
  geometry: square(x),
});

describe('scopeGeometry', () => {
  const full = [
    area('city', 'city', null),
    area('d', 'district', 'city'),
    area('s1', 'street', 'd', 0),
    area('s2', 'street', 'd', 2),
    area('g1', 'grid', 's1', 0),
    area('g2', 'grid', 's2', 2),
  ];

  it('should draw every street and grid of a district wall, and let it drill', () => {
    const g = scopeGeometry(full, 'd');
    expect(g.rootLevel).toBe('district');
    expect(g.streets.map((s) => s.properties.id)).toEqual(['s1', 's2']);
    expect(g.grids.map((s) => s.properties.id)).toEqual(['g1', 'g2']);
    expect(g.context).toEqual([]);
    expect(g.canDrill).toBe(true);
  });

  it('should draw a street centre with its grids and the district as context only', () => {
    // what the server sends a street officer: ancestors, the street and its grids; no siblings
    const scoped = full.filter((a) => !['s2', 'g2'].includes(a.properties.id));
    const g = scopeGeometry(scoped, 's1');
    expect(g.rootLevel).toBe('street');
    expect(g.streets.map((s) => s.properties.id)).toEqual(['s1']);
    expect(g.grids.map((s) => s.properties.id)).toEqual(['g1']);
    expect(g.context.map((s) => s.properties.id)).toEqual(['d']);
    expect(g.canDrill).toBe(false);
  });

  it('should ignore a sibling street even if one were sent', () => {
    const g = scopeGeometry(full, 's1');
    expect(g.streets.map((s) => s.properties.id)).toEqual(['s1']);
    expect(g.grids.map((s) => s.properties.id)).toEqual(['g1']);
  });

  it('should not break before the areas are in, or for a grid wall', () => {
    expect(scopeGeometry([], 's1').streets).toEqual([]);
    const g = scopeGeometry(full, 'g1');
    expect(g.grids.map((s) => s.properties.id)).toEqual(['g1']);
    expect(g.context.map((s) => s.properties.id)).toEqual(['s1', 'd']);
    expect(g.canDrill).toBe(false);
  });

  it('should walk ancestors without looping', () => {
    const byId = new Map(full.map((a) => [a.properties.id, a]));
    expect(ancestorsOf(byId, 'g1').map((a) => a.properties.id)).toEqual(['s1', 'd', 'city']);
    expect(isWithin(byId, 'g2', 'd')).toBe(true);
    expect(isWithin(byId, 'g2', 's1')).toBe(false);
    const loop = new Map([['a', area('a', 'street', 'b')], ['b', area('b', 'district', 'a')]]);
    expect(ancestorsOf(loop, 'a').map((a) => a.properties.id)).toEqual(['b']);
  });
});

describe('time inputs', () => {
  it('should read datetime-local values in the centre\'s zone, Asia/Shanghai until the server names another', () => {
    expect(timeInputToIso('2026-11-22T09:30')).toBe('2026-11-22T09:30:00+08:00');
    expect(timeInputToIso('')).toBeNull();
    expect(timeInputToIso('22/11/2026')).toBeNull();
    expect(timeInputToIso('2026-02-30T09:30')).toBeNull();
    expect(timeInputToIso('2026-11-22T24:00')).toBeNull();
    expect(isoToTimeInput(Date.parse('2026-11-22T01:30:00Z'))).toBe('2026-11-22T09:30');
    expect(timeInputToIso('2026-11-22T09:30', 'from', 'America/New_York')).toBe('2026-11-22T09:30:00-05:00');
    expect(isoToTimeInput(Date.parse('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00');
  });

  it('should read a time the clocks skipped past the jump, and say so', () => {
    // New York springs forward at 02:00 EST on 8 March 2026: 02:30 does not exist
    const r = readTimeInput('2026-03-08T02:30', 'from', 'America/New_York')!;
    expect(r).toEqual({ ms: Date.parse('2026-03-08T07:30:00Z'), iso: '2026-03-08T03:30:00-04:00', kind: 'gap' });
    expect(timeInputNote(r, 'from', 'en', 'America/New_York')).toBe('That time did not occur (clocks went forward): read as 03:30 UTC-4');
    expect(timeInputNote(r, 'from', 'zh', 'America/New_York')).toBe('该时刻因夏令时调整不存在，按 03:30 UTC-4 计');
  });

  it('should read a time the clocks showed twice as the first for a start and the second for an end', () => {
    // New York falls back at 02:00 EDT on 1 November 2026: 01:30 happens twice
    const from = readTimeInput('2026-11-01T01:30', 'from', 'America/New_York')!;
    const to = readTimeInput('2026-11-01T01:30', 'to', 'America/New_York')!;
    expect(from.iso).toBe('2026-11-01T01:30:00-04:00');
    expect(to.iso).toBe('2026-11-01T01:30:00-05:00');
    expect(to.ms - from.ms).toBe(3_600_000);
    expect([from.kind, to.kind]).toEqual(['overlap', 'overlap']);
    expect(timeInputNote(to, 'to', 'en', 'America/New_York')).toBe('That time occurred twice (clocks went back): read as the second, 01:30 UTC-5');
    expect(timeInputNote(readTimeInput('2026-11-01T09:30', 'to', 'America/New_York')!, 'to', 'en', 'America/New_York')).toBeNull();
  });
});

describe('error answers', () => {
  it('should read Retry-After in seconds or as a date', () => {
    expect(retryAfterSeconds('120')).toBe(120);
    expect(retryAfterSeconds(new Date(Date.parse('2026-11-22T00:05:00Z')).toUTCString(), Date.parse('2026-11-22T00:00:00Z'))).toBe(300);
    expect(retryAfterSeconds(null)).toBeNull();
    expect(retryAfterSeconds('soon')).toBeNull();
  });

  it('should read the error body and ignore anything else', () => {
    expect(errorBodyOf({ error: { code: 'RATE_LIMITED', message: 'try again in 5 minutes' } })).toEqual({ code: 'RATE_LIMITED', message: 'try again in 5 minutes' });
    expect(errorBodyOf({ error: { code: 'VALIDATION', message: 'bad', issues: [{ path: 'username', message: 'too short' }, 3] } })?.issues).toEqual([{ path: 'username', message: 'too short' }]);
    expect(errorBodyOf({ error: { code: 'NOPE' } })).toBeNull();
    expect(errorBodyOf('x')).toBeNull();
  });
});

describe('links from notifications', () => {
  it('name a case or an alarm by a plain id, and nothing else', () => {
    expect(linkedItem('?case=8f1c2d3e-aaaa-bbbb-cccc-0123456789ab')).toEqual({ kind: 'case', id: '8f1c2d3e-aaaa-bbbb-cccc-0123456789ab' });
    expect(linkedItem('?alarm=abc_1')).toEqual({ kind: 'alarm', id: 'abc_1' });
    expect(linkedItem('')).toBeNull();
    expect(linkedItem('?alarm=%3Cscript%3E')).toBeNull();
    expect(linkedItem(`?case=${'a'.repeat(65)}`)).toBeNull();
    expect(loginHref('/console?alarm=abc', 'https://ops.example')).toBe('/login?next=%2Fconsole%3Falarm%3Dabc');
  });
});
