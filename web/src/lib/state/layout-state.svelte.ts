/**
 * @module web/state/layout-state
 * The wall's layout (issue 11 §5): the `?layout=` override, the layout its display is configured
 * with (pushed by the server), and the viewport, resolved by {@link resolveLayout}. It marks the
 * document root with `data-layout` (the arrangement: app.css sizes the rem from it) and gives the
 * charts their scale.
 *
 * @example
 * const layout = new LayoutState(location.search);
 * layout.start();                  // follows the window's size
 * layout.configure('5760x1080');   // the display's configuration arrived
 * layout.plan.arrangement;         // 'wide'
 */
import { chartScale, layoutFromQuery, parseLayout, resolveLayout, type LayoutChoice, type LayoutPlan, type Viewport } from '../utils/layout.ts';

export class LayoutState {
  /** `?layout=`, read once: an override for testing and for sessions that are not displays */
  query = $state.raw<LayoutChoice | null>(null);
  /** what the display's configuration asks for (null until it is known, or for a person's session) */
  configured = $state<LayoutChoice | null>(null);
  viewport = $state<Viewport>({ width: 0, height: 0 });

  plan = $derived<LayoutPlan>(resolveLayout({ query: this.query, configured: this.configured, viewport: this.viewport }));
  /** the charts' scale: 1 when 1 rem = 10 px (a full-HD screen), 2 on 4K */
  scale = $derived(chartScale(this.plan.arrangement, this.viewport));

  #onResize = () => this.#measure();
  #started = false;

  constructor(search: string) {
    this.query = layoutFromQuery(search);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#measure();
    window.addEventListener('resize', this.#onResize);
  }

  destroy(): void {
    window.removeEventListener('resize', this.#onResize);
    this.#started = false;
    delete document.documentElement.dataset.layout;
  }

  /** The display's configured layout; anything that is not a layout name counts as `auto`. */
  configure(layout: string | null | undefined): void {
    this.configured = layout == null ? null : (parseLayout(layout) ?? 'auto');
    this.#apply();
  }

  #measure(): void {
    this.viewport = { width: window.innerWidth, height: window.innerHeight };
    this.#apply();
  }

  #apply(): void {
    const root = document.documentElement;
    if (root.dataset.layout !== this.plan.arrangement) root.dataset.layout = this.plan.arrangement;
  }
}
