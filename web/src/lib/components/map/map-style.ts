/**
 * @module web/components/map/map-style
 * The wall map's inline style: GeoJSON sources only, no tiles, glyphs, sprites or fonts, and no
 * symbol layers (labels are HTML overlays). Pure data, so it can be checked in unit tests.
 */
import type { FeatureCollection } from 'geojson';
import type {
  Map as MapLibreMap,
  ExpressionSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import { LOAD_COLOURS, PALETTE, SEVERITY_COLOURS } from '../../utils/status.ts';

export const SOURCES = {
  basemap: 'basemap',
  city: 'city',
  /** ancestors of the wall's root below the city (the district around a street centre): outline only */
  context: 'context',
  /** the wall's root area (the district, or a street centre's street): filled and outlined bright */
  district: 'district',
  streets: 'streets',
  grids: 'grids',
  events: 'events',
} as const;

export const LAYERS = {
  contextLine: 'context-line',
  streetsFill: 'streets-fill',
  gridsFill: 'grids-fill',
  gridsLine: 'grids-line',
  streetsLine: 'streets-line',
  /** outlines of streets and grids with an active alarm (feature-state `alarm`: 1 warn, 2 alarm), over the event dots */
  gridsAlarm: 'grids-alarm',
  streetsAlarm: 'streets-alarm',
  /** a light core over the alarm outline, so it stands out on a street filled red by its load */
  streetsAlarmCore: 'streets-alarm-core',
  streetSelected: 'street-selected',
  districtGlow: 'district-glow',
  districtLine: 'district-line',
  events: 'events',
  eventSelected: 'event-selected',
} as const;

export const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** The base style the map starts with: a dark background only; sources are added on `load`. */
export function baseStyle(): StyleSpecification {
  return {
    version: 8,
    name: 'onescreen-dark',
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#030912' } }],
  };
}

const grade: ExpressionSpecification = ['coalesce', ['feature-state', 'grade'], 0];
const gradeColour: ExpressionSpecification = [
  'match', grade,
  1, LOAD_COLOURS[1],
  2, LOAD_COLOURS[2],
  3, LOAD_COLOURS[3],
  4, LOAD_COLOURS[4],
  LOAD_COLOURS[0],
];
const severityColour: ExpressionSpecification = [
  'match', ['get', 'severity'],
  'low', SEVERITY_COLOURS.low,
  'medium', SEVERITY_COLOURS.medium,
  'high', SEVERITY_COLOURS.high,
  'critical', SEVERITY_COLOURS.critical,
  SEVERITY_COLOURS.low,
];
const alarmLevel: ExpressionSpecification = ['coalesce', ['feature-state', 'alarm'], 0];
const alarmColour: ExpressionSpecification = ['match', alarmLevel, 2, PALETTE.alarm, PALETTE.warn];
const alarmCoreColour: ExpressionSpecification = ['match', alarmLevel, 2, '#ffd9d9', '#fff0cc'];

/** Opacity of the alarm outlines: `peak` where an alarm is active, none elsewhere (the wall pulses `peak`). */
export function alarmOpacity(peak: number): ExpressionSpecification {
  return ['match', alarmLevel, 0, 0, peak];
}
/** the two opacities the alarm outlines pulse between */
export const ALARM_PULSE = [1, 0.45] as const;

/** the ring of a drill's case (演练) on the map: the amber of the drill's banner and tags */
export const DRILL_COLOUR = '#ffd24d';

/** feature-state `dim` is set on streets outside the drilled-into one */
const dimmed: ExpressionSpecification = ['boolean', ['feature-state', 'dim'], false];

/** Fill opacity of the grids: faint over the whole district, stronger inside a drilled-into street. */
export function gridOpacity(drilled: boolean): ExpressionSpecification {
  return ['case', dimmed, 0, ['match', grade, 0, 0, drilled ? 0.7 : 0.3]];
}

/** Radius of an event marker by severity, multiplied by the wall scale, growing when zoomed in. */
export function eventRadius(scale: number): ExpressionSpecification {
  const at = (k: number): ExpressionSpecification => [
    'match', ['get', 'severity'], 'critical', 6.5 * k, 'high', 5 * k, 'medium', 3.8 * k, 3.2 * k,
  ];
  // A display `scale` times larger shows the same view log2(scale) zoom levels deeper.
  const z = Math.log2(Math.max(scale, 0.25));
  return ['interpolate', ['linear'], ['zoom'], 12 + z, at(scale), 15 + z, at(scale * 1.8)];
}

export interface AreaData {
  basemap: FeatureCollection;
  city: FeatureCollection;
  /** outlines around the root (see {@link SOURCES.context}) */
  context: FeatureCollection;
  /** the root area itself */
  district: FeatureCollection;
  streets: FeatureCollection;
  grids: FeatureCollection;
}

/** Sources of the wall map. Area sources promote `id` so feature-state can grade them. */
export function sources(d: AreaData): Record<string, SourceSpecification> {
  return {
    [SOURCES.basemap]: { type: 'geojson', data: d.basemap },
    [SOURCES.city]: { type: 'geojson', data: d.city },
    [SOURCES.context]: { type: 'geojson', data: d.context, promoteId: 'id' },
    [SOURCES.district]: { type: 'geojson', data: d.district, promoteId: 'id' },
    [SOURCES.streets]: { type: 'geojson', data: d.streets, promoteId: 'id' },
    [SOURCES.grids]: { type: 'geojson', data: d.grids, promoteId: 'id' },
    [SOURCES.events]: { type: 'geojson', data: EMPTY, promoteId: 'id' },
  };
}

/** Layers, bottom to top. */
export function layers(scale: number): LayerSpecification[] {
  const polygons: ExpressionSpecification = ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false];
  return [
    {
      id: 'sea', type: 'fill', source: SOURCES.basemap,
      filter: ['all', ['==', ['get', 'layer'], 'sea'], polygons],
      paint: { 'fill-color': '#071a30' },
    },
    {
      id: 'districts-fill', type: 'fill', source: SOURCES.basemap,
      filter: ['all', ['==', ['get', 'layer'], 'districts'], polygons],
      paint: { 'fill-color': '#0a1526', 'fill-opacity': 0.9 },
    },
    {
      id: 'districts-line', type: 'line', source: SOURCES.basemap,
      filter: ['==', ['get', 'layer'], 'districts'],
      paint: { 'line-color': '#1d3350', 'line-width': 1 * scale },
    },
    {
      id: 'river-fill', type: 'fill', source: SOURCES.basemap,
      filter: ['all', ['==', ['get', 'layer'], 'river'], polygons],
      paint: { 'fill-color': '#0b2a4a' },
    },
    {
      id: 'river-line', type: 'line', source: SOURCES.basemap,
      filter: ['all', ['==', ['get', 'layer'], 'river'], ['!', polygons]],
      paint: { 'line-color': '#14426e', 'line-width': 3 * scale },
    },
    {
      id: 'city-line', type: 'line', source: SOURCES.city,
      paint: { 'line-color': '#27466c', 'line-width': 1.5 * scale },
    },
    {
      id: LAYERS.contextLine, type: 'line', source: SOURCES.context,
      paint: { 'line-color': '#5f8fc4', 'line-opacity': 0.8, 'line-width': 1.8 * scale, 'line-dasharray': [3, 2] },
    },
    {
      id: 'district-fill', type: 'fill', source: SOURCES.district,
      paint: { 'fill-color': '#0c1e35' },
    },
    {
      id: LAYERS.streetsFill, type: 'fill', source: SOURCES.streets,
      paint: {
        'fill-color': gradeColour,
        'fill-opacity': ['case', dimmed, 0.12, 0.62],
      },
    },
    {
      id: LAYERS.gridsFill, type: 'fill', source: SOURCES.grids,
      paint: {
        'fill-color': gradeColour,
        'fill-opacity': gridOpacity(false),
      },
    },
    {
      id: LAYERS.gridsLine, type: 'line', source: SOURCES.grids,
      paint: {
        'line-color': '#7fb2e5',
        'line-opacity': ['case', dimmed, 0.04, 0.16],
        'line-width': 0.6 * scale,
      },
    },
    {
      id: LAYERS.streetsLine, type: 'line', source: SOURCES.streets,
      paint: { 'line-color': '#4f86bd', 'line-opacity': 0.85, 'line-width': 1.4 * scale },
    },
    {
      id: LAYERS.streetSelected, type: 'line', source: SOURCES.streets,
      filter: ['==', ['get', 'id'], ''],
      paint: { 'line-color': '#ffffff', 'line-width': 3 * scale },
    },
    {
      id: LAYERS.districtGlow, type: 'line', source: SOURCES.district,
      paint: { 'line-color': PALETTE.accent, 'line-width': 10 * scale, 'line-opacity': 0.22, 'line-blur': 6 * scale },
    },
    {
      id: LAYERS.districtLine, type: 'line', source: SOURCES.district,
      paint: { 'line-color': PALETTE.accent, 'line-width': 2.6 * scale },
    },
    {
      id: LAYERS.events, type: 'circle', source: SOURCES.events,
      layout: { 'circle-sort-key': ['match', ['get', 'severity'], 'critical', 3, 'high', 2, 'medium', 1, 0] },
      paint: {
        'circle-radius': eventRadius(scale),
        'circle-color': severityColour,
        // a drill's case (演练): paler, in the drill's amber ring, told apart from a real one at 5 m
        'circle-opacity': ['case', ['==', ['get', 'drill'], true], 0.45, ['match', ['get', 'severity'], 'low', 0.7, 0.95]],
        'circle-stroke-color': ['case', ['==', ['get', 'drill'], true], DRILL_COLOUR, '#02060d'],
        'circle-stroke-width': ['case', ['==', ['get', 'drill'], true], 3 * scale, 0.8 * scale],
      },
    },
    {
      id: LAYERS.gridsAlarm, type: 'line', source: SOURCES.grids,
      paint: { 'line-color': alarmColour, 'line-opacity': alarmOpacity(ALARM_PULSE[0]), 'line-width': 2.4 * scale },
    },
    {
      id: LAYERS.streetsAlarm, type: 'line', source: SOURCES.streets,
      paint: { 'line-color': alarmColour, 'line-opacity': alarmOpacity(ALARM_PULSE[0]), 'line-width': 7 * scale, 'line-blur': 1.5 * scale },
    },
    {
      id: LAYERS.streetsAlarmCore, type: 'line', source: SOURCES.streets,
      paint: { 'line-color': alarmCoreColour, 'line-opacity': alarmOpacity(ALARM_PULSE[0]), 'line-width': 2.2 * scale },
    },
    {
      id: LAYERS.eventSelected, type: 'circle', source: SOURCES.events,
      filter: ['==', ['get', 'id'], ''],
      paint: {
        'circle-radius': 14 * scale,
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 3 * scale,
      },
    },
  ];
}

type PaintProp = Parameters<MapLibreMap['setPaintProperty']>[1];
type PaintValue = Parameters<MapLibreMap['setPaintProperty']>[2];

/** Paint properties that depend on the wall scale, to update them when the viewport changes. */
export function scaledPaint(scale: number): [layer: string, prop: PaintProp, value: PaintValue][] {
  return layers(scale).flatMap((l) => {
    const paint = (l as { paint?: Record<string, unknown> }).paint ?? {};
    return Object.entries(paint)
      .filter(([k]) => /(width|radius|blur)$/.test(k))
      .map(([k, v]) => [l.id, k as PaintProp, v as PaintValue] as [string, PaintProp, PaintValue]);
  });
}

export const ATTRIBUTION = [
  '© Vonng/adcode (Amap geometry) CC BY 4.0',
  '© OpenStreetMap contributors ODbL',
  'Natural Earth',
  '街道/网格边界为近似推算，示例道路与重点区域为示意 / street &amp; grid boundaries, sample roads and key areas approximate',
];
