/**
 * @module shared/schemas/health
 * `GET /api/health`, `GET /api/ready` and the basemap (`GET /api/v1/basemap`).
 */
import { z } from 'zod';
import { AreaGeometry } from './area.ts';
import { IsoDateTime, LocalisedText } from './common.ts';
import { BuildId } from './wall.ts';

export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  /** the built-in simulator is posting: its data is marked simulated on screens */
  simulatorOn: z.boolean(),
  centreName: LocalisedText,
  /** the district the centre runs */
  rootAreaId: z.string(),
  time: IsoDateTime,
  /** fraction of a stage's time limit after which its clock shows amber (`warnAt` of the time limits) */
  clockWarnAt: z.number().gt(0).lt(1),
  /** the IANA time zone the centre works in (`TIME_ZONE`): days, hours and clocks on every screen follow it */
  timeZone: z.string().min(1),
  /** the build of the wall this server serves (a hash of its bundle); null when it serves none. A wall page running another build reloads itself */
  build: BuildId.nullable().optional(),
}).meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;

/**
 * `GET /api/ready`: whether this instance can serve (its database answers). 200 with `ready`, or 503
 * with `unavailable`; `checks` names each dependency with `ok` or what is wrong with it.
 */
export const Readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.string()),
}).meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof Readiness>;

/** The `layer` property of `GET /api/v1/basemap` features. */
export const BasemapLayer = z.enum(['sea', 'districts', 'river']);
export type BasemapLayer = z.infer<typeof BasemapLayer>;

/** `GET /api/v1/basemap`: the static context drawn under the areas (sea, neighbouring districts, river). */
export const BasemapCollection = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(
      z.object({
        type: z.literal('Feature'),
        properties: z.object({ layer: BasemapLayer, id: z.string().optional(), name: z.string().optional() }),
        geometry: AreaGeometry,
      }),
    ),
  })
  .meta({ id: 'BasemapCollection', description: 'The static basemap: sea, neighbouring districts and river, each feature marked with its `layer`.' });
export type BasemapCollection = z.infer<typeof BasemapCollection>;
