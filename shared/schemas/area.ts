/**
 * @module shared/schemas/area
 * The area hierarchy city → district → street/town → grid.
 */
import { z } from 'zod';

export const AreaLevel = z.enum(['city', 'district', 'street', 'grid']);
export type AreaLevel = z.infer<typeof AreaLevel>;

export const AREA_LEVELS: readonly AreaLevel[] = AreaLevel.options;

/**
 * 多格合一 (DOMAIN.md R1.5): a grid keeps one id and carries its memberships in the 城运 (city
 * operations work grid), 警务 (police) and 综治 (comprehensive governance) grids.
 */
export const OVERLAY_KINDS = ['chengyun', 'jingwu', 'zongzhi'] as const;
export const OverlayKind = z.enum(OVERLAY_KINDS);
export type OverlayKind = z.infer<typeof OverlayKind>;
const OverlayId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'an id of letters, digits, _ . - (at most 64)');
export const GridOverlays = z.strictObject({ chengyun: OverlayId.optional(), jingwu: OverlayId.optional(), zongzhi: OverlayId.optional() });
export type GridOverlays = z.infer<typeof GridOverlays>;

/** Zone type (R1.6 「核心区、郊区城市化地区和农村地区」): core area, urbanised suburb, rural area. */
export const ZoneType = z.enum(['core', 'urbanised', 'rural']);
export type ZoneType = z.infer<typeof ZoneType>;

/**
 * A grid's attributes (R1.5, R1.6), each optional: its overlay memberships and their names, zone
 * type, management focus (管理重点) and population. Also what `npm run geo:import` accepts on a grid.
 */
export const GridAttributes = z.strictObject({
  overlays: GridOverlays.optional(),
  /** the overlays' names as people know them (e.g. the 居委 of a 综治 grid) */
  overlayNames: z.strictObject({ chengyun: z.string().min(1).max(64).optional(), jingwu: z.string().min(1).max(64).optional(), zongzhi: z.string().min(1).max(64).optional() }).optional(),
  zoneType: ZoneType.optional(),
  focus: z.string().trim().min(1).max(100).optional(),
  population: z.number().int().min(0).max(10_000_000).optional(),
  /** true where the population is an estimate (the demo's: the district's census total shared by area) */
  populationEstimated: z.boolean().optional(),
  /** 网格长 (三长联动, R1.7): served to screens with the phone masked */
  chief: z.strictObject({ name: z.string().trim().min(1).max(40), phone: z.string().regex(/^\+?[0-9*][0-9* -]{4,19}$/, 'a phone number (digits, spaces, -)') }).optional(),
});
export type GridAttributes = z.infer<typeof GridAttributes>;
export const GRID_ATTRIBUTE_KEYS = Object.keys(GridAttributes.shape) as (keyof GridAttributes)[];

/** Properties carried by every area feature (GeoJSON) the server serves. */
export const AreaProperties = z.object({
  id: z.string().min(1).max(64),
  level: AreaLevel,
  parentId: z.string().min(1).max(64).nullable(),
  name: z.string().min(1),
  nameEn: z.string().min(1),
  /** true where the geometry is a derived approximation, not an official boundary */
  approximate: z.boolean(),
  /** 1-based number of a grid within its street */
  seq: z.number().int().positive().optional(),
  ...GridAttributes.shape,
});
export type AreaProperties = z.infer<typeof AreaProperties>;

const Position = z.tuple([z.number(), z.number()]).rest(z.number());
const Ring = z.array(Position).min(4);
export const AreaGeometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(Ring).min(1) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(Ring).min(1)).min(1) }),
]);
export type AreaGeometry = z.infer<typeof AreaGeometry>;

export const AreaFeature = z.object({
  type: z.literal('Feature'),
  properties: AreaProperties,
  geometry: AreaGeometry,
}).meta({ id: 'AreaFeature', description: 'An area (city, district, street or grid) with its boundary.' });
export type AreaFeature = z.infer<typeof AreaFeature>;

export const AreaCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(AreaFeature),
}).meta({ id: 'AreaCollection', description: 'Areas as a GeoJSON FeatureCollection.' });
export type AreaCollection = z.infer<typeof AreaCollection>;
