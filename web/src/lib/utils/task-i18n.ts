/**
 * @module web/utils/task-i18n
 * The task page's words (挂图作战), in Chinese and English.
 */
import type { LocalisedText, TaskActionName } from '../../../../shared/index.ts';
import type { Lang } from './i18n.ts';

export const TASK_STRINGS = {
  title: { zh: '挂图作战', en: 'Tasks on the map' },
  navLink: { zh: '挂图作战', en: 'Tasks' },
  toConsole: { zh: '值班工作台', en: 'Console' },
  export: { zh: '导出督查通报', en: 'Export bulletin' },
  all: { zh: '全部', en: 'All' },
  active: { zh: '推进中', en: 'Active' },
  done: { zh: '已完成', en: 'Done' },
  late: { zh: '逾期', en: 'Overdue' },
  slow: { zh: '慢落实', en: 'Slow' },
  awaiting: { zh: '待书面报告', en: 'Report owed' },
  visitDue: { zh: '本季未现场办公', en: 'Visit due' },
  allUnits: { zh: '全部责任单位', en: 'All units' },
  coverage: { zh: '项目本季现场办公', en: 'Projects visited this quarter' },
  units: { zh: '责任单位比拼', en: 'Units compared' },
  unit: { zh: '责任单位', en: 'Unit' },
  person: { zh: '责任人', en: 'Person' },
  standard: { zh: '工作标准', en: 'Standard' },
  deadline: { zh: '完成时限', en: 'Deadline' },
  progress: { zh: '进度', en: 'Progress' },
  milestones: { zh: '节点目标', en: 'Milestones' },
  due: { zh: '节点时限', en: 'Due' },
  reached: { zh: '已完成', en: 'Reached' },
  open: { zh: '未完成', en: 'Open' },
  report: { zh: '书面报告', en: 'Written report' },
  reportText: { zh: '报告内容', en: 'Report' },
  attachment: { zh: '附件名称', en: 'Attached file' },
  log: { zh: '推进记录', en: 'Log' },
  note: { zh: '说明', en: 'Note' },
  pick: { zh: '从左侧选择任务', en: 'Pick a task on the left' },
  none: { zh: '暂无任务', en: 'No tasks' },
  create: { zh: '新建任务', en: 'New task' },
  kindTask: { zh: '任务', en: 'Task' },
  kindProject: { zh: '项目', en: 'Project' },
  taskTitle: { zh: '任务名称', en: 'Title' },
  area: { zh: '所属区域', en: 'Area' },
  place: { zh: '位置（经度,纬度，可选）', en: 'Place (lng,lat, optional)' },
  placePoint: { zh: '点位', en: 'Point' },
  placeArea: { zh: '区域', en: 'Area' },
  placeFinish: { zh: '完成区域', en: 'Close area' },
  placeUndo: { zh: '撤销', en: 'Undo' },
  placeClear: { zh: '清除', en: 'Clear' },
  corners: { zh: '个顶点', en: 'corners' },
  placeHintPoint: { zh: '在地图上点击放置点位，或输入经纬度', en: 'Click the map to place the point, or type lng,lat' },
  placeHintArea: { zh: '依次点击区域各顶点，再点“完成区域”', en: 'Click each corner of the area, then Close area' },
  milestoneLines: { zh: '节点（每行：名称,日期）', en: 'Milestones (one per line: title,date)' },
  submit: { zh: '确定', en: 'Submit' },
  created: { zh: '已创建', en: 'Created' },
  saved: { zh: '已记录', en: 'Saved' },
  forbidden: { zh: '大屏不能打开挂图作战', en: 'A wall display cannot open the task page' },
  system: { zh: '系统', en: 'system' },
  counts: { zh: '在办 / 逾期 / 慢落实 / 完成', en: 'active / overdue / slow / done' },
} satisfies Record<string, LocalisedText>;

export const tt = (lang: Lang, key: keyof typeof TASK_STRINGS): string => TASK_STRINGS[key][lang];

export const TASK_ACTION_NAMES: Record<TaskActionName | 'create' | 'chase', LocalisedText> = {
  create: { zh: '立项', en: 'Created' },
  progress: { zh: '进度反馈', en: 'Progress' },
  milestone: { zh: '节点完成', en: 'Milestone reached' },
  lateReport: { zh: '书面报告', en: 'Late report' },
  urge: { zh: '催办', en: 'Urge' },
  supervise: { zh: '督办', en: 'Supervise' },
  visit: { zh: '现场办公', en: 'Site visit' },
  complete: { zh: '验收完成', en: 'Complete' },
  chase: { zh: '系统催办', en: 'Chased' },
};
