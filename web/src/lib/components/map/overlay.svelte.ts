/**
 * @module web/map/overlay
 * A map layer component's own sources and layers on the wall's map ({@link addOverlay}), and
 * whether they are on it now: its data effects wait for `added` before they write a source.
 * @example
 * const overlay = new OverlayLayers();
 * $effect(() => map && overlay.attach(map, { tasks: { type: 'geojson', data: EMPTY } }, [...]));
 * $effect(() => { if (map && overlay.added) (map.getSource('tasks') as GeoJSONSource).setData(fc); });
 */
import type { AddLayerObject, Map as MapLibreMap, SourceSpecification } from 'maplibre-gl';
import { addOverlay } from './overlay-layers.ts';

export class OverlayLayers {
  /** the sources and layers are on the map */
  added = $state(false);

  /** add them (in an `$effect`); returns the effect's cleanup, which takes them off again */
  attach(m: MapLibreMap, sources: Record<string, SourceSpecification>, layers: readonly AddLayerObject[]): () => void {
    const remove = addOverlay(m, sources, layers);
    this.added = true;
    return () => {
      this.added = false;
      remove();
    };
  }
}
