/**
 * @module web/debug
 * A read-only handle for tests and for an engineer at the wall's console:
 * `window.__onescreen = { map, state, charts }`. It exposes nothing the page does not show.
 * `state.model` is the wall's view-model: tests drive the view with `model.setView(streetId)`.
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { ECharts } from './components/charts/echarts.ts';
import type { Catalog } from './state/catalog.svelte.ts';
import type { LiveState } from './state/live-state.svelte.ts';
import type { LoopStats } from './state/loop-stats.svelte.ts';
import type { WallModel } from './state/wall-model.svelte.ts';
import type { WallState } from './state/wall-state.svelte.ts';
import type { WallRecovery } from './state/wall-recovery.svelte.ts';

export type ChartName = 'hourly' | 'streets' | 'pm25';

export interface OneScreenHandle {
  map: MapLibreMap | null;
  state: { catalog: Catalog; live: LiveState; wall: WallState; loop: LoopStats; model: WallModel };
  charts: Record<ChartName, ECharts | null>;
  /** the page's self-recovery: its state, and `configure()`, the documented test hook that shortens its waits */
  recovery?: WallRecovery;
}

declare global {
  interface Window {
    __onescreen?: OneScreenHandle;
  }
}
