/**
 * @module web/utils/analytics-i18n
 * UI strings of the 12345 analysis page and the wall's 12345 panel, Chinese (default) and
 * English. Kept apart from the wall's `i18n.ts` and the console's strings so each page can grow
 * on its own.
 */
import type { Lang } from './i18n.ts';

export const ANALYTICS_STRINGS = {
  title: { zh: '12345 热线分析', en: '12345 hotline analysis' },
  navLink: { zh: '12345 分析', en: '12345 analysis' },
  period: { zh: '时段', en: 'Period' },
  periodToday: { zh: '今日', en: 'Today' },
  period24h: { zh: '近24小时', en: 'Last 24 h' },
  period7d: { zh: '近7天', en: 'Last 7 days' },
  period30d: { zh: '近30天', en: 'Last 30 days' },
  periodCustom: { zh: '自定义', en: 'Custom' },
  apply: { zh: '查询', en: 'Apply' },
  area: { zh: '区域', en: 'Area' },
  badRange: { zh: '请选择有效时段（结束晚于开始，最长92天）', en: 'Pick a valid period (end after start, at most 92 days)' },
  baselineNote: { zh: '对比基线：上周同时段', en: 'Baseline: the same hours one week earlier' },
  volume: { zh: '来电量', en: 'Calls' },
  baseline: { zh: '上周同期', en: 'Last week' },
  change: { zh: '变化', en: 'Change' },
  category: { zh: '类别', en: 'Category' },
  byCategory: { zh: '分类来电量', en: 'Calls by category' },
  rising: { zh: '上升最快', en: 'Fastest rising' },
  risingNote: { zh: '上升指数 =（本期 − 基线）÷ √(基线 + 1)', en: 'Rise score = (n − baseline) ÷ √(baseline + 1)' },
  score: { zh: '指数', en: 'Score' },
  noRising: { zh: '暂无明显上升', en: 'Nothing rising notably' },
  repeats: { zh: '重复来电地点', en: 'Repeat locations' },
  repeatPlaces: { zh: '同一地点（约100米内）', en: 'Same spot (within ~100 m)' },
  repeatGrids: { zh: '同一网格', en: 'Same grid' },
  noRepeats: { zh: '无重复来电地点', en: 'No repeat locations' },
  truncated: { zh: '来电较多，地点聚类仅含最近的来电', en: 'Many calls: spots cover the newest calls only' },
  cases: { zh: '件', en: 'calls' },
  closure: { zh: '办结与满意度', en: 'Closure and satisfaction' },
  closed: { zh: '办结', en: 'Closed' },
  onTime: { zh: '按时办结率', en: 'On time' },
  goodRate: { zh: '好评率', en: 'Rated good' },
  satisfaction: { zh: '满意度', en: 'Satisfaction' },
  hourly: { zh: '逐小时来电量', en: 'Calls per hour' },
  heat: { zh: '网格热力', en: 'Calls per grid' },
  csv: { zh: '导出CSV', en: 'Export CSV' },
  empty: { zh: '本时段无12345来电', en: 'No 12345 calls in this period' },
  failed: { zh: '加载失败，稍后重试', en: 'Loading failed; retrying' },
  forbidden: { zh: '大屏显示账号不能打开分析页', en: 'A wall display cannot open the analysis page' },
  backToConsole: { zh: '值班工作台', en: 'Console' },
  backToWall: { zh: '返回大屏', en: 'Back to the wall' },
  panelTitle: { zh: '12345 热线', en: '12345 hotline' },
  panelToday: { zh: '今日来电', en: 'Calls today' },
  panelVsLastWeek: { zh: '较上周同时段', en: 'vs same hours last week' },
  panelRising: { zh: '上升最快', en: 'Rising' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type AnalyticsKey = keyof typeof ANALYTICS_STRINGS;

/** A string of the analysis page or panel. */
export function at(lang: Lang, key: AnalyticsKey): string {
  return ANALYTICS_STRINGS[key][lang];
}
