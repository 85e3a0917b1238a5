/**
 * @module shared/schemas/layers
 * The district's responsibility layers beyond streets and grids:
 *
 * - 路长制 (DOMAIN.md R1.8): road segments grouped into named roads, each road with its 路长 (name,
 *   unit, phone — masked on every answer but the administrator's export). A case reported within
 *   {@link ROAD_SNAP_M} metres of a road is attributed to that road and its 路长.
 * - 重点区域 (R1.9): key-area polygons under closer monitoring — a case reported inside one runs
 *   on limits tightened by the area's `factor` (the tightest of its areas), and the wall lists each
 *   area's open cases.
 *
 * An administrator imports each layer as GeoJSON (`PUT /api/v1/admin/roads`, `/admin/key-areas`;
 * the whole layer is replaced, under its version) and exports it (`GET` of the same). Screens read
 * them scoped (`GET /api/v1/roads`, `/key-areas`: a street gets what lies in it).
 */
import { z } from 'zod';
import { Code, IsoDateTime } from './common.ts';

/** a case this close to a road is attributed to it (the nearest, when several are) */
export const ROAD_SNAP_M = 30;

export const RoadClass = z.enum(['expressway', 'arterial', 'secondary', 'branch']);
export type RoadClass = z.infer<typeof RoadClass>;

const Text = (max: number) => z.string().trim().min(1).max(max);
/** [lng, lat], an altitude after them allowed (GIS exports carry one) */
const Position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]).rest(z.number());
const Line = z.array(Position).min(2).max(10_000);
const Ring = z
  .array(Position)
  .min(4)
  .max(10_000)
  // zod runs a refinement after a failed min too: an empty ring must not throw here
  .refine((r) => r.length >= 4 && r[0]?.[0] === r.at(-1)?.[0] && r[0]?.[1] === r.at(-1)?.[1], 'a ring must be closed (first and last positions equal)');
/** an export's own `version` may come back in an import (ignored: the query's counts) */
const ExportedVersion = z.number().int().min(0).optional();
export const LineGeometry = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('LineString'), coordinates: Line }),
  z.strictObject({ type: z.literal('MultiLineString'), coordinates: z.array(Line).min(1).max(1000) }),
]);
export const PolygonGeometry = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Polygon'), coordinates: z.array(Ring).min(1).max(100) }),
  z.strictObject({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(Ring).min(1).max(100)).min(1).max(100) }),
]);

/** 路长: the officer responsible for a road */
export const RoadChief = z.strictObject({
  name: Text(40),
  unit: Text(80),
  phone: z.string().regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number (digits, spaces, -)'),
});
export type RoadChief = z.infer<typeof RoadChief>;

/** one segment as imported: segments with one `roadId` (default: the name) make one road */
export const RoadSegmentImport = z.strictObject({
  type: z.literal('Feature'),
  geometry: LineGeometry,
  properties: z.strictObject({
    id: Code.optional(),
    roadId: Code.optional(),
    name: Text(60),
    class: RoadClass,
    /** the road's 路长 (on any of its segments; where several segments give one, they agree) */
    chief: RoadChief.optional(),
    /** drawn by hand, not surveyed (the demo's) */
    approximate: z.boolean().optional(),
  }),
});

/** `PUT /api/v1/admin/roads`: the road network, as GeoJSON lines (WGS84) */
export const RoadImport = z.strictObject({
  type: z.literal('FeatureCollection'),
  version: ExportedVersion,
  features: z.array(RoadSegmentImport).max(20_000),
}).meta({ id: 'RoadImport', description: 'The road network as a GeoJSON FeatureCollection of LineStrings (WGS84): segments with their road’s name, class and 路长.' });
export type RoadImport = z.infer<typeof RoadImport>;

export const RoadSegment = z.object({
  type: z.literal('Feature'),
  geometry: LineGeometry,
  properties: z.object({
    id: z.string(),
    roadId: z.string(),
    name: z.string(),
    class: RoadClass,
    /** the 路长, the phone masked (138****5678; the administrator's export keeps it whole) */
    chief: z.object({ name: z.string(), unit: z.string(), phone: z.string() }).nullable(),
    approximate: z.boolean(),
    /** the streets it runs through */
    streetIds: z.array(z.string()),
  }),
});
export type RoadSegment = z.infer<typeof RoadSegment>;
export const RoadCollection = z.object({
  type: z.literal('FeatureCollection'),
  /** the layer's version (0: the shipped demo, never imported) */
  version: z.number().int().min(0),
  features: z.array(RoadSegment),
}).meta({ id: 'RoadCollection', description: 'Road segments (路长制) as GeoJSON, scoped to the caller’s area.' });
export type RoadCollection = z.infer<typeof RoadCollection>;

