import { afterEach, describe, expect, it, vi } from 'vitest';
import { LayoutState } from '../../web/src/lib/state/layout-state.svelte.ts';
import { areaBarsOption, hourlyOption, trendOption } from '../../web/src/lib/components/charts/chart-options.ts';
import {
  autoLayout,
  bezels,
  chartScale,
  layoutFromQuery,
  MIN_TEXT_REM,
  minTextPx,
  parseLayout,
  remPx,
  resolveLayout,
} from '../../web/src/lib/utils/layout.ts';

const HD = { width: 1920, height: 1080 };
const UHD = { width: 3840, height: 2160 };
const WIDE = { width: 5760, height: 1080 };
const PORTRAIT = { width: 1080, height: 1920 };

describe('parseLayout', () => {
  it.each(['1920x1080', '3840x2160', '5760x1080', '1080x1920', 'auto'])('should accept %s', (v) => {
    expect(parseLayout(v)).toBe(v);
  });

  it.each(['', null, undefined, '1920X1080', '1280x720', 'constructor', '__proto__', 'toString', ' 1920x1080'])('should refuse %s', (v) => {
    expect(parseLayout(v)).toBeNull();
  });
});

describe('layoutFromQuery', () => {
  it('should read ?layout= and ignore other parameters and unknown values', () => {
    expect(layoutFromQuery('?lang=en&layout=5760x1080')).toBe('5760x1080');
    expect(layoutFromQuery('?layout=auto')).toBe('auto');
    expect(layoutFromQuery('?layout=9999x1')).toBeNull();
    expect(layoutFromQuery('')).toBeNull();
  });
});

describe('autoLayout', () => {
  it.each([
    [HD, '1920x1080'],
    [{ width: 1280, height: 720 }, '1920x1080'],
    [{ width: 1920, height: 1200 }, '1920x1080'],
    [UHD, '3840x2160'],
    [WIDE, '5760x1080'],
    [{ width: 2880, height: 540 }, '5760x1080'],
    [PORTRAIT, '1080x1920'],
    [{ width: 540, height: 960 }, '1080x1920'],
    [{ width: 0, height: 0 }, '1920x1080'],
  ] as const)('should pick from %o → %s', (v, layout) => {
    expect(autoLayout(v)).toBe(layout);
  });
});

describe('resolveLayout', () => {
  it('should take the query first, then the display, then the viewport', () => {
    expect(resolveLayout({ query: '1080x1920', configured: '5760x1080', viewport: HD })).toEqual({ layout: '1080x1920', arrangement: 'portrait', source: 'query' });
    expect(resolveLayout({ query: null, configured: '5760x1080', viewport: HD })).toEqual({ layout: '5760x1080', arrangement: 'wide', source: 'display' });
    expect(resolveLayout({ query: 'auto', configured: '3840x2160', viewport: HD })).toEqual({ layout: '3840x2160', arrangement: 'landscape', source: 'display' });
    expect(resolveLayout({ query: null, configured: 'auto', viewport: PORTRAIT })).toEqual({ layout: '1080x1920', arrangement: 'portrait', source: 'auto' });
    expect(resolveLayout({ query: null, configured: undefined, viewport: WIDE })).toEqual({ layout: '5760x1080', arrangement: 'wide', source: 'auto' });
  });
});

describe('sizes', () => {
  it('should make 1 rem 1/108 of a screen\'s short side on every layout', () => {
    expect(remPx('landscape', HD)).toBe(10);
    expect(remPx('landscape', UHD)).toBe(20);
    expect(remPx('wide', WIDE)).toBe(10);
    expect(remPx('portrait', PORTRAIT)).toBe(10);
    // a window that does not have the canvas' shape: the canvas fits inside it
    expect(remPx('landscape', { width: 1920, height: 1200 })).toBe(10);
    expect(remPx('wide', HD)).toBeCloseTo(1920 / 576);
  });

  it('should scale the charts like the rem', () => {
    expect(chartScale('landscape', HD)).toBe(1);
    expect(chartScale('landscape', UHD)).toBe(2);
    expect(chartScale('portrait', PORTRAIT)).toBe(1);
    expect(chartScale('wide', WIDE)).toBe(1);
    expect(chartScale('landscape', { width: 10, height: 10 })).toBe(0.25);
  });

  it('should ask for at least 17 px of text on a full-HD screen, 34 px on 4K', () => {
    expect(MIN_TEXT_REM).toBe(1.7);
    expect(minTextPx('landscape', HD)).toBeCloseTo(17);
    expect(minTextPx('landscape', UHD)).toBeCloseTo(34);
    expect(minTextPx('wide', WIDE)).toBeCloseTo(17);
    expect(minTextPx('portrait', PORTRAIT)).toBeCloseTo(17);
  });

  it('should put the bezels of the video wall between its three screens', () => {
    expect(bezels('wide', WIDE)).toEqual([1920, 3840]);
    expect(bezels('landscape', HD)).toEqual([]);
    expect(bezels('portrait', PORTRAIT)).toEqual([]);
  });
});

