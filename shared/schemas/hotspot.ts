/**
 * @module shared/schemas/hotspot
 * Hotspots and recurring problems (DOMAIN.md R5.5 「抓早抓小, 抓常抓长」): `GET /api/v1/hotspots`,
 * and tagging a case typical (典型): `POST /api/v1/events/:id/tags`.
 */
import { z } from 'zod';
import { IsoDateTime } from './common.ts';

/** The windows a hotspot is computed over; each is compared with the same hours of the past 4 weeks. */
export const HotspotWindow = z.enum(['6h', '24h', '7d']);
export type HotspotWindow = z.infer<typeof HotspotWindow>;
export const HOTSPOT_WINDOW_MS: Record<HotspotWindow, number> = { '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 86_400_000 };

export const HotspotKind = z.enum(['emerging', 'recurring']);
export type HotspotKind = z.infer<typeof HotspotKind>;

/** most case ids a hotspot lists */
export const MAX_HOTSPOT_CASE_IDS = 50;

/** Query of `GET /api/v1/hotspots`. */
export const HotspotQuery = z.strictObject({
  areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own); one outside the session's scope answers 404" }),
  window: HotspotWindow.default('24h').meta({ description: 'the recent window: 6h, 24h (default) or 7d' }),
});
export type HotspotQuery = z.infer<typeof HotspotQuery>;

export const Hotspot = z.object({
  kind: HotspotKind,
  gridId: z.string(),
  streetId: z.string(),
  /** the event category; null for an emerging hotspot of all categories together */
  categoryCode: z.string().nullable(),
  /** cases in the window (emerging: in the grid; recurring: in the cluster) */
  count: z.number().int().min(0),
  /** emerging: the mean count of the same hours over the past 4 weeks; recurring: null */
  baseline: z.number().min(0).nullable(),
  /** emerging: P(X ≥ count | Poisson(baseline)); recurring: null */
  p: z.number().min(0).max(1).nullable(),
  /** [lng, lat]: the grid's centroid (emerging) or the mean position of the cluster's cases (recurring) */
  centroid: z.tuple([z.number(), z.number()]),
  /** the cases, newest first (at most 50) */
  caseIds: z.array(z.string()).max(MAX_HOTSPOT_CASE_IDS),
}).meta({
  id: 'Hotspot',
  description: 'An emerging hotspot (a grid whose count in the window rose significantly above its own baseline: Poisson test, p < 0.01) or a recurring spot (a place with several recurring cases of one category in the window).',
});
export type Hotspot = z.infer<typeof Hotspot>;

/** The answer to `GET /api/v1/hotspots`. */
export const HotspotsResponse = z.object({
  areaId: z.string(),
  window: HotspotWindow,
  generatedAt: IsoDateTime,
  hotspots: z.array(Hotspot),
}).meta({ id: 'HotspotsResponse', description: 'The hotspots of an area for a window, emerging ones first (most significant first), then recurring spots (largest first).' });
export type HotspotsResponse = z.infer<typeof HotspotsResponse>;

/** `POST /api/v1/events/:id/tags`: an officer marks or unmarks a case typical (典型). */
export const CaseTagRequest = z.strictObject({
  tag: z.literal('typical'),
  on: z.boolean(),
  note: z.string().trim().max(500).optional(),
}).meta({ id: 'CaseTagRequest', description: 'Mark (on: true) or unmark a case typical (典型), with an optional note; only `typical` is set by people, the other tags by the server.' });
export type CaseTagRequest = z.infer<typeof CaseTagRequest>;
