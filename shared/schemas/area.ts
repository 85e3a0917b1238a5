/**
 * @module shared/schemas/area
 * The area hierarchy city → district → street/town → grid.
 */
import { z } from 'zod';

export const AreaLevel = z.enum(['city', 'district', 'street', 'grid']);
export type AreaLevel = z.infer<typeof AreaLevel>;

export const AREA_LEVELS: readonly AreaLevel[] = AreaLevel.options;

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
