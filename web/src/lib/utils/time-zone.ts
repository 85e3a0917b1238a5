/**
 * @module web/utils/time-zone
 * The centre's time zone on screen: the calendar arithmetic shared with the server
 * (`shared/time-zone.ts`), and what to call the zone next to a clock.
 */
import { utcOffsetLabel, zoneOffsetMs } from '../../../../shared/time-zone.ts';
import type { Lang } from './i18n.ts';

export * from '../../../../shared/time-zone.ts';

/** Zones that keep China Standard Time (北京时间). */
const BEIJING_TIME = new Set(['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Chungking', 'Asia/Harbin', 'PRC']);

const nameFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * What to call the zone next to a clock: 北京时间 / Beijing time for China's zone; else the
 * zone's name in the language with its current offset (`中欧时间 UTC+2`, `Eastern Time UTC-4`);
 * the offset alone when the browser knows no name for the zone.
 */
export function zoneLabel(tz: string, lang: Lang, atMs: number): string {
  if (BEIJING_TIME.has(tz)) return lang === 'zh' ? '北京时间' : 'Beijing time';
  const offset = utcOffsetLabel(zoneOffsetMs(atMs, tz));
  const key = `${tz}|${lang}`;
  let f = nameFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: tz, timeZoneName: 'longGeneric' });
    nameFormats.set(key, f);
  }
  const name = f.formatToParts(atMs).find((p) => p.type === 'timeZoneName')?.value ?? '';
  // without a name, ICU falls back to "GMT+01:00": the offset says it better
  if (!name || /^(GMT|UTC)([+-−]|$)/.test(name)) return offset;
  return `${name} ${offset}`;
}
