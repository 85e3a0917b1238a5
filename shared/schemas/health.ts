/**
 * @module shared/schemas/health
 * `GET /api/health` and the basemap's layer names.
 */
import { z } from 'zod';
import { IsoDateTime, LocalisedText } from './common.ts';

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
});
export type Health = z.infer<typeof Health>;

/**
 * `GET /api/ready`: whether this instance can serve (its database answers). 200 with `ready`, or 503
 * with `unavailable`; `checks` names each dependency with `ok` or what is wrong with it.
 */
export const Readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.string()),
});
export type Readiness = z.infer<typeof Readiness>;

/** The `layer` property of `GET /api/v1/basemap` features. */
export const BasemapLayer = z.enum(['sea', 'districts', 'river']);
export type BasemapLayer = z.infer<typeof BasemapLayer>;
