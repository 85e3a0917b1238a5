/**
 * @module web/utils/i18n
 * The wall's own UI strings in Chinese (default) and English, and helpers to pick a language.
 * Names of indicators, categories and areas come from the server's data, not from here.
 */
import type { Lang, LocalisedText } from '../../../../shared/index.ts';

export type { Lang };

export const LANG_STORAGE_KEY = 'onescreen.lang';

export const STRINGS = {
  appTitle: { zh: '一屏观天下', en: 'OneScreen' },
  centreFallback: { zh: '城市运行管理中心', en: 'City Operations Centre' },
  simulated: { zh: '模拟数据', en: 'SIMULATED' },
  connected: { zh: '已连接', en: 'Live' },
  connecting: { zh: '连接中', en: 'Connecting' },
  reconnecting: { zh: '重连中', en: 'Reconnecting' },
  offline: { zh: '离线', en: 'Offline' },
  lastUpdate: { zh: '最近更新', en: 'Last update' },
  backToDistrict: { zh: '← 返回全区', en: '← Back to district' },
  districtScope: { zh: '全区态势', en: 'District overview' },
  streetScope: { zh: '街道态势', en: 'Street view' },
  indicators: { zh: '城市运行体征', en: 'City vital signs' },
  target: { zh: '目标', en: 'Goal' },
  noData: { zh: '无数据', en: 'No data' },
  stale: { zh: '数据过期', en: 'Stale' },
  hourlyTitle: { zh: '事件上报量（按小时）', en: 'Events per hour' },
  today: { zh: '今日', en: 'Today' },
  yesterday: { zh: '昨日', en: 'Yesterday' },
  byStreetTitle: { zh: '在办事件（按街道）', en: 'Open events by street' },
  byGridTitle: { zh: '在办事件（按网格）', en: 'Open events by grid' },
  pm25Title: { zh: 'PM2.5 近24小时', en: 'PM2.5, last 24 h' },
  tickerTitle: { zh: '实时事件', en: 'Live events' },
  noEvents: { zh: '暂无事件', en: 'No events yet' },
  openEvents: { zh: '在办事件', en: 'Open events' },
  eventsToday: { zh: '今日上报', en: 'Reported today' },
  highSeverity: { zh: '高危/紧急', en: 'High / critical' },
  eventDetail: { zh: '事件详情', en: 'Event detail' },
  close: { zh: '关闭', en: 'Close' },
  category: { zh: '类别', en: 'Category' },
  place: { zh: '位置', en: 'Place' },
  time: { zh: '发生时间', en: 'Occurred' },
  received: { zh: '接收时间', en: 'Received' },
  status: { zh: '状态', en: 'Status' },
  severity: { zh: '等级', en: 'Severity' },
  source: { zh: '来源', en: 'Source' },
  description: { zh: '描述', en: 'Description' },
  noDescription: { zh: '（无描述）', en: '(no description)' },
  simulatedFlag: { zh: '模拟数据', en: 'Simulated' },
  realFlag: { zh: '真实数据', en: 'Real' },
  dataKind: { zh: '数据性质', en: 'Data' },
  uncategorised: { zh: '未分类', en: 'Uncategorised' },
  unknownPlace: { zh: '未知位置', en: 'Unknown place' },
  loadLegend: { zh: '在办事件负荷', en: 'Open-event load' },
  alarmLevel: { zh: '告警', en: 'alarm' },
  severityLegend: { zh: '事件等级', en: 'Severity' },
  approxNote: { zh: '街道/网格边界为近似推算', en: 'street & grid boundaries approximate' },
  loading: { zh: '加载中…', en: 'Loading…' },
  units: { zh: '件', en: '' },
  hourSuffix: { zh: '时', en: 'h' },
} satisfies Record<string, LocalisedText>;

export type StringKey = keyof typeof STRINGS;

/** The UI string `key` in `lang`. */
export function t(lang: Lang, key: StringKey): string {
  return STRINGS[key][lang];
}

/** Picks the language of a localised text from the data, falling back to Chinese. */
export function loc(text: LocalisedText | undefined | null, lang: Lang): string {
  if (!text) return '';
  return text[lang] || text.zh;
}

/** Narrows any string to a supported language, or null. */
export function asLang(value: string | null | undefined): Lang | null {
  return value === 'zh' || value === 'en' ? value : null;
}

/**
 * The language the wall starts in: `?lang=` wins, then the stored choice, then Chinese.
 * @example resolveLang('?lang=en', null) // 'en'
 */
export function resolveLang(search: string, stored: string | null): Lang {
  const fromUrl = asLang(new URLSearchParams(search).get('lang'));
  return fromUrl ?? asLang(stored) ?? 'zh';
}

export const SEVERITY_NAMES = {
  low: { zh: '一般', en: 'Low' },
  medium: { zh: '较重', en: 'Medium' },
  high: { zh: '严重', en: 'High' },
  critical: { zh: '紧急', en: 'Critical' },
} satisfies Record<string, LocalisedText>;

/** The closed loop of DOMAIN.md R2.1, plus rejection. */
export const STATUS_NAMES = {
  reported: { zh: '发现上报', en: 'Reported' },
  accepted: { zh: '统一受理', en: 'Accepted' },
  dispatched: { zh: '指挥派遣', en: 'Dispatched' },
  handled: { zh: '处置反馈', en: 'Handled' },
  verified: { zh: '任务核查', en: 'Verified' },
  archived: { zh: '评价归档', en: 'Archived' },
  rejected: { zh: '不予受理', en: 'Rejected' },
} satisfies Record<string, LocalisedText>;

export const SOURCE_NAMES: Record<string, LocalisedText> = {
  '12345': { zh: '12345热线', en: '12345 hotline' },
  grid: { zh: '网格巡查', en: 'Grid inspector' },
  sensor: { zh: '物联感知', en: 'IoT sensor' },
  camera: { zh: '视频监控', en: 'Camera' },
};

/** A source code's display name; unknown codes are shown as they are. */
export function sourceName(code: string, lang: Lang): string {
  const known = Object.hasOwn(SOURCE_NAMES, code) ? SOURCE_NAMES[code] : undefined;
  return known ? known[lang] : code;
}
