/**
 * @module web/utils/escape
 * Escaping for the few places that must hand HTML to a library (ECharts' HTML tooltips). Svelte
 * templates escape by themselves; nothing else in the web builds HTML from strings.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Any value as HTML text: `& < > " ' \`` become entities, so the result is safe inside element
 * content and inside quoted attribute values.
 * @example escapeHtml('<img src=x onerror=alert(1)>') // '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s.replace(/[&<>"'`]/g, (c) => ENTITIES[c] ?? c);
}
