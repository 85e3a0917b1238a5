import { describe, expect, it } from 'vitest';
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
