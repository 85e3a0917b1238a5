/**
 * @module web/state/wall-state
 * What the operator chose on the wall: language, the drilled-into street, the open event detail,
 * plus a one-second clock, and the layout (which arrangement, and the scale the charts use for
 * their fonts).
 */
import type { OverlayKind } from '../../../../shared/index.ts';
import { LANG_STORAGE_KEY, resolveLang, type Lang } from '../utils/i18n.ts';
import { LayoutState } from './layout-state.svelte.ts';

function readStoredLang(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

export class WallState {
  lang = $state<Lang>(resolveLang(typeof location === 'undefined' ? '' : location.search, readStoredLang()));
  /** the street drilled into, or null for the whole district */
  streetId = $state<string | null>(null);
  selectedEventId = $state<string | null>(null);
  /** the grid whose detail is open (多格合一, 三长), or null */
  selectedGridId = $state<string | null>(null);
  /** the 多格合一 overlay the map colours the grids by, or null for none */
  overlay = $state<OverlayKind | null>(null);
  /** local clock, ticking once a second */
  now = $state(Date.now());
  /** the layout: `?layout=`, the display's configuration, or the viewport's shape */
  readonly layout = new LayoutState(typeof location === 'undefined' ? '' : location.search);

  #timer: ReturnType<typeof setInterval> | null = null;

  /** the charts' scale: 1 when 1 rem = 10 px (a full-HD screen, in any layout), 2 on 4K */
  get scale(): number {
    return this.layout.scale;
  }

  start(): void {
    this.layout.start();
    this.#timer = setInterval(() => (this.now = Date.now()), 1000);
  }

  destroy(): void {
    this.layout.destroy();
    if (this.#timer) clearInterval(this.#timer);
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    try {
      localStorage.setItem(LANG_STORAGE_KEY, lang);
    } catch {
      // storage can be disabled on kiosk browsers; the choice then lasts for the session
    }
  }
}
