/**
 * @module web/utils/alarm-i18n
 * Texts of alarms (告警) in the console and of the rule editor in `/admin`, Chinese and English.
 * Kept apart from `console-i18n.ts` and `i18n.ts` so the alarm parts grow on their own.
 */
import type { AlarmHistoryEntry, AlarmRuleKind, AlarmSeverity, AlarmState, CreateCase, LocalisedText } from '../../../../shared/index.ts';
import type { Lang } from './i18n.ts';

export const ALARM_STRINGS = {
  alarms: { zh: '告警', en: 'Alarms' },
  showCleared: { zh: '显示已解除', en: 'Show cleared' },
  noAlarms: { zh: '当前无告警', en: 'No active alarms' },
  noAlarmsAtAll: { zh: '暂无告警记录', en: 'No alarms' },
  alarmDetail: { zh: '告警详情', en: 'Alarm' },
  value: { zh: '当前值', en: 'Value' },
  threshold: { zh: '阈值', en: 'Threshold' },
  since: { zh: '开始于', en: 'Since' },
  raisedAt: { zh: '告警时间', en: 'Raised' },
  lastAt: { zh: '最近数据', en: 'Last value' },
  clearedAt: { zh: '解除时间', en: 'Cleared' },
  area: { zh: '区域', en: 'Area' },
  indicator: { zh: '指标', en: 'Indicator' },
  rule: { zh: '规则', en: 'Rule' },
  history: { zh: '告警过程', en: 'History' },
  acknowledge: { zh: '确认', en: 'Acknowledge' },
  ackNote: { zh: '确认说明（可选）', en: 'Note (optional)' },
  ackConfirm: { zh: '确认告警', en: 'Acknowledge' },
  openCase: { zh: '立案', en: 'Open a case' },
  caseNote: { zh: '立案说明（可选）', en: 'Note for the case (optional)' },
  caseConfirm: { zh: '立案派单', en: 'Open the case' },
  cancel: { zh: '取消', en: 'Cancel' },
  acknowledgedBy: { zh: '确认人', en: 'Acknowledged by' },
  theCase: { zh: '关联事件', en: 'Case' },
  openTheCase: { zh: '查看事件', en: 'Open the case' },
  fromAlarm: { zh: '来自告警', en: 'From an alarm' },
  viewAlarm: { zh: '查看告警', en: 'View the alarm' },
  conflict: { zh: '该告警已被他人处理或已变化，已刷新', en: 'Someone else acted on this alarm, or it changed; reloaded' },
  refused: { zh: '操作未成功', en: 'The action was refused' },
  acked: { zh: '已确认', en: 'Acknowledged' },
  loadFailed: { zh: '告警加载失败', en: 'Could not load the alarm' },
  readOnly: { zh: '只读：仅区级、街道值班员可确认或立案', en: 'Read only: district and street officers acknowledge and open cases' },
  simulated: { zh: '模拟数据', en: 'Simulated' },
  by: { zh: '操作人', en: 'By' },
  system: { zh: '系统', en: 'system' },
  close: { zh: '关闭', en: 'Close' },
  noCaseRule: { zh: '该规则不立案', en: 'This rule opens no cases' },
  // the rule editor
  tabRules: { zh: '告警规则', en: 'Alarm rules' },
  ruleSetVersion: { zh: '规则版本', en: 'Version' },
  savedBy: { zh: '最近保存', en: 'Last saved by' },
  shipped: { zh: '出厂规则（未修改）', en: 'as shipped (never edited)' },
  ruleId: { zh: '编号', en: 'Id' },
  ruleName: { zh: '名称', en: 'Name' },
  levels: { zh: '层级', en: 'Levels' },
  kind: { zh: '类型', en: 'Kind' },
  numbers: { zh: '参数', en: 'Settings' },
  createCase: { zh: '立案', en: 'Case' },
  caseCategory: { zh: '事件类别', en: 'Case category' },
  enabled: { zh: '启用', en: 'On' },
  remove: { zh: '删除', en: 'Delete' },
  addRule: { zh: '新增规则', en: 'Add a rule' },
  add: { zh: '加入列表', en: 'Add to the list' },
  save: { zh: '保存并生效', en: 'Save and apply' },
  saving: { zh: '正在保存…', en: 'Saving…' },
  saved: { zh: '已保存，规则已生效', en: 'Saved; the rules apply now' },
  unsaved: { zh: '有未保存的修改', en: 'Unsaved changes' },
  discard: { zh: '放弃修改', en: 'Discard changes' },
  reload: { zh: '重新加载', en: 'Reload' },
  staleRules: { zh: '规则已被他人保存（请重新加载后再修改）', en: 'Someone else saved the rules meanwhile (reload, then edit again)' },
  invalidRules: { zh: '规则有误，未保存：', en: 'Not saved, the rules have problems:' },
  direction: { zh: '方向', en: 'Direction' },
  above: { zh: '高于', en: 'above' },
  below: { zh: '低于', en: 'below' },
  warn: { zh: '预警', en: 'warn' },
  alarm: { zh: '告警', en: 'alarm' },
  clear: { zh: '解除', en: 'clear' },
  forSec: { zh: '持续(秒)', en: 'for (s)' },
  clearForSec: { zh: '解除持续(秒)', en: 'clear after (s)' },
  changePct: { zh: '变化(%)', en: 'change (%)' },
  windowSec: { zh: '窗口(秒)', en: 'window (s)' },
  horizonHours: { zh: '预判(小时)', en: 'horizon (h)' },
  severity: { zh: '等级', en: 'Severity' },
  nameZh: { zh: '中文名称', en: 'Name (Chinese)' },
  nameEn: { zh: '英文名称', en: 'Name (English)' },
  pickIndicator: { zh: '请选择指标', en: 'Choose an indicator' },
  rulesCount: { zh: '条规则', en: 'rules' },
} satisfies Record<string, LocalisedText>;

