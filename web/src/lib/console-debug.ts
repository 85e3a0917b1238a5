/**
 * @module web/console-debug
 * A read-only handle on the duty-officer console for tests and an engineer at the desk:
 * `window.__onescreenConsole = { state, map }`. It exposes nothing the page does not show.
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { ConsoleState } from './state/console-state.svelte.ts';

export interface ConsoleHandle {
  state: ConsoleState;
  map: MapLibreMap | null;
}

declare global {
  interface Window {
    __onescreenConsole?: ConsoleHandle;
  }
}
