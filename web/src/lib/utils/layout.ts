/**
 * @module web/utils/layout
 * The wall's layouts for real walls (issue 11 §5): which arrangement of panels a screen gets, the
 * canvas it is designed on, and the legibility rule for its smallest text. Pure: the wall's layout
 * state feeds it the viewport, the `?layout=` override and the display's configured layout.
 *
 * | layout      | arrangement | canvas (rem) | what it is                                           |
 * |-------------|-------------|--------------|------------------------------------------------------|
 * | `1920x1080` | landscape   | 192 × 108    | one full-HD screen                                   |
 * | `3840x2160` | landscape   | 192 × 108    | one 4K screen (or 2×2 full-HD): the same, twice the size |
 * | `5760x1080` | wide        | 576 × 108    | a 3×1 video wall: three full-HD screens side by side |
 * | `1080x1920` | portrait    | 108 × 192    | one full-HD screen turned upright                    |
 *
 * 1 rem is 1/108 of one screen's short side (10 px on a full-HD screen, 20 px on 4K), whatever
 * the arrangement: a screen turned upright or put beside two others keeps the size of its pixels,
 * so a text size in rem is the same physical size on every layout.
 *
 * @example
 * const plan = resolveLayout({ query: layoutFromQuery(location.search), configured: null, viewport: { width: innerWidth, height: innerHeight } });
 * document.documentElement.dataset.layout = plan.arrangement;
 */

/** The layouts a display may be configured with (the scenes' display configuration stores one). */
export const WALL_LAYOUTS = ['1920x1080', '3840x2160', '5760x1080', '1080x1920'] as const;
export type WallLayout = (typeof WALL_LAYOUTS)[number];
/** what a display or the `?layout=` parameter may ask for: a layout, or `auto` (from the viewport) */
export type LayoutChoice = WallLayout | 'auto';

/** How the panels are arranged: the two landscape layouts differ only in size. */
export type Arrangement = 'landscape' | 'wide' | 'portrait';

export const ARRANGEMENT: Readonly<Record<WallLayout, Arrangement>> = {
  '1920x1080': 'landscape',
  '3840x2160': 'landscape',
  '5760x1080': 'wide',
  '1080x1920': 'portrait',
};

/** The design canvas of each arrangement, in rem (1 rem = 1/108 of one screen's short side). */
export const CANVAS_REM: Readonly<Record<Arrangement, { width: number; height: number }>> = {
  landscape: { width: 192, height: 108 },
  wide: { width: 576, height: 108 },
  portrait: { width: 108, height: 192 },
};

/** Alarm lines the alarm panel has room for: the video wall gives it half a screen's height. */
export const ALARM_LINES: Readonly<Record<Arrangement, number>> = { landscape: 3, wide: 6, portrait: 3 };

/** Screens side by side in an arrangement: panels must not cross the bezels between them. */
export const SCREENS: Readonly<Record<Arrangement, number>> = { landscape: 1, wide: 3, portrait: 1 };

/**
 * The smallest text the wall may show, in rem: 1.7 rem = 17 px on a full-HD screen, 34 px on 4K,
 * i.e. 1.57 % of a screen's short side.
 *
 * Derivation (legible at 5 m): ISO 9241-303 and ANSI/HFES 100-2007 ask for characters of at least
 * 16 minutes of arc at the viewing distance (20–22′ preferred), i.e. 5 000 mm × tan(16′) = 23.3 mm
 * at 5 m. A CJK glyph fills about 0.9 of its font size, so the font size must be at least
 * 25.9 mm = 0.52 % of the viewing distance. Control-room walls are sized so that the farthest
 * seat is about three image heights away (5 m from a wall whose screens are ≥ 1.65 m tall: a
 * fine-pitch LED wall of ≤ 1.5 mm pitch at full HD, or a 2×2 of 55″ panels showing 4K); then
 * 0.52 % × 3 = 1.55 % of the screen's height, rounded up to 17 px of 1 080. A wall seen from
 * farther than three of its heights needs a larger scale than any CSS can give it.
 * Canvas text (ECharts) follows the same rule through the charts' `scale`.
 */
export const MIN_TEXT_REM = 1.7;

export interface Viewport {
  width: number;
  height: number;
}

export interface LayoutPlan {
  layout: WallLayout;
  arrangement: Arrangement;
  /** where the layout came from */
  source: 'query' | 'display' | 'auto';
}

/** A layout name as written in a URL or a configuration, or null when it is none of them. */
export function parseLayout(value: string | null | undefined): LayoutChoice | null {
  if (value === 'auto') return 'auto';
  return (WALL_LAYOUTS as readonly string[]).includes(value ?? '') ? (value as WallLayout) : null;
}

/** `?layout=5760x1080` → `'5760x1080'`; absent or unknown → null (an unknown value is ignored). */
export function layoutFromQuery(search: string): LayoutChoice | null {
  return parseLayout(new URLSearchParams(search).get('layout'));
}

/**
 * The layout a viewport looks like: 3:1 or wider is the video wall, taller than wide is portrait,
 * else landscape, 4K when it has 4K's pixels (CSS pixels: a 4K screen at 200 % reads as full HD,
 * which draws the same).
 */
export function autoLayout(v: Viewport): WallLayout {
  if (!(v.width > 0 && v.height > 0)) return '1920x1080'; // not laid out yet
  const ratio = v.width / v.height;
  if (ratio >= 2.5) return '5760x1080';
  if (ratio < 0.8) return '1080x1920';
  return v.width >= 3200 && v.height >= 1800 ? '3840x2160' : '1920x1080';
}

/**
 * The layout the wall uses: the `?layout=` override first (testing, non-display sessions), then the
 * display's configured layout, else the viewport's shape. `auto` at either level defers to the next.
 */
export function resolveLayout(input: { query: LayoutChoice | null; configured: LayoutChoice | null | undefined; viewport: Viewport }): LayoutPlan {
  const { query, configured, viewport } = input;
  if (query && query !== 'auto') return { layout: query, arrangement: ARRANGEMENT[query], source: 'query' };
  if (configured && configured !== 'auto') return { layout: configured, arrangement: ARRANGEMENT[configured], source: 'display' };
  const layout = autoLayout(viewport);
  return { layout, arrangement: ARRANGEMENT[layout], source: 'auto' };
}

/** CSS pixels per rem: the canvas fitted into the viewport (the same formula as app.css). */
export function remPx(arrangement: Arrangement, v: Viewport): number {
  const c = CANVAS_REM[arrangement];
  return Math.min(v.width / c.width, v.height / c.height);
}

/** The charts' scale: 1 on a full-HD screen (1 rem = 10 px), 2 on 4K. */
export function chartScale(arrangement: Arrangement, v: Viewport): number {
  return Math.max(0.25, remPx(arrangement, v) / 10);
}

/** The smallest font size allowed, in CSS pixels. */
export function minTextPx(arrangement: Arrangement, v: Viewport): number {
  return MIN_TEXT_REM * remPx(arrangement, v);
}

/** x positions (CSS pixels) of the bezels between screens: the window spans the screens side by side. */
export function bezels(arrangement: Arrangement, v: Viewport): number[] {
  const n = SCREENS[arrangement];
  return Array.from({ length: n - 1 }, (_, i) => (v.width * (i + 1)) / n);
}
