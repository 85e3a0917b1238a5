/**
 * @module web/state/wall-state
 * What the operator chose on the wall: language, the drilled-into street, the open event detail,
 * plus a one-second clock and the viewport scale the charts use for their fonts.
 */
import { LANG_STORAGE_KEY, resolveLang, type Lang } from '../utils/i18n.ts';

/** The wall is designed on a 1920×1080 canvas; everything scales with the viewport. */
export const DESIGN_WIDTH = 1920;
export const DESIGN_HEIGHT = 1080;

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
  /** local clock, ticking once a second */
  now = $state(Date.now());
  /** 1 at 1920×1080, 2 at 3840×2160 */
  scale = $state(1);

  #timer: ReturnType<typeof setInterval> | null = null;
  #onResize = () => this.#measure();

  start(): void {
    this.#measure();
    window.addEventListener('resize', this.#onResize);
    this.#timer = setInterval(() => (this.now = Date.now()), 1000);
  }

  destroy(): void {
    window.removeEventListener('resize', this.#onResize);
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

  #measure(): void {
    this.scale = Math.max(0.25, Math.min(window.innerWidth / DESIGN_WIDTH, window.innerHeight / DESIGN_HEIGHT));
  }
}
