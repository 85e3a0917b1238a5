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
});
export type Health = z.infer<typeof Health>;

/** The `layer` property of `GET /api/v1/basemap` features. */
export const BasemapLayer = z.enum(['sea', 'districts', 'river']);
export type BasemapLayer = z.infer<typeof BasemapLayer>;
