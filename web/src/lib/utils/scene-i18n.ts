/**
 * @module web/utils/scene-i18n
 * UI strings of display scenes (场景轮播) — the admin's playlist editor, the console's pause
 * control and the wall's scene indicator — in Chinese (default) and English. Kept apart from the
 * wall's `i18n.ts`, like the console's strings.
 */
import type { DisplayLayout, LocalisedText, SceneKind } from '../../../../shared/index.ts';
import type { Lang } from './i18n.ts';

export const SCENE_NAMES: Record<SceneKind, LocalisedText> = {
  overview: { zh: '全域总览', en: 'Overview' },
  street: { zh: '街道', en: 'Street' },
  loop: { zh: '闭环比拼', en: 'Closed loop' },
  alarms: { zh: '监测预警', en: 'Alarms' },
  hotline: { zh: '12345分析', en: '12345 analysis' },
  area: { zh: '区域聚焦', en: 'Area' },
  tasks: { zh: '挂图作战', en: 'Tasks' },
  keyAreas: { zh: '重点区域', en: 'Key areas' },
};

export const LAYOUT_NAMES: Record<DisplayLayout, LocalisedText> = {
  '1920x1080': { zh: '1920×1080 全高清', en: '1920×1080 Full HD' },
  '3840x2160': { zh: '3840×2160 4K', en: '3840×2160 4K' },
  '5760x1080': { zh: '5760×1080 三联拼接屏', en: '5760×1080 3×1 video wall' },
  '1080x1920': { zh: '1080×1920 竖屏', en: '1080×1920 portrait' },
};

export const SCENE_STRINGS = {
  scenes: { zh: '场景轮播', en: 'Scenes' },
  editScenes: { zh: '场景', en: 'Scenes' },
  playlistOf: { zh: '的轮播场景', en: ': scenes' },
  layout: { zh: '屏幕布局', en: 'Layout' },
  addScene: { zh: '添加场景', en: 'Add scene' },
  seconds: { zh: '秒', en: 's' },
  duration: { zh: '时长（秒）', en: 'Duration (s)' },
  sceneArea: { zh: '区域', en: 'Area' },
  moveUp: { zh: '上移', en: 'Move up' },
  moveDown: { zh: '下移', en: 'Move down' },
  remove: { zh: '删除', en: 'Remove' },
  save: { zh: '保存并推送', en: 'Save and push' },
  saved: { zh: '已保存，已推送到大屏', en: 'Saved and pushed to the screen' },
  emptyPlaylist: { zh: '无场景：大屏只显示全域总览', en: 'No scenes: the screen shows the overview only' },
  cycle: { zh: '一轮', en: 'Cycle' },
  rotation: { zh: '轮播', en: 'Rotation' },
  rotating: { zh: '轮播中', en: 'Rotating' },
  paused: { zh: '已暂停', en: 'Paused' },
  pausedBy: { zh: '暂停人', en: 'Paused by' },
  pauseUntil: { zh: '至', en: 'until' },
  untilResumed: { zh: '直至恢复', en: 'until resumed' },
  pause15: { zh: '暂停15分钟', en: 'Pause 15 min' },
  pause60: { zh: '暂停1小时', en: 'Pause 1 h' },
  pauseForever: { zh: '暂停至恢复', en: 'Pause until resumed' },
  resume: { zh: '恢复轮播', en: 'Resume' },
  displays: { zh: '大屏轮播', en: 'Wall displays' },
  noDisplays: { zh: '本辖区没有大屏', en: 'No displays in your area' },
  next: { zh: '下一场景', en: 'Next' },
  inSeconds: { zh: '秒后', en: 's' },
  pinnedAlarm: { zh: '紧急告警', en: 'Critical alarm' },
  pinnedCase: { zh: '紧急事件', en: 'Critical case' },
  pinnedHint: { zh: '确认或处置后恢复轮播', en: 'rotation resumes once acknowledged' },
  more: { zh: '另有', en: 'more' },
  close: { zh: '收起', en: 'Close' },
} satisfies Record<string, LocalisedText>;

export type SceneStringKey = keyof typeof SCENE_STRINGS;

export function st(lang: Lang, key: SceneStringKey): string {
  return SCENE_STRINGS[key][lang];
}

export function sceneName(lang: Lang, kind: SceneKind): string {
  return SCENE_NAMES[kind][lang];
}
