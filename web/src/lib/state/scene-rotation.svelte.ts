/**
 * @module web/state/scene-rotation
 * A display wall's scene rotation as a rune class around the pure `shared/rotation.ts`: it keeps
 * the display's configuration (pushed by the server as `display:config`), the rotation's position
 * between ticks, and the current {@link RotationView}, stepped once a second with the server's
 * time and the critical items open in the display's scope. The view is replaced only when what it
 * shows changes (scene, pin, pause, next change), so the wall re-renders once a scene, not once a
 * second.
 *
 * A session without a configuration (a person's wall) has no view: the wall shows its overview as
 * it always did.
 *
 * @example
 * const rotation = new SceneRotation({ now: () => live.serverNow(), critical: () => criticalItems(alarms, events) });
 * rotation.setConfig(config);   // from the socket
 * rotation.start();             // ticks every second until destroy()
 */
import { rotate, type CriticalItem, type DisplayConfig, type RotationPosition, type RotationView } from '../../../../shared/index.ts';

export const ROTATION_TICK_MS = 1000;

export interface SceneRotationDeps {
  /** the server's time (ms): pauses end by the server's clock */
  now: () => number;
  /** the critical items open in the display's whole scope */
  critical: () => readonly CriticalItem[];
}

/** whether two views show the same thing (the position inside a scene does not count) */
export function sameView(a: RotationView | null, b: RotationView | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.scene.kind === b.scene.kind &&
    a.scene.areaId === b.scene.areaId &&
    a.index === b.index &&
    a.pinned?.id === b.pinned?.id &&
    a.pinnedMore === b.pinnedMore &&
    a.paused === b.paused &&
    a.nextIndex === b.nextIndex &&
    // a next change that moved by more than a tick (a new pause, a resumed rotation)
    Math.abs((a.nextAt ?? 0) - (b.nextAt ?? 0)) < 2 * ROTATION_TICK_MS
  );
}

export class SceneRotation {
  /** the display's configuration (null: not a display, or not yet told) */
  config = $state.raw<DisplayConfig | null>(null);
  /** what the wall shows now (null without a configuration) */
  view = $state.raw<RotationView | null>(null);

  /** told each time {@link SceneRotation.view} is replaced (the wall follows it with method calls) */
  onview: ((view: RotationView | null) => void) | null = null;

  #deps: SceneRotationDeps;
  #position: RotationPosition | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(deps: SceneRotationDeps) {
    this.#deps = deps;
  }

  /** A new configuration (on connection, or pushed after a save or a pause): applied at once. */
  setConfig(c: DisplayConfig | null): void {
    const prev = this.config;
    this.config = c;
    // a new playlist starts from its first scene; a pause or resume keeps the position
    if (!c || !prev || JSON.stringify(prev.scenes) !== JSON.stringify(c.scenes)) this.#position = null;
    this.step();
  }

  /** One tick: the scene for now. */
  step(now = this.#deps.now()): void {
    const c = this.config;
    if (!c) {
      this.#position = null;
      if (this.view !== null) {
        this.view = null;
        this.onview?.(null);
      }
      return;
    }
    const pause = c.pause ? { until: c.pause.until === null ? null : Date.parse(c.pause.until) } : null;
    const next = rotate({ scenes: c.scenes, now, position: this.#position, pause, critical: this.#deps.critical() });
    this.#position = next.position;
    if (!sameView(this.view, next)) {
      this.view = next;
      this.onview?.(next);
    }
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.step(), ROTATION_TICK_MS);
  }

  destroy(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
