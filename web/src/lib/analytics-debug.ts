/**
 * @module web/analytics-debug
 * A read-only handle on the 12345 analysis page for tests and an engineer at the desk:
 * `window.__onescreenAnalytics = { chart, map, data }`. It exposes nothing the page does not show.
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { HotlineAnalysis } from '../../../shared/index.ts';
import type { ECharts } from './components/charts/echarts.ts';

export interface AnalyticsHandle {
  readonly chart: ECharts | null;
  readonly map: MapLibreMap | null;
  readonly data: HotlineAnalysis | null;
}

declare global {
  interface Window {
    __onescreenAnalytics?: AnalyticsHandle;
  }
}
