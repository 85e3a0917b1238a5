/**
 * @module shared/schemas/wall
 * A wall that recovers by itself (恢复): the build a page and a server run, the reports a wall
 * page sends before it reloads itself (`POST /api/v1/wall/reports`), and what the server keeps per
 * display screen (`GET /api/v1/admin/displays/status`).
 */
import { z } from 'zod';
import { IsoDateTime } from './common.ts';

/**
 * A build id: derived from the built wall (a hash of its bundle), the same in the page and in the
 * server that serves it; `dev` for Vite's dev server.
 */
export const BuildId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, . _ -');
export type BuildId = z.infer<typeof BuildId>;

/**
 * Why a wall page reloaded itself: its rendering stalled (no frame for a while although visible),
 * its memory grew past its bound, or the server runs another build.
 */
export const WallReloadReason = z.enum(['stall', 'memory', 'version']);
export type WallReloadReason = z.infer<typeof WallReloadReason>;

/**
 * `POST /api/v1/wall/reports`: a wall page is about to reload itself (or did, and could not say so
 * then: `late`). Small and closed: unknown fields are refused.
 */
export const WallReport = z
  .strictObject({
    kind: z.literal('reload'),
    /**
     * the page's own id for this report: the same report sent again (its first answer was lost, so
     * the page kept it for its next start) is counted once
     */
    id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, _ or -').optional(),
    reason: WallReloadReason,
    /** the build the page runs */
    build: BuildId,
    /** when the page decided (its own clock) */
    at: IsoDateTime,
    /** sent at the next start, because the report before the reload did not get through */
    late: z.boolean().optional(),
    /** what the watchdog measured */
    detail: z
      .strictObject({
        /** ms without a rendered frame */
        stallMs: z.number().int().min(0).max(1e10).optional(),
        /** bytes of JavaScript heap in use, and the page's bound */
        heapBytes: z.number().int().min(0).max(1e13).optional(),
        heapLimitBytes: z.number().int().min(0).max(1e13).optional(),
        /** ms the page had been running */
        uptimeMs: z.number().int().min(0).max(1e12).optional(),
      })
      .optional(),
  })
  .meta({ id: 'WallReport', description: 'A wall page reports that it reloads itself (watchdog or a new build), before it does or at its next start.' });
export type WallReport = z.infer<typeof WallReport>;

/** The answer to a report: accepted, and for whom it was counted. */
export const WallReportAccepted = z
  .object({
    accepted: z.literal(true),
    /** the display the report was attributed to (a display session's), else null */
    displayId: z.string().nullable(),
  })
  .meta({ id: 'WallReportAccepted' });
export type WallReportAccepted = z.infer<typeof WallReportAccepted>;

/** What the server keeps of one display screen's runs. */
export const DisplayStatus = z
  .object({
    displayId: z.string(),
    /** the last time a socket of the display was seen live (written at most once a minute) */
    lastSeenAt: IsoDateTime.nullable(),
    /** the build the screen last said it runs */
    build: BuildId.nullable(),
    /** reloads the screen reported (watchdog, new build) */
    reloads: z.number().int().min(0),
    lastReloadReason: WallReloadReason.nullable(),
    lastReloadAt: IsoDateTime.nullable(),
  })
  .meta({ id: 'DisplayStatus', description: 'A display screen: when it was last seen live, the build it runs and its reloads.' });
export type DisplayStatus = z.infer<typeof DisplayStatus>;

/** `GET /api/v1/admin/displays/status` */
export const DisplayStatusList = z
  .object({
    /** the build this server serves (null: no built wall) */
    serverBuild: BuildId.nullable(),
    displays: z.array(DisplayStatus),
  })
  .meta({ id: 'DisplayStatusList', description: 'The build this server serves, and what it knows of each display screen that was ever seen.' });
export type DisplayStatusList = z.infer<typeof DisplayStatusList>;
