/**
 * @module web/state/wall-layers
 * The wall's 路长制 roads and key areas: asked at start and every {@link LAYERS_REFRESH_MS}
 * (an administrator's import shows within that); the last answer is kept through errors. And the
 * buildings of the grid whose detail is open (三长联动), asked once when a grid is opened, for the
 * detail and the map alike.
 */
import { fetchBuildings, fetchKeyAreas, fetchRoads, LAYERS_REFRESH_MS, type Building, type KeyArea, type RoadSegment } from '../api/layers.ts';
import { poll } from '../utils/poll.ts';

export class WallLayers {
  roads = $state.raw<readonly RoadSegment[]>([]);
  keyAreas = $state.raw<readonly KeyArea[]>([]);
  /** the open grid's buildings (null while they are asked for, or with no grid open) */
  gridBuildings = $state.raw<readonly Building[] | null>(null);
  #stop: (() => void)[] = [];
  #grid: { id: string; abort: AbortController } | null = null;

  constructor(
    private readonly onsessionlost: () => void,
    private readonly fetchers = { roads: fetchRoads, keyAreas: fetchKeyAreas, buildings: fetchBuildings },
  ) {}

  /** Follow the grid whose detail is open (null: none): its buildings, asked once per grid opened. */
  watchGrid(gridId: string | null): void {
    if (this.#grid?.id === gridId) return;
    this.#grid?.abort.abort();
    this.#grid = null;
    this.gridBuildings = null;
    if (!gridId) return;
    const grid = { id: gridId, abort: new AbortController() };
    this.#grid = grid;
    this.fetchers
      .buildings(gridId, grid.abort.signal)
      .then((r) => (this.gridBuildings = r.features))
      .catch((err: unknown) => {
        if (grid.abort.signal.aborted) return;
        this.gridBuildings = [];
        console.warn('[onescreen] buildings failed', err);
      });
  }

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
    this.watchGrid(null);
  }
}
