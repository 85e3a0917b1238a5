/**
 * @module web/utils/format
 * Pure formatting for the wall: numbers with an indicator's decimals, and times in Asia/Shanghai
 * whatever the display computer's own time zone is.
 */
import type { Lang } from './i18n.ts';

export const WALL_TIME_ZONE = 'Asia/Shanghai';
/** Shanghai keeps UTC+8 all year (no daylight saving), so hour arithmetic can be exact. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

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

const timeFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: WALL_TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const timeFmtShort = new Intl.DateTimeFormat('en-GB', {
  timeZone: WALL_TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `HH:mm:ss` (or `HH:mm`) in Shanghai time; `--:--` for an unreadable time. */
export function formatTime(t: string | number | Date, withSeconds = true): string {
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return withSeconds ? '--:--:--' : '--:--';
  return (withSeconds ? timeFmt : timeFmtShort).format(ms);
}

const WEEKDAYS_ZH = ['日', '一', '二', '三', '四', '五', '六'];
const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Calendar fields of a moment in Shanghai. */
export function shanghaiParts(t: string | number | Date): { year: number; month: number; day: number; weekday: number; hour: number; minute: number } {
  const d = new Date(toMs(t) + SHANGHAI_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/**
 * The date line of the header.
 * @example formatDate(Date.parse('2026-11-22T01:00:00Z'), 'zh') // '2026年11月22日 星期日'
 */
export function formatDate(t: string | number | Date, lang: Lang): string {
  const p = shanghaiParts(t);
  if (!Number.isFinite(p.year)) return '';
  if (lang === 'zh') return `${p.year}年${p.month}月${p.day}日 星期${WEEKDAYS_ZH[p.weekday]}`;
  return `${WEEKDAYS_EN[p.weekday]} ${p.day} ${MONTHS_EN[p.month - 1]} ${p.year}`;
}

/** `MM-DD HH:mm:ss` in Shanghai, for the detail panel. */
export function formatDateTime(t: string | number | Date): string {
  const ms = toMs(t);
  if (!Number.isFinite(ms)) return '—';
  const p = shanghaiParts(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${formatTime(ms)}`;
}

/** The Shanghai hour of day (0–23) of a moment. */
export function shanghaiHour(t: string | number | Date): number {
  return shanghaiParts(t).hour;
}

/** Epoch ms of the Shanghai midnight that starts the day containing `t`. */
export function shanghaiMidnight(t: number): number {
  return Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
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
