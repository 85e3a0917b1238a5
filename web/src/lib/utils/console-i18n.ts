/**
 * @module web/utils/console-i18n
 * UI strings of the duty-officer console, Chinese (default) and
 * English. Kept apart from the wall's `i18n.ts` so the two pages can grow independently.
 */
import type { CaseAction, LadderRung, LocalisedText } from '../../../../shared/index.ts';
import type { Lang } from './i18n.ts';

export const CONSOLE_STRINGS = {
  consoleTitle: { zh: '值班工作台', en: 'Duty console' },
  queue: { zh: '待办队列', en: 'Queue' },
  allStreets: { zh: '全部街道', en: 'All streets' },
  allGrids: { zh: '全部网格', en: 'All grids' },
  allCategories: { zh: '全部类别', en: 'All categories' },
  allStatuses: { zh: '全部状态', en: 'All statuses' },
  allUnits: { zh: '全部单位（主办或协办）', en: 'All units (lead or co-unit)' },
  mergedReports: { zh: '合并的重复上报', en: 'Merged duplicate reports' },
  nearbyOriginals: { zh: '附近在办（同类优先）', en: 'Open cases nearby (same kind first)' },
  searchTitle: { zh: '搜索标题', en: 'Search titles' },
  clearFilters: { zh: '清除', en: 'Clear' },
  emptyQueue: { zh: '没有待办事件', en: 'No open cases' },
  refine: { zh: '更多事件请用筛选', en: 'filter to see the rest' },
  shown: { zh: '件', en: 'cases' },
  pickCase: { zh: '从左侧队列选择事件（j/k 移动，Enter 打开）', en: 'Pick a case from the queue (j/k to move, Enter to open)' },
  escalated: { zh: '已上报区级', en: 'Escalated' },
  breachedBadge: { zh: '超时', en: 'Overdue' },
  breachCount: { zh: '超时次数', en: 'Breaches' },
  due: { zh: '时限', en: 'Due' },
  stageStarted: { zh: '本环节开始', en: 'Stage started' },
  noClock: { zh: '不计时', en: 'No clock' },
  leadUnit: { zh: '主办单位', en: 'Lead unit' },
  coUnits: { zh: '协办单位', en: 'Co-units' },
  none: { zh: '无', en: 'none' },
  timeline: { zh: '办理过程', en: 'Timeline' },
  attachments: { zh: '附件', en: 'Attachments' },
  confidential: { zh: '涉密', en: 'Confidential' },
  ladderTo: { zh: '升级至', en: 'Up to' },
  ladderPerson: { zh: '协调人（姓名、职务）', en: 'Who coordinates (name, post)' },
  ladderPersonHint: { zh: '如：张某某 副局长', en: 'e.g. Zhang, deputy director' },
  ladderPositions: { zh: '各方理据（至少两方）', en: "Each party's position (two or more)" },
  ladderPositionHint: { zh: '该方意见及依据', en: 'its position and grounds' },
  ladderAddParty: { zh: '增加一方', en: 'Add a party' },
  ladderBadge: { zh: '协调', en: 'Coordination' },
  markConfidential: { zh: '标记为涉密/敏感', en: 'Mark confidential' },
  unmarkConfidential: { zh: '取消涉密标记', en: 'No longer confidential' },
  personalMasked: { zh: '个人信息已隐去', en: 'Personal data masked' },
  personalShow: { zh: '查看完整信息', en: 'Show personal data' },
  personalLogged: { zh: '本次查看已记录', en: 'This viewing is logged' },
  attachmentsHint: { zh: '文件名，逗号分隔', en: 'file names, separated by commas' },
  unitLabel: { zh: '单位', en: 'Unit' },
  actionsTitle: { zh: '可执行操作', en: 'Actions' },
  noActions: { zh: '当前无可执行操作', en: 'Nothing you can do on this case now' },
  confirm: { zh: '确认', en: 'Confirm' },
  cancel: { zh: '取消', en: 'Cancel' },
  note: { zh: '说明', en: 'Note' },
  noteRequired: { zh: '请填写说明（至少2个字）', en: 'Write a note (2+ characters)' },
  reasonRequired: { zh: '请填写上报理由（至少5个字）', en: 'Write the reason (5+ characters)' },
  unit: { zh: '主办单位', en: 'Lead unit' },
  suggested: { zh: '建议', en: 'suggested' },
  rating: { zh: '评价', en: 'Rating' },
  good: { zh: '好评', en: 'Good' },
  bad: { zh: '差评', en: 'Bad' },
  satisfaction: { zh: '满意度', en: 'Satisfaction' },
  notRated: { zh: '不填', en: 'none' },
  rejectReason: { zh: '不予受理原因', en: 'Reason' },
  invalid: { zh: '无效事件', en: 'Invalid' },
  duplicate: { zh: '重复事件', en: 'Duplicate' },
  duplicateOf: { zh: '原事件编号', en: 'Original case id' },
  conflict: { zh: '该事件已被他人处理，已刷新', en: 'Someone else acted on this case; reloaded' },
  refused: { zh: '操作未成功', en: 'The action was refused' },
  done: { zh: '已完成', en: 'Done' },
  loadFailed: { zh: '事件加载失败', en: 'Could not load the case' },
  changed: { zh: '该事件刚被他人更新，提交前请核对', en: 'This case was just updated by someone else; check before you submit' },
  staleHint: { zh: '该事件刚被他人更新', en: 'Updated by someone else meanwhile' },
  reloadNow: { zh: '刷新', en: 'Reload' },
  mapTitle: { zh: '位置及周边在办', en: 'Place and open cases nearby' },
  report: { zh: '导出通报', en: 'Export report' },
  reportBy: { zh: '另按网格分组', en: 'Also rows by' },
  reportByNone: { zh: '不分组', en: 'No grouping' },
  periodToday: { zh: '今日', en: 'Today' },
  periodWeek: { zh: '本周', en: 'This week' },
  unitStanding: { zh: '本单位排名', en: 'How we stand' },
  unitRank: { zh: '名次', en: 'Rank' },
  onTime: { zh: '按时办结率', en: 'On time' },
  closedCount: { zh: '办结', en: 'Closed' },
  returnsCount: { zh: '退单', en: 'Returns' },
  goodBad: { zh: '好评/差评', en: 'Good/bad' },
  statsFailed: { zh: '统计加载失败', en: 'Could not load the figures' },
  periodCustom: { zh: '自定义', en: 'Custom' },
  keysHelp: { zh: '快捷键：j/k ↑/↓ 移动 · Enter 打开 · / 搜索 · Esc 关闭', en: 'Keys: j/k ↑/↓ move · Enter open · / search · Esc close' },
  caseId: { zh: '编号', en: 'Case' },
  version: { zh: '版本', en: 'Version' },
  system: { zh: '系统', en: 'system' },
  backToWall: { zh: '大屏', en: 'Wall' },
  forbiddenConsole: { zh: '无权访问：值班工作台仅限值班人员', en: 'Forbidden: the console is for duty officers only' },
  street: { zh: '街道', en: 'Street' },
  tabQueue: { zh: '待办队列', en: 'Queue' },
  tabHotspots: { zh: '热点', en: 'Hotspots' },
  hotspotsTitle: { zh: '热点与反复问题', en: 'Hotspots and recurring problems' },
  noHotspots: { zh: '当前时段没有热点', en: 'No hotspots in this window' },
  hotspotEmerging: { zh: '新发苗头', en: 'Emerging' },
  hotspotRecurring: { zh: '反复发生', en: 'Recurring' },
  hotspotCount: { zh: '件数', en: 'Cases' },
  hotspotBaseline: { zh: '往常', en: 'usual' },
  hotspotCases: { zh: '相关事件', en: 'Cases' },
  window6h: { zh: '近6小时', en: 'Last 6 h' },
  window24h: { zh: '近24小时', en: 'Last 24 h' },
  window7d: { zh: '近7天', en: 'Last 7 days' },
  allCategoriesShort: { zh: '全部类别', en: 'All categories' },
  tags: { zh: '问题标签', en: 'Tags' },
  tagRecurring: { zh: '反复', en: 'Recurring' },
  tagEmerging: { zh: '苗头', en: 'Emerging' },
  tagTypical: { zh: '典型', en: 'Typical' },
  relatedCases: { zh: '此前同类事件（附近）', en: 'Earlier cases of this kind nearby' },
  markTypical: { zh: '标为典型', en: 'Mark typical' },
  unmarkTypical: { zh: '取消典型', en: 'Unmark typical' },
  typicalNote: { zh: '典型说明（可选）', en: 'Why typical (optional)' },
} satisfies Record<string, LocalisedText>;

