/**
 * @module shared/schemas/resource
 * The emergency resource registry (应急资源, DOMAIN.md R7.5: 「社会应急力量备案登记、调用补偿」, 「物资储备」):
 * teams, supply depots and shelters with their places, owners, contacts, capacity and availability.
 * An administrator imports the centre's registry as GeoJSON points (it replaces the one kept); the
 * wall shows the resources near an incident in wartime; the incident's commanders dispatch them
 * (logged on the incident, the resource busy until the incident ends).
 */
import { z } from 'zod';
import { Code, Lat, Lng } from './common.ts';

export const ResourceKind = z.enum(['team', 'supply', 'shelter']);
export type ResourceKind = z.infer<typeof ResourceKind>;

const Text = (max: number) => z.string().trim().min(1).max(max);

export const ResourceProperties = z.strictObject({
  id: Code,
  kind: ResourceKind,
  name: Text(100),
  /** who keeps it (a unit, a company, a street) */
  owner: Text(100),
  /** whom to call: a name and a number, shown to officers only */
  contact: Text(100),
  /** what it holds or can do, as the registry says it (队员 40 人, 沙袋 2000 只, 容纳 300 人) */
  capacity: Text(200),
  available: z.boolean().default(true),
});

/** `PUT /api/v1/admin/resources`: the whole registry, as GeoJSON points (WGS84) */
export const ResourceImport = z.strictObject({
  type: z.literal('FeatureCollection'),
  /** sample entries (the demo's): every screen marks them 示例 */
  demo: z.boolean().optional(),
  features: z
    .array(z.strictObject({ type: z.literal('Feature'), geometry: z.strictObject({ type: z.literal('Point'), coordinates: z.tuple([Lng, Lat]) }), properties: ResourceProperties }))
    .max(5000),
}).meta({ id: 'ResourceImport', description: 'The resource registry as a GeoJSON FeatureCollection of points; ids are unique.' });
export type ResourceImport = z.infer<typeof ResourceImport>;

export const Resource = z.object({
  id: z.string(),
  kind: ResourceKind,
  name: z.string(),
  owner: z.string(),
  /** only for officers (a wall gets an empty string) */
  contact: z.string(),
  capacity: z.string(),
  available: z.boolean(),
  lng: Lng,
  lat: Lat,
  /** the street it lies in (null: outside every street) */
  streetId: z.string().nullable(),
  demo: z.boolean(),
  /** the incident it has been dispatched to, while that runs (`other`: one the caller may not see) */
  dispatchedTo: z.string().nullable(),
}).meta({ id: 'Resource' });
export type Resource = z.infer<typeof Resource>;

export const ResourceList = z.object({ resources: z.array(Resource) }).meta({ id: 'ResourceList' });
export type ResourceList = z.infer<typeof ResourceList>;
