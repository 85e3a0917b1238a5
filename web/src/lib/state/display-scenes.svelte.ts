/**
 * @module web/state/display-scenes
 * What a display's wall needs to follow its scenes, in one rune class: a watch on the display's
 * own area (a second live connection to its root room, which the server also sends the display's
 * configuration on) so a critical alarm or case anywhere in its scope pins the wall even while a
 * street scene has the main connection on one street; the {@link SceneRotation} stepped from it;
 * and what the wall makes of the current scene: the street to show, the panel to bring forward,
 * the alarm or case to highlight and its title.
 *
 * Only display sessions have scenes: for a person's session nothing is connected and every answer
 * is "as before" (no street, no focus, no pin).
 */
import { criticalItems, type DisplayConfig, type GridEvent, type RotationView, type SceneKind, type SessionInfo } from '../../../../shared/index.ts';
import { loc, type Lang } from '../utils/i18n.ts';
import { LiveState } from './live-state.svelte.ts';
import { SceneRotation } from './scene-rotation.svelte.ts';

/** the panels a scene brings forward on the wall (the others recede while it is shown) */
export type SceneFocus = Extract<SceneKind, 'loop' | 'alarms' | 'hotline' | 'tasks' | 'keyAreas'>;

/**
 * The street a scene shows: a `street` scene's own, an `area` scene's street (a grid's parent),
 * else none (the display's area). `parentOf` answers an area's parent id.
 */
export function sceneStreet(view: RotationView | null, levelOf: (id: string) => string | undefined, parentOf: (id: string) => string | null | undefined): string | null {
  const id = view?.scene.areaId;
  if (!id) return null;
  const level = levelOf(id);
  if (level === 'street') return id;
  if (level === 'grid') return parentOf(id) ?? null;
  return null;
}

export function sceneFocus(view: RotationView | null): SceneFocus | null {
  const k = view?.scene.kind;
  return k === 'loop' || k === 'alarms' || k === 'hotline' || k === 'tasks' || k === 'keyAreas' ? k : null;
}

export class DisplayScenes {
  readonly rotation: SceneRotation;
  /** the live data of the display's whole area (critical items, configuration) */
  readonly watch = new LiveState();
  readonly isDisplay: boolean;

  constructor(session: Pick<SessionInfo, 'kind'>) {
    this.isDisplay = session.kind === 'display';
    this.rotation = new SceneRotation({
      now: () => this.watch.serverNow(),
      critical: () => criticalItems(this.watch.data.alarms, this.watch.data.openEvents),
    });
  }

  #offConfig: (() => void) | null = null;

  /**
   * Starts watching the display's area (once the wall knows it) and tells `apply` each new view
   * (a new scene, a pin, a pause); nothing for a person's session.
   */
  start(rootAreaId: string, apply: (view: RotationView | null) => void): void {
    if (!this.isDisplay || this.#offConfig) return;
    this.#offConfig = this.watch.subscribe('config', (c: DisplayConfig) => this.rotation.setConfig(c));
    this.rotation.onview = apply;
    this.watch.connect(rootAreaId);
    this.rotation.start();
  }

  destroy(): void {
    this.rotation.destroy();
    this.rotation.onview = null;
    this.#offConfig?.();
    this.#offConfig = null;
    this.watch.disconnect();
  }

  get view(): RotationView | null {
    return this.rotation.view;
  }

  get config(): DisplayConfig | null {
    return this.rotation.config;
  }

  /** the alarm to highlight, if an alarm pins the wall */
  get pinnedAlarmId(): string | null {
    const p = this.rotation.view?.pinned;
    return p?.kind === 'alarm' ? p.id : null;
  }

  /** the case to open, if a case pins the wall */
  get pinnedCaseId(): string | null {
    const p = this.rotation.view?.pinned;
    return p?.kind === 'case' ? p.id : null;
  }

  /** the pinned case as the watch knows it (the main connection may be on another street) */
  pinnedCase(): GridEvent | null {
    const id = this.pinnedCaseId;
    return id ? (this.watch.data.openEvents.find((e) => e.id === id) ?? null) : null;
  }

  /** the pinned item's title in the wall's language */
  pinnedTitle(lang: Lang): string {
    const p = this.rotation.view?.pinned;
    if (!p) return '';
    if (p.kind === 'alarm') return loc(this.watch.data.alarms.find((a) => a.id === p.id)?.title, lang);
    return this.pinnedCase()?.title ?? '';
  }
}
