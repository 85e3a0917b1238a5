/**
 * @module web/utils/format
 * Pure formatting for the wall: numbers with an indicator's decimals, and times in the centre's
 * time zone (the server's `TIME_ZONE`) whatever the display computer's own zone is. Time
 * functions take the zone as their last parameter; it defaults to the one in force
 * ({@link wallTimeZone}, set from the health answer).
 */
import { wallTimeZone } from '../state/time-zone.svelte.ts';
import type { Lang } from './i18n.ts';
import { startOfZonedDay, zonedHour, zonedParts, zoneLabel, type ZonedParts } from './time-zone.ts';

export { DAY_MS, HOUR_MS } from './time-zone.ts';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(lang: Lang, decimals: number): Intl.NumberFormat {
  const key = `${lang}|${decimals}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    numberFormats.set(key, f);
  }
  return f;
}

/**
 * A value with exactly `decimals` digits after the point and grouping; `—` when there is none.
 * @example formatValue(91.234, 1, 'zh') // '91.2'
 */
export function formatValue(value: number | null | undefined, decimals: number, lang: Lang): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const d = Math.max(0, Math.min(3, Math.trunc(decimals)));
  const out = numberFormat(lang, d).format(value);
  // -0 after rounding reads oddly on a wall
  return out === '-0' || /^-0[.,]0+$/.test(out) ? out.slice(1) : out;
}

function toMs(t: string | number | Date): number {
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime();
  return Date.parse(t);
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function timeFormat(tz: string, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${tz}|${withSeconds}`;
  let f = timeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz,
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' as const } : {}),
      hourCycle: 'h23',
    });
    timeFormats.set(key, f);
  }
  return f;
}

/** `HH:mm:ss` (or `HH:mm`) in the zone; `--:--` for an unreadable time. */
export function formatTime(t: string | number | Date, withSeconds = true, tz = wallTimeZone()): string {
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return withSeconds ? '--:--:--' : '--:--';
  return timeFormat(tz, withSeconds).format(ms);
}

const WEEKDAYS_ZH = ['日', '一', '二', '三', '四', '五', '六'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Calendar fields of a moment in the zone. */
export function localParts(t: string | number | Date, tz = wallTimeZone()): ZonedParts {
  return zonedParts(toMs(t), tz);
}

/**
 * The date line of the header.
 * @example formatDate(Date.parse('2026-11-22T01:00:00Z'), 'zh', 'Asia/Shanghai') // '2026年11月22日 星期日'
 */
export function formatDate(t: string | number | Date, lang: Lang, tz = wallTimeZone()): string {
  const p = localParts(t, tz);
  if (!Number.isFinite(p.year)) return '';
  if (lang === 'zh') return `${p.year}年${p.month}月${p.day}日 星期${WEEKDAYS_ZH[p.weekday]}`;
  return `${WEEKDAYS_EN[p.weekday]} ${p.day} ${MONTHS_EN[p.month - 1]} ${p.year}`;
}

/** `YYYY-MM-DD HH:mm:ss` in the zone, for detail panels and tables. */
export function formatDateTime(t: string | number | Date, tz = wallTimeZone()): string {
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return '—';
  const p = localParts(ms, tz);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${formatTime(ms, true, tz)}`;
}

/** The local hour of day (0–23) of a moment in the zone. */
export function localHour(t: string | number | Date, tz = wallTimeZone()): number {
  return zonedHour(toMs(t), tz);
}

/** Epoch ms of the local midnight that starts the day containing `t` in the zone. */
export function localMidnight(t: number, tz = wallTimeZone()): number {
  return startOfZonedDay(t, tz);
}

/** What to call the zone beside a clock: 北京时间, or the zone's name and offset (see {@link zoneLabel}). */
export function timeZoneLabel(lang: Lang, atMs: number, tz = wallTimeZone()): string {
  return zoneLabel(tz, lang, Number.isFinite(atMs) ? atMs : Date.now());
}

/**
 * How long ago, compactly.
 * @example formatAge(3 * 3_600_000, 'zh') // '3小时前'
 */
export function formatAge(ageMs: number, lang: Lang): string {
  if (!Number.isFinite(ageMs)) return '';
  const s = Math.max(0, Math.round(ageMs / 1000));
  const zh = lang === 'zh';
  if (s < 60) return zh ? `${s}秒前` : `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return zh ? `${m}分钟前` : `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return zh ? `${h}小时前` : `${h} h ago`;
  const d = Math.floor(h / 24);
  return zh ? `${d}天前` : `${d} d ago`;
}

/**
 * How long, ticking to the second while short.
 * @example formatDuration(754_000, 'zh') // '12分34秒'
 */
export function formatDuration(ms: number, lang: Lang): string {
  if (!Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.floor(ms / 1000));
  const zh = lang === 'zh';
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return zh ? `${s}秒` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return zh ? `${m}分${pad(s % 60)}秒` : `${m} min ${pad(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return zh ? `${h}小时${pad(m % 60)}分` : `${h} h ${pad(m % 60)} min`;
  const d = Math.floor(h / 24);
  return zh ? `${d}天${h % 24}小时` : `${d} d ${h % 24} h`;
}
