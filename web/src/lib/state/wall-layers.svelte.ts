/**
 * @module web/state/wall-layers
 * The wall's 路长制 roads and key areas: asked at start and every {@link LAYERS_REFRESH_MS}
 * (an administrator's import shows within that); the last answer is kept through errors.
 */
import { fetchKeyAreas, fetchRoads, LAYERS_REFRESH_MS, type KeyArea, type RoadSegment } from '../api/layers.ts';
import { poll } from '../utils/poll.ts';

export class WallLayers {
  roads = $state.raw<readonly RoadSegment[]>([]);
  keyAreas = $state.raw<readonly KeyArea[]>([]);
  #stop: (() => void)[] = [];

  constructor(
    private readonly onsessionlost: () => void,
    private readonly fetchers = { roads: fetchRoads, keyAreas: fetchKeyAreas },
  ) {}

  start(): void {
    if (this.#stop.length) return;
    this.#stop.push(
      poll((s) => this.fetchers.roads(s), LAYERS_REFRESH_MS, (r) => (this.roads = r.features), this.onsessionlost, 'roads'),
      poll((s) => this.fetchers.keyAreas(s), LAYERS_REFRESH_MS, (r) => (this.keyAreas = r.features), this.onsessionlost, 'key areas'),
    );
  }

  destroy(): void {
    for (const stop of this.#stop) stop();
    this.#stop = [];
  }
}
