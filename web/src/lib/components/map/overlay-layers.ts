/**
 * @module web/map/overlay-layers
 * A map layer component's own GeoJSON sources and layers, added under the event markers (so cases
 * stay on top) and removed together: the function it returns is the component's `$effect` cleanup,
 * and does nothing once the map itself is gone.
 * @example $effect(() => map && addOverlay(map, { tasks: { type: 'geojson', data: EMPTY } }, [{ id: 'task-fill', type: 'fill', source: 'tasks', paint: {} }]));
 */
import type { AddLayerObject, Map as MapLibreMap, SourceSpecification } from 'maplibre-gl';
import { LAYERS } from './map-style.ts';

export function addOverlay(m: MapLibreMap, sources: Record<string, SourceSpecification>, layers: readonly AddLayerObject[]): () => void {
  const before = m.getLayer(LAYERS.events) ? LAYERS.events : undefined;
  for (const [id, spec] of Object.entries(sources)) m.addSource(id, spec);
  for (const layer of layers) m.addLayer(layer, before);
  return () => {
    try {
      for (const layer of [...layers].reverse()) if (m.getLayer(layer.id)) m.removeLayer(layer.id);
      for (const id of Object.keys(sources)) if (m.getSource(id)) m.removeSource(id);
    } catch {
      // the map itself is already gone
    }
  };
}
