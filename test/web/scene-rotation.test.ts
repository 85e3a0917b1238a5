import { describe, expect, it } from 'vitest';
import type { CriticalItem, DisplayConfig, Scene } from '../../shared/index.ts';
import { SceneRotation } from '../../web/src/lib/state/scene-rotation.svelte.ts';

const T0 = Date.UTC(2026, 11, 2, 6);
const S = 1000;
const scenes: Scene[] = [
  { kind: 'overview', durationSec: 10 },
  { kind: 'alarms', durationSec: 10 },
];
const config = (over: Partial<DisplayConfig> = {}): DisplayConfig => ({
  displayId: 'd1', name: 'wall', areaId: '310110', scenes, layout: '1920x1080', pause: null, updatedAt: null, updatedBy: null, ...over,
});
const alarm: CriticalItem = { kind: 'alarm', id: 'a1', areaId: '310110019000', streetId: '310110019000', since: T0 };

function setup() {
  let now = T0;
  let critical: CriticalItem[] = [];
  const r = new SceneRotation({ now: () => now, critical: () => critical });
  return {
    r,
    tick(to: number) {
      for (; now < to; ) {
        now += S;
        r.step();
      }
    },
    set critical(c: CriticalItem[]) {
      critical = c;
    },
    get now() {
      return now;
    },
  };
}

describe('SceneRotation', () => {
  it('should have no view without a configuration (a person’s wall shows its overview as before)', () => {
    const { r, tick } = setup();
    tick(T0 + 30 * S);
    expect(r.view).toBeNull();
  });

  it('should rotate, pin on a critical alarm, and resume where it stopped when it is acknowledged', () => {
    const env = setup();
    env.r.setConfig(config());
    expect(env.r.view).toMatchObject({ index: 0, scene: { kind: 'overview' } });
    env.tick(T0 + 4 * S);
    const same = env.r.view;
    env.tick(T0 + 5 * S);
    // nothing changed but the time: the same object, so nothing re-renders
    expect(env.r.view).toBe(same);
    env.critical = [alarm];
    env.tick(T0 + 30 * S);
    expect(env.r.view).toMatchObject({ scene: { kind: 'alarms' }, pinned: { id: 'a1' }, nextAt: null });
    env.critical = [];
    env.tick(T0 + 31 * S);
    // back on the overview, with 10 − 5 − 1 s of it left
    expect(env.r.view).toMatchObject({ index: 0, scene: { kind: 'overview' }, pinned: null });
    expect(env.r.view!.nextAt! - env.now).toBe(4 * S);
  });

  it('should hold on a pause pushed by the server and go on when it is resumed, keeping the position', () => {
    const env = setup();
    env.r.setConfig(config());
    env.tick(T0 + 12 * S); // alarms, 2 s in
    env.r.setConfig(config({ pause: { by: 'duty', at: new Date(env.now).toISOString(), until: null } }));
    env.tick(T0 + 100 * S);
    expect(env.r.view).toMatchObject({ index: 1, paused: true, nextAt: null });
    env.r.setConfig(config());
    expect(env.r.view).toMatchObject({ index: 1, paused: false });
    expect(env.r.view!.nextAt! - env.now).toBe(8 * S);
  });

  it('should start a new playlist from its first scene', () => {
    const env = setup();
    env.r.setConfig(config());
    env.tick(T0 + 12 * S);
    env.r.setConfig(config({ scenes: [{ kind: 'hotline', durationSec: 20 }, { kind: 'loop', durationSec: 20 }] }));
    expect(env.r.view).toMatchObject({ index: 0, scene: { kind: 'hotline' }, nextAt: env.now + 20 * S });
    env.r.setConfig(null);
    expect(env.r.view).toBeNull();
  });
});