export type ConsoleStringKey = keyof typeof CONSOLE_STRINGS;

export function ct(lang: Lang, key: ConsoleStringKey): string {
  return CONSOLE_STRINGS[key][lang];
}

/** Names of the closed loop's actions (and of the timeline's own entries). */
export const ACTION_NAMES: Record<CaseAction | 'report' | 'breach' | 'tag', LocalisedText> = {
  report: { zh: '发现上报', en: 'Reported' },
  accept: { zh: '受理', en: 'Accept' },
  reject: { zh: '不予受理', en: 'Reject' },
  dispatch: { zh: '派遣', en: 'Dispatch' },
  return: { zh: '退单', en: 'Return' },
  handle: { zh: '处置反馈', en: 'Report handled' },
  verify: { zh: '核查通过', en: 'Verify' },
  rework: { zh: '核查退回', en: 'Rework' },
  escalate: { zh: '上报区级', en: 'Escalate' },
  urge: { zh: '催办', en: 'Urge' },
  archive: { zh: '评价归档', en: 'Archive' },
  feedback: { zh: '协办反馈', en: 'Co-unit feedback' },
  cohandle: { zh: '申请协办', en: 'Ask for co-handling' },
  classify: { zh: '涉密标记', en: 'Confidentiality' },
  coordinate: { zh: '协调升级', en: 'Escalate the dispute' },
  breach: { zh: '超时', en: 'Overdue' },
  tag: { zh: '问题标签', en: 'Tagged' },
};

export function actionName(action: string, lang: Lang): string {
  const n = Object.hasOwn(ACTION_NAMES, action) ? ACTION_NAMES[action as keyof typeof ACTION_NAMES] : undefined;
  return n ? n[lang] : action;
}

/** The rungs of the escalation ladder (R2.4). */
export const LADDER_NAMES: Record<LadderRung, LocalisedText> = {
  deputy: { zh: '分管负责人协调', en: 'Deputy head coordinates' },
  principal: { zh: '主要负责人协调', en: 'Principal head coordinates' },
  government: { zh: '报区政府决定', en: 'District government decides' },
};

/** The order the action buttons are shown in: the forward step first. */
export const ACTION_ORDER: readonly CaseAction[] = ['accept', 'dispatch', 'handle', 'feedback', 'verify', 'archive', 'urge', 'escalate', 'cohandle', 'coordinate', 'rework', 'return', 'reject', 'classify'];
