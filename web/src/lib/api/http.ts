/**
 * @module web/api/http
 * Typed fetch helpers for the server's REST API (same origin). Responses are checked with the
 * shared schemas; an item that fails its schema is dropped with a console warning rather than
 * taking the whole wall down.
 */
import type { FeatureCollection } from 'geojson';
import {
  AreaFeature,
  EventCategory,
  Health,
  IndicatorDefinition,
  IndicatorValue,
} from '../../../../shared/index.ts';
import type { z } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`HTTP ${status} for ${url}`);
    this.name = 'HttpError';
  }
}

async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal: signal ?? null });
  if (!res.ok) throw new HttpError(res.status, url);
  return res.json();
}

/** Keeps the items of `raw` that pass `schema`. */
function validItems<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S>[] {
  if (!Array.isArray(raw)) throw new Error(`${what}: expected an array`);
  const out: z.infer<S>[] = [];
  for (const item of raw) {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    else console.warn(`[onescreen] dropped an invalid ${what}`, r.error.issues[0]);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the wall reads from `GET /api/health`. */
export type CentreInfo = Health;

export async function fetchCentreInfo(signal?: AbortSignal): Promise<CentreInfo> {
  const r = Health.safeParse(await getJson('/api/health', signal));
  if (!r.success) throw new Error(`health: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export async function fetchAreas(signal?: AbortSignal): Promise<AreaFeature[]> {
  const raw = await getJson('/api/v1/areas', signal);
  if (!isRecord(raw)) throw new Error('areas: expected a FeatureCollection');
  return validItems(AreaFeature, raw.features, 'area');
}

export { BasemapLayer } from '../../../../shared/index.ts';

/** The static basemap (sea, other districts, river) as GeoJSON; features carry `layer`. */
export async function fetchBasemap(signal?: AbortSignal): Promise<FeatureCollection> {
  const raw = await getJson('/api/v1/basemap', signal);
  if (!isRecord(raw) || raw.type !== 'FeatureCollection' || !Array.isArray(raw.features)) throw new Error('basemap: expected a FeatureCollection');
  return raw as unknown as FeatureCollection;
}

export interface IndicatorsResponse {
  definitions: IndicatorDefinition[];
  values: IndicatorValue[];
}

export async function fetchIndicators(areaId: string, signal?: AbortSignal): Promise<IndicatorsResponse> {
  const raw = await getJson(`/api/v1/indicators?areaId=${encodeURIComponent(areaId)}`, signal);
  if (!isRecord(raw)) throw new Error('indicators: expected an object');
  return {
    definitions: validItems(IndicatorDefinition, raw.definitions, 'indicator definition'),
    values: validItems(IndicatorValue, raw.values ?? [], 'indicator value'),
  };
}

export async function fetchCategories(signal?: AbortSignal): Promise<EventCategory[]> {
  return validItems(EventCategory, await getJson('/api/v1/categories', signal), 'event category');
}

/**
 * Retries `task` with capped exponential backoff until it succeeds or `signal` aborts: a wall
 * that starts before its server must come up by itself.
 */
export async function withRetry<T>(task: () => Promise<T>, signal: AbortSignal, maxDelayMs = 15_000): Promise<T> {
  let delay = 1000;
  for (;;) {
    try {
      return await task();
    } catch (err) {
      if (signal.aborted) throw err;
      console.warn('[onescreen] request failed, retrying', err);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
      });
      if (signal.aborted) throw new DOMException('aborted', 'AbortError');
      delay = Math.min(maxDelayMs, delay * 2);
    }
  }
}
