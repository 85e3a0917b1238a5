/**
 * @module web/api/cases
 * The closed loop for the duty-officer console: a case with its timeline and the actions this
 * session may take (`GET /api/v1/events/:id`), taking one (`POST …/transitions`), and the units.
 * Answers are checked with the shared schemas.
 */
import type { z } from 'zod';
import { CaseView, Unit, type TransitionRequest } from '../../../../shared/index.ts';
import { getJson, HttpError, sendJson, validItems } from './http.ts';

export type { CaseView } from '../../../../shared/index.ts';

/** A transition's body as the console builds it (the server fills the defaults). */
export type TransitionBody = z.input<typeof TransitionRequest>;

function parseCase(raw: unknown): CaseView {
  const r = CaseView.safeParse(raw);
  if (!r.success) throw new Error(`case: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export async function fetchCase(id: string, signal?: AbortSignal): Promise<CaseView> {
  return parseCase(await getJson(`/api/v1/events/${encodeURIComponent(id)}`, signal));
}

export async function fetchUnits(signal?: AbortSignal): Promise<Unit[]> {
  return validItems(Unit, await getJson('/api/v1/units', signal), 'unit');
}

export type TransitionResult =
  | { ok: true; view: CaseView }
  /** someone else acted first (409): reload the case */
  | { ok: false; kind: 'conflict'; message: string }
  /** refused (403 role or scope, 422 stage, 400 input, 404 gone) or failed */
  | { ok: false; kind: 'refused'; status: number | null; message: string };

/**
 * `POST /api/v1/events/:id/transitions`.
 * @example const r = await transition(id, { action: 'accept', version: 3 });
 */
export async function transition(id: string, body: TransitionBody): Promise<TransitionResult> {
  try {
    return { ok: true, view: parseCase(await sendJson('POST', `/api/v1/events/${encodeURIComponent(id)}/transitions`, body)) };
  } catch (err) {
    if (err instanceof HttpError) {
      if (err.status === 409) return { ok: false, kind: 'conflict', message: err.serverMessage };
      const detail = err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      return { ok: false, kind: 'refused', status: err.status, message: [err.serverMessage, detail].filter(Boolean).join(' — ') };
    }
    return { ok: false, kind: 'refused', status: null, message: err instanceof Error ? err.message : String(err) };
  }
}
