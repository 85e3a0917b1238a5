/**
 * @module web/utils/recovery-i18n
 * Texts of the wall screens' run status in `/admin` → displays (last seen, build, reloads), Chinese
 * and English. Kept apart from `i18n.ts` so the recovery parts grow on their own.
 */
import type { WallReloadReason } from '../../../../shared/index.ts';
import type { Lang } from './i18n.ts';

export const RECOVERY_STRINGS = {
  health: { zh: '运行状况', en: 'Running' },
  neverSeen: { zh: '未上线', en: 'Never seen' },
  lastSeen: { zh: '最近在线', en: 'Last seen' },
  justNow: { zh: '刚刚', en: 'just now' },
  build: { zh: '版本', en: 'Build' },
  buildDiffers: { zh: '与服务器不一致', en: 'differs from the server' },
  serverBuild: { zh: '服务器版本', en: 'Server build' },
  reloads: { zh: '自动刷新', en: 'Reloads' },
  lastReason: { zh: '最近原因', en: 'last reason' },
  noReloads: { zh: '无', en: 'none' },
} as const satisfies Record<string, Record<Lang, string>>;

export type RecoveryKey = keyof typeof RECOVERY_STRINGS;

export function rt(lang: Lang, key: RecoveryKey): string {
  return RECOVERY_STRINGS[key][lang];
}

const REASONS: Record<WallReloadReason, Record<Lang, string>> = {
  stall: { zh: '渲染停滞', en: 'rendering stalled' },
  memory: { zh: '内存超限', en: 'memory over its bound' },
  version: { zh: '版本更新', en: 'new build' },
};

export const reloadReasonText = (lang: Lang, r: WallReloadReason): string => REASONS[r][lang];

/** "5 分钟前" / "5 min ago": how long ago, in the largest whole unit (minutes, hours, days). */
export function agoText(lang: Lang, thenMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 60) return rt(lang, 'justNow');
  const [n, zh, en] = s < 3600 ? [Math.floor(s / 60), '分钟', 'min'] : s < 86_400 ? [Math.floor(s / 3600), '小时', 'h'] : [Math.floor(s / 86_400), '天', 'd'];
  return lang === 'zh' ? `${n} ${zh}前` : `${n} ${en} ago`;
}
