/**
 * @module shared/rotation
 * The scene rotation of a wall display, as a pure function of values and a time: given the
 * playlist, the time, where the rotation stands, the pause, and the critical items open in the
 * display's scope, {@link rotate} answers the scene to show, the item to highlight, when the scene
 * changes next, and the position to keep for the next call (where the rotation resumes).
 *
 * - The playlist rotates, each scene for its `durationSec`; the time a scene has been shown is
 *   kept in the position, so a pause or a pin freezes it and the rotation later resumes where it
 *   stopped (the same scene, its remaining time). A clock that jumps back counts as no time; one
 *   that jumps forward moves on through the cycle (never loops more than once round it).
 * - A critical item pins the wall (over a pause, too): an unacknowledged alarm at `alarm`
 *   severity, or a critical case not yet accepted (an open case past `reported` has been taken
 *   in hand). An alarm shows on the playlist's `alarms` scene, else on a `street`/`area` scene of
 *   its area, else on an alarms scene of its own; a case on a `street`/`area` scene of its street
 *   or grid, else on the overview map. With an empty playlist the wall stays on the overview,
 *   with the item highlighted. Several items: alarms first, then the oldest first.
 * - An empty playlist: the overview of the display's area, always.
 *
 * @example
 * let position: RotationPosition | null = null;
 * const r = rotate({ scenes, now: Date.now(), position, pause: null, critical: criticalItems(alarms, events) });
 * position = r.position; // keep it for the next tick
 */
import type { Alarm, GridEvent, Scene, SceneKind } from './schemas/index.ts';

/** Where the rotation stands: the scene's index and how long it has been shown, as of `at` (ms). */
export interface RotationPosition {
  index: number;
  shownMs: number;
  at: number;
}

/** Something critical that pins the wall until it is acknowledged (an alarm) or taken in hand (a case). */
export interface CriticalItem {
  kind: 'alarm' | 'case';
  id: string;
  /** the alarm's area, or the case's grid */
  areaId: string;
  /** the street it lies in (null for an alarm of the whole district) */
  streetId: string | null;
  /** when it was raised or received (ms): the oldest pins first */
  since: number;
}

/** What to show: a scene kind and, for `street` and `area`, the area (null: the display's own). */
export interface SceneView {
  kind: SceneKind;
  areaId: string | null;
}

export interface RotationInput {
  scenes: readonly Scene[];
  now: number;
  /** the position the previous call returned (null at first, or after a reset) */
  position: RotationPosition | null;
  /** the pause (`until` ms, null: until resumed); one whose `until` has passed counts as none */
  pause: { until: number | null } | null;
  /** the critical items open in scope, any order ({@link criticalItems}) */
  critical: readonly CriticalItem[];
}

export interface RotationView {
  scene: SceneView;
  /** the playlist index shown, or null when the scene is not one of the playlist's (a pin's own, or the overview of an empty playlist) */
  index: number | null;
  /** the item to highlight, and how many more are pinning behind it */
  pinned: CriticalItem | null;
  pinnedMore: number;
  /** paused (a pause may be active under a pin: both are true) */
  paused: boolean;
  /** when the scene changes next (ms), and to which index; null while frozen or with one scene or none */
  nextAt: number | null;
  nextIndex: number | null;
  /** keep it for the next call (null for an empty playlist) */
  position: RotationPosition | null;
}

const OVERVIEW: SceneView = { kind: 'overview', areaId: null };

