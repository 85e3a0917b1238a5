/**
 * @module shared/schemas/reading
 * Indicator readings as posted to `POST /api/v1/readings`.
 */
import { z } from 'zod';
import { Code, Lat, Lng, ReportedTime } from './common.ts';

/** A reading is for an area (`areaId`) or for a point (`lng`/`lat`) that the server places in its grid. */
export const ReadingIngestItem = z
  .strictObject({
    indicator: Code,
    value: z.number().finite(),
    at: ReportedTime,
    areaId: z.string().min(1).max(64).optional(),
    lng: Lng.optional(),
    lat: Lat.optional(),
  })
  .superRefine((r, ctx) => {
    const hasPoint = r.lng !== undefined || r.lat !== undefined;
    if (r.areaId !== undefined && hasPoint) {
      ctx.addIssue({ code: 'custom', message: 'give either areaId or lng/lat, not both', path: ['areaId'] });
    } else if (r.areaId === undefined && (r.lng === undefined || r.lat === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give areaId, or both lng and lat', path: r.lng === undefined ? ['lng'] : ['lat'] });
    }
  }).meta({ id: 'ReadingIngestItem', description: 'One reading, for an area (`areaId`) or for a point (`lng`/`lat`) that the server places in its grid.' });
export type ReadingIngestItem = z.infer<typeof ReadingIngestItem>;