export type AlarmStringKey = keyof typeof ALARM_STRINGS;

export function at(lang: Lang, key: AlarmStringKey): string {
  return ALARM_STRINGS[key][lang];
}

export const ALARM_SEVERITY_NAMES: Record<AlarmSeverity, LocalisedText> = {
  warn: { zh: '预警', en: 'Warning' },
  alarm: { zh: '告警', en: 'Alarm' },
};

export const ALARM_STATE_NAMES: Record<AlarmState, LocalisedText> = {
  raised: { zh: '待确认', en: 'Raised' },
  acknowledged: { zh: '已确认', en: 'Acknowledged' },
  cleared: { zh: '已解除', en: 'Cleared' },
};

export const HISTORY_KIND_NAMES: Record<AlarmHistoryEntry['kind'], LocalisedText> = {
  raised: { zh: '触发告警', en: 'Raised' },
  escalated: { zh: '升级', en: 'Escalated' },
  deescalated: { zh: '降级', en: 'Stepped down' },
  acknowledged: { zh: '确认', en: 'Acknowledged' },
  case_opened: { zh: '立案', en: 'Case opened' },
  cleared: { zh: '解除', en: 'Cleared' },
};

export const RULE_KIND_NAMES: Record<AlarmRuleKind, LocalisedText> = {
  threshold: { zh: '阈值', en: 'Threshold' },
  rate: { zh: '变化率', en: 'Rate' },
  silence: { zh: '数据中断', en: 'Silence' },
  forecast: { zh: '趋势预判', en: 'Forecast' },
};

export const CREATE_CASE_NAMES: Record<CreateCase, LocalisedText> = {
  auto: { zh: '自动', en: 'auto' },
  manual: { zh: '人工', en: 'manual' },
  off: { zh: '不立案', en: 'off' },
};

export const LEVEL_NAMES: Record<string, LocalisedText> = {
  city: { zh: '市', en: 'city' },
  district: { zh: '区', en: 'district' },
  street: { zh: '街道', en: 'street' },
  grid: { zh: '网格', en: 'grid' },
};

/** A localised name from one of the tables above, or the code itself. */
export function named(table: Record<string, LocalisedText>, code: string, lang: Lang): string {
  return Object.hasOwn(table, code) ? table[code]![lang] : code;
}
