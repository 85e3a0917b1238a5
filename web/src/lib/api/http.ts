/**
 * @module web/api/http
 * Typed fetch helpers for the server's REST API (same origin, with the session cookie).
 * Responses are checked with the shared schemas; an item that fails its schema is dropped with a
 * console warning rather than taking the whole wall down. State-changing calls send JSON, which
 * the server requires (with our own Origin) of every write.
 */
import type { FeatureCollection } from 'geojson';
import {
  AreaFeature,
  ErrorCode,
  EventCategory,
  Health,
  IndicatorDefinition,
  IndicatorValue,
  ValidationIssue,
  type ErrorBody,
  type IndicatorsResponse,
} from '../../../../shared/index.ts';
import type { z } from 'zod';

/** A refused request: its status and, when the server said so, its error code and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly code: ErrorCode | null = null,
    readonly serverMessage = '',
    readonly issues: readonly ValidationIssue[] = [],
    /** `Retry-After` in seconds, when the server sent one */
    readonly retryAfterSec: number | null = null,
  ) {
    super(`HTTP ${status} for ${url}${code ? ` (${code})` : ''}`);
    this.name = 'HttpError';
  }
}

/** A session that is missing or over: the caller should stop and sign in again. */
export const isUnauthorized = (err: unknown): err is HttpError => err instanceof HttpError && err.status === 401;

/** `Retry-After` as seconds (either form the header allows), or null. */
export function retryAfterSeconds(header: string | null, nowMs = Date.now()): number | null {
  if (!header) return null;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - nowMs) / 1000)) : null;
}

/**
 * The `{ error: { code, message, issues? } }` ({@link ErrorBody}) of a refused response, as far as it
 * is readable: an unknown code gives null, an unreadable issue is dropped.
 */
export function errorBodyOf(raw: unknown): ErrorBody['error'] | null {
  if (!isRecord(raw) || !isRecord(raw.error)) return null;
  const code = ErrorCode.safeParse(raw.error.code);
  if (!code.success) return null;
  const message = typeof raw.error.message === 'string' ? raw.error.message : '';
  const issues = Array.isArray(raw.error.issues)
    ? raw.error.issues.flatMap((i: unknown) => {
        const r = ValidationIssue.safeParse(i);
        return r.success ? [r.data] : [];
      })
    : [];
  return { code: code.data, message, ...(issues.length ? { issues } : {}) };
}

/** Turns a non-2xx response into an {@link HttpError}, reading the error body when there is one. */
export async function httpErrorOf(res: Response, url: string): Promise<HttpError> {
  let body: ErrorBody['error'] | null = null;
  try {
    body = errorBodyOf(await res.json());
  } catch {
    // not JSON: the status says enough
  }
  return new HttpError(res.status, url, body?.code ?? null, body?.message ?? '', body?.issues ?? [], retryAfterSeconds(res.headers.get('retry-after')));
}

export async function getJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', signal: signal ?? null });
  if (!res.ok) throw await httpErrorOf(res, url);
  return res.json();
}

/**
 * Sends a JSON body (or none) with a state-changing method; resolves with the parsed answer
 * (undefined for 204), throws {@link HttpError} on a refusal.
 */
export async function sendJson(method: 'POST' | 'DELETE' | 'PUT' | 'PATCH', url: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    credentials: 'same-origin',
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) throw await httpErrorOf(res, url);
  if (res.status === 204) return undefined;
  const text = await res.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** A refusal said to a person: the server's message, then every bad field (`path: message`). */
export function refusalText(err: HttpError): string {
  const detail = err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return [err.serverMessage, detail].filter(Boolean).join(' — ');
}

/** What a form's request came to: the answer checked with its schema, or why not. */
export type Sent<T> = { ok: true; data: T } | { ok: false; status: number | null; message: string };

/** Sends a form's request ({@link sendJson}) and checks the answer with `schema`; never throws. */
export async function sendParsed<S extends z.ZodType>(method: 'POST' | 'PUT', url: string, body: unknown, schema: S): Promise<Sent<z.infer<S>>> {
  try {
    const r = schema.safeParse(await sendJson(method, url, body));
    return r.success ? { ok: true, data: r.data } : { ok: false, status: null, message: 'unexpected answer' };
  } catch (err) {
    if (err instanceof HttpError) return { ok: false, status: err.status, message: refusalText(err) };
    return { ok: false, status: null, message: err instanceof Error ? err.message : String(err) };
  }
}

/** Keeps the items of `raw` that pass `schema`. */
export function validItems<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S>[] {
  if (!Array.isArray(raw)) throw new Error(`${what}: expected an array`);
  const out: z.infer<S>[] = [];
  for (const item of raw) {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    else console.warn(`[onescreen] dropped an invalid ${what}`, r.error.issues[0]);
  }
  return out;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
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

export type { IndicatorsResponse } from '../../../../shared/index.ts';

/** `GET /api/v1/indicators`: an item that fails its schema is dropped, the rest is kept. */
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
 * that starts before its server must come up by itself. A refusal that retrying cannot fix (401,
 * 403, 404) is thrown at once.
 */
export async function withRetry<T>(task: () => Promise<T>, signal: AbortSignal, maxDelayMs = 15_000): Promise<T> {
  let delay = 1000;
  for (;;) {
    try {
      return await task();
    } catch (err) {
      if (signal.aborted) throw err;
      if (err instanceof HttpError && [401, 403, 404].includes(err.status)) throw err;
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
