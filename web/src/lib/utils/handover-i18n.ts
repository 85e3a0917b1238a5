/**
 * @module web/utils/handover-i18n
 * UI strings of the shift-handover page (交接班) and the wall's replay controls, Chinese
 * (default) and English. Kept apart from the wall's `i18n.ts` so each page can grow on its own.
 */
import type { Lang } from './i18n.ts';

export const HANDOVER_STRINGS = {
  title: { zh: '交接班', en: 'Shift handover' },
  navLink: { zh: '交接班', en: 'Handover' },
  since: { zh: '自', en: 'Since' },
  until: { zh: '至', en: 'Until' },
  now: { zh: '现在', en: 'now' },
  shiftStart: { zh: '本班开始', en: 'Start of this shift' },
  prevShift: { zh: '上一班', en: 'Previous shift' },
  apply: { zh: '查询', en: 'Apply' },
  print: { zh: '打印', en: 'Print' },
  area: { zh: '区域', en: 'Area' },
  badRange: { zh: '请选择有效时段（开始早于结束，最长7天，不晚于现在）', en: 'Pick a valid window (start before end, at most 7 days, not in the future)' },
  newCases: { zh: '新增案件', en: 'New cases' },
  closedCases: { zh: '办结案件', en: 'Closed cases' },
  overdueCases: { zh: '新增超期', en: 'Gone overdue' },
  alarmsRaised: { zh: '新发告警', en: 'Alarms raised' },
  alarmsCleared: { zh: '解除告警', en: 'Alarms cleared' },
  byStreet: { zh: '分街道', en: 'By street' },
  byCategory: { zh: '分类别', en: 'By category' },
  street: { zh: '街道', en: 'Street' },
  category: { zh: '类别', en: 'Category' },
  time: { zh: '时间', en: 'Time' },
  caseTitle: { zh: '事项', en: 'Case' },
  status: { zh: '当前状态', en: 'Status now' },
  severity: { zh: '级别', en: 'Severity' },
  alarm: { zh: '告警', en: 'Alarm' },
  none: { zh: '无', en: 'None' },
  shown: { zh: '仅列出最近 {n} 条', en: 'Only the newest {n} are listed' },
  generated: { zh: '生成于', en: 'Generated' },
  failed: { zh: '加载失败，稍后重试', en: 'Loading failed; try again' },
  forbidden: { zh: '大屏显示账号不能打开交接班页', en: 'A wall display cannot open the handover page' },
  backToConsole: { zh: '值班工作台', en: 'Console' },
  backToWall: { zh: '返回大屏', en: 'Back to the wall' },
  replay: { zh: '回放', en: 'Replay' },
  replayBanner: { zh: '回放', en: 'REPLAY' },
  replayNotLive: { zh: '非实时', en: 'not live' },
  backToLive: { zh: '回到实时', en: 'Back to live' },
  play: { zh: '播放', en: 'Play' },
  pause: { zh: '暂停', en: 'Pause' },
  replayLoading: { zh: '加载中…', en: 'Loading…' },
  replayFailed: { zh: '回放数据加载失败', en: 'Replay data failed to load' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type HandoverKey = keyof typeof HANDOVER_STRINGS;

/** A string of the handover page or the replay controls. */
export function ht(lang: Lang, key: HandoverKey): string {
  return HANDOVER_STRINGS[key][lang];
}
