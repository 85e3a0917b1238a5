/**
 * @module web/state/page-lang
 * The language of the login and admin pages: `?lang=`, then the choice stored by the wall, then
 * Chinese; a change is stored for every page.
 */
import { LANG_STORAGE_KEY, resolveLang, type Lang } from '../utils/i18n.ts';

function readStoredLang(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

export class PageLang {
  lang = $state<Lang>(resolveLang(location.search, readStoredLang()));

  constructor() {
    document.documentElement.lang = this.lang === 'zh' ? 'zh-CN' : 'en';
  }

  set(lang: Lang): void {
    this.lang = lang;
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    try {
      localStorage.setItem(LANG_STORAGE_KEY, lang);
    } catch {
      // storage can be disabled on kiosk browsers
    }
  }
}