/** one key area as imported */
export const KeyAreaImport = z.strictObject({
  type: z.literal('Feature'),
  geometry: PolygonGeometry,
  properties: z.strictObject({
    id: Code,
    name: Text(60),
    nameEn: Text(80).optional(),
    /** each stage's time limit is multiplied by this inside the area (closer monitoring: below 1) */
    factor: z.number().min(0.1).max(1),
    /** what is watched there (商圈客流, 滨江岸线, 夜间经济) */
    focus: Text(100).optional(),
    approximate: z.boolean().optional(),
  }),
});
export const KeyAreaImportCollection = z.strictObject({
  type: z.literal('FeatureCollection'),
  version: ExportedVersion,
  features: z.array(KeyAreaImport).max(500),
}).meta({ id: 'KeyAreaImport', description: 'The key areas (重点区域) as a GeoJSON FeatureCollection of polygons (WGS84).' });
export type KeyAreaImportCollection = z.infer<typeof KeyAreaImportCollection>;

export const KeyArea = z.object({
  type: z.literal('Feature'),
  geometry: PolygonGeometry,
  properties: z.object({
    id: z.string(),
    name: z.string(),
    nameEn: z.string(),
    factor: z.number(),
    focus: z.string().nullable(),
    approximate: z.boolean(),
    streetIds: z.array(z.string()),
  }),
});
export type KeyArea = z.infer<typeof KeyArea>;
export const KeyAreaCollection = z.object({
  type: z.literal('FeatureCollection'),
  version: z.number().int().min(0),
  features: z.array(KeyArea),
}).meta({ id: 'KeyAreaCollection', description: 'Key areas (重点区域) as GeoJSON, scoped to the caller’s area.' });
export type KeyAreaCollection = z.infer<typeof KeyAreaCollection>;

/**
 * 三长联动 (R1.7): buildings (楼栋) below the grids, each with its 楼栋长 and its units (单元) with
 * their 单元长; a grid's 网格长 is a grid attribute (`chief`, imported with the areas). A case is
 * located to a building when reported with its `buildingId`, or inside a building's outline, or
 * within {@link BUILDING_SNAP_M} metres of a building given as a point.
 */
export const BUILDING_SNAP_M = 15;

/** a person of the 三长 and how to reach them */
export const Contact = z.strictObject({
  name: Text(40),
  phone: z.string().regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number (digits, spaces, -)'),
});
export type Contact = z.infer<typeof Contact>;
/** a contact as screens get it: the phone masked */
const ServedContact = z.object({ name: z.string(), phone: z.string() });

export const BuildingImport = z.strictObject({
  type: z.literal('Feature'),
  geometry: z.discriminatedUnion('type', [z.strictObject({ type: z.literal('Point'), coordinates: Position }), ...PolygonGeometry.options]),
  properties: z.strictObject({
    id: Code,
    name: Text(80),
    /** 楼栋长 */
    chief: Contact.optional(),
    units: z.array(z.strictObject({ id: Code.optional(), name: Text(40), /** 单元长 */ chief: Contact.optional() })).max(100).optional(),
    approximate: z.boolean().optional(),
  }),
});
export const BuildingImportCollection = z.strictObject({
  type: z.literal('FeatureCollection'),
  version: ExportedVersion,
  features: z.array(BuildingImport).max(50_000),
}).meta({ id: 'BuildingImport', description: 'Buildings (楼栋) as GeoJSON points or polygons (WGS84), with their 楼栋长 and units (单元) with their 单元长.' });
export type BuildingImportCollection = z.infer<typeof BuildingImportCollection>;

export const Building = z.object({
  type: z.literal('Feature'),
  geometry: z.union([z.object({ type: z.literal('Point'), coordinates: Position }), PolygonGeometry]),
  properties: z.object({
    id: z.string(),
    name: z.string(),
    chief: ServedContact.nullable(),
    units: z.array(z.object({ id: z.string(), name: z.string(), chief: ServedContact.nullable() })),
    approximate: z.boolean(),
    /** the grid it stands in, and its street */
    gridId: z.string(),
    streetId: z.string(),
  }),
});
export type Building = z.infer<typeof Building>;
export const BuildingCollection = z.object({
  type: z.literal('FeatureCollection'),
  version: z.number().int().min(0),
  features: z.array(Building),
}).meta({ id: 'BuildingCollection', description: 'The buildings of a grid (三长: 楼栋长 and 单元长, phones masked).' });
export type BuildingCollection = z.infer<typeof BuildingCollection>;
export const BuildingQuery = z.strictObject({ gridId: z.string().min(1).max(64).meta({ description: 'the grid whose buildings to list' }) });

/** `PUT /api/v1/admin/roads?version=` answer, and `/admin/key-areas`, `/admin/buildings` */
export const LayerSaved = z.object({
  kind: z.enum(['roads', 'key_areas', 'buildings']),
  version: z.number().int().positive(),
  features: z.number().int().min(0),
  savedAt: IsoDateTime,
}).meta({ id: 'LayerSaved' });
export type LayerSaved = z.infer<typeof LayerSaved>;