/** Oldest alarm first, then the oldest case: the item a wall pins to. */
export function pinOrder(a: CriticalItem, b: CriticalItem): number {
  if (a.kind !== b.kind) return a.kind === 'alarm' ? -1 : 1;
  return a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The items that pin a wall, from its live data (already cut to the display's scope by the
 * server): alarms at `alarm` severity still `raised` (not acknowledged, not cleared), and critical
 * cases still `reported` (not accepted, not closed).
 */
export function criticalItems(alarms: readonly Alarm[], events: readonly GridEvent[]): CriticalItem[] {
  const out: CriticalItem[] = [];
  for (const a of alarms) {
    if (a.severity === 'alarm' && a.state === 'raised') out.push({ kind: 'alarm', id: a.id, areaId: a.areaId, streetId: a.streetId, since: Date.parse(a.raisedAt) });
  }
  for (const e of events) {
    if (e.severity === 'critical' && e.status === 'reported' && e.duplicateOf === null) out.push({ kind: 'case', id: e.id, areaId: e.gridId, streetId: e.streetId, since: Date.parse(e.receivedAt) });
  }
  return out.sort(pinOrder);
}

/** whether a playlist scene shows the item: a `street`/`area` scene of its area or its street */
function covers(s: Scene, item: CriticalItem): boolean {
  if (s.areaId === undefined) return false;
  return s.areaId === item.areaId || (item.streetId !== null && s.areaId === item.streetId);
}

/** the scene that shows a pinned item: a playlist index when one does, else a scene of its own */
export function sceneFor(scenes: readonly Scene[], item: CriticalItem): { index: number | null; scene: SceneView } {
  if (scenes.length === 0) return { index: null, scene: OVERVIEW };
  const view = (i: number) => ({ index: i, scene: { kind: scenes[i]!.kind, areaId: scenes[i]!.areaId ?? null } });
  if (item.kind === 'alarm') {
    const alarms = scenes.findIndex((s) => s.kind === 'alarms');
    if (alarms >= 0) return view(alarms);
  }
  // the narrowest scene that shows it: its own area (a grid) before its street
  const own = scenes.findIndex((s) => s.areaId === item.areaId);
  if (own >= 0) return view(own);
  const street = scenes.findIndex((s) => covers(s, item));
  if (street >= 0) return view(street);
  return { index: null, scene: item.kind === 'alarm' ? { kind: 'alarms', areaId: null } : OVERVIEW };
}

/** the position on this playlist: one past its end (the playlist shrank) starts it over */
function normalise(scenes: readonly Scene[], p: RotationPosition | null, now: number): RotationPosition {
  if (!p || !Number.isInteger(p.index) || p.index < 0 || p.index >= scenes.length || !(p.shownMs >= 0)) return { index: 0, shownMs: 0, at: now };
  return p;
}

/** The scene to show now, what to highlight, and the position to keep (see the module's doc). */
export function rotate(input: RotationInput): RotationView {
  const { scenes, now } = input;
  const paused = input.pause !== null && (input.pause.until === null || input.pause.until > now);
  const pins = [...input.critical].sort(pinOrder);
  const pinned = pins[0] ?? null;
  const pinnedMore = Math.max(0, pins.length - 1);
  if (scenes.length === 0) {
    return { scene: OVERVIEW, index: null, pinned, pinnedMore, paused, nextAt: null, nextIndex: null, position: null };
  }
  const p = normalise(scenes, input.position, now);
  const durationOf = (i: number) => scenes[i]!.durationSec * 1000;

  if (pinned || paused) {
    // frozen: the time until now is not counted; the rotation resumes at this scene with what was left of it
    const position = { index: p.index, shownMs: Math.min(p.shownMs, durationOf(p.index)), at: now };
    if (pinned) {
      const pin = sceneFor(scenes, pinned);
      return { ...pin, pinned, pinnedMore, paused, nextAt: null, nextIndex: null, position };
    }
    return { scene: { kind: scenes[p.index]!.kind, areaId: scenes[p.index]!.areaId ?? null }, index: p.index, pinned: null, pinnedMore: 0, paused, nextAt: null, nextIndex: null, position };
  }

  let index = p.index;
  // a clock that went back counts as no time; one that leapt forward moves on at most once round
  const cycle = scenes.reduce((n, s) => n + s.durationSec * 1000, 0);
  // a pause that ran out since the last call: only the time after its end counts
  const from = input.pause?.until != null && input.pause.until > p.at ? input.pause.until : p.at;
  let shown = p.shownMs + Math.max(0, now - from);
  if (shown >= durationOf(index) + cycle) shown = durationOf(index) + ((shown - durationOf(index)) % cycle);
  while (shown >= durationOf(index)) {
    shown -= durationOf(index);
    index = (index + 1) % scenes.length;
  }
  const single = scenes.length === 1;
  return {
    scene: { kind: scenes[index]!.kind, areaId: scenes[index]!.areaId ?? null },
    index,
    pinned: null,
    pinnedMore: 0,
    paused: false,
    nextAt: single ? null : now + (durationOf(index) - shown),
    nextIndex: single ? null : (index + 1) % scenes.length,
    position: { index, shownMs: shown, at: now },
  };
}