/** every `fontSize` an option sets, however deep */
function fontSizes(o: unknown, out: number[] = []): number[] {
  if (Array.isArray(o)) for (const v of o) fontSizes(v, out);
  else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) k === 'fontSize' && typeof v === 'number' ? out.push(v) : fontSizes(v, out);
  return out;
}

describe('chart text', () => {
  it.each([1, 2])('should be at least the legible size at scale %i', (scale) => {
    const now = Date.UTC(2026, 11, 2, 12);
    const options = [
      hourlyOption({ today: [1, 2, 3], yesterday: [2, 3, 4], currentHour: 12, lang: 'zh', scale }),
      areaBarsOption([{ id: 'a', name: '五角场街道', count: 3, grade: 1, latest: [] }], scale, 'en'),
      trendOption({ series: [[now - 3_600_000, 80], [now, 120]], warn: 75, alarm: 115, nowMs: now, lang: 'zh', scale, decimals: 0, forecast: { points: [{ at: now + 3_600_000, value: 130, lower: 110, upper: 150 }] } }),
    ];
    const sizes = options.flatMap((o) => fontSizes(o));
    expect(sizes.length).toBeGreaterThan(5);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(Math.round(MIN_TEXT_REM * 10 * scale));
  });
});

describe('LayoutState', () => {
  /** a window and a document root, as much of them as the state touches */
  function fakeDom(width: number, height: number) {
    const listeners = new Set<() => void>();
    const dataset: Record<string, string> = {};
    const win = {
      innerWidth: width,
      innerHeight: height,
      addEventListener: (_: string, f: () => void) => listeners.add(f),
      removeEventListener: (_: string, f: () => void) => listeners.delete(f),
    };
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', { documentElement: { dataset } });
    return {
      dataset,
      resize(w: number, h: number) {
        win.innerWidth = w;
        win.innerHeight = h;
        for (const f of listeners) f();
      },
      listeners,
    };
  }
  afterEach(() => vi.unstubAllGlobals());

  it('should follow the viewport when nothing is set, and mark the root', () => {
    const dom = fakeDom(1920, 1080);
    const s = new LayoutState('');
    s.start();
    expect(s.plan).toEqual({ layout: '1920x1080', arrangement: 'landscape', source: 'auto' });
    expect(dom.dataset.layout).toBe('landscape');
    expect(s.scale).toBe(1);
    dom.resize(1080, 1920);
    expect(s.plan.arrangement).toBe('portrait');
    expect(dom.dataset.layout).toBe('portrait');
    expect(s.scale).toBe(1);
    s.destroy();
    expect(dom.listeners.size).toBe(0);
    expect(dom.dataset.layout).toBeUndefined();
  });

  it("should take the display's layout, unless ?layout= overrides it", () => {
    const dom = fakeDom(5760, 1080);
    const s = new LayoutState('?layout=auto');
    s.start();
    s.configure('1080x1920');
    expect(s.plan).toEqual({ layout: '1080x1920', arrangement: 'portrait', source: 'display' });
    expect(dom.dataset.layout).toBe('portrait');
    s.configure('nonsense');
    expect(s.plan).toEqual({ layout: '5760x1080', arrangement: 'wide', source: 'auto' });
    const o = new LayoutState('?layout=3840x2160');
    o.configure('5760x1080');
    expect(o.plan.source).toBe('query');
    expect(o.plan.arrangement).toBe('landscape');
  });
});
