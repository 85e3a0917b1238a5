/**
 * @module web/api/cases
 * The closed loop for the duty-officer console: a case with its timeline and the actions this
 * session may take (`GET /api/v1/events/:id`), taking one (`POST …/transitions`), and the units.
 * Answers are checked with the shared schemas.
 */
import type { z } from 'zod';
import { CaseView, EventsResponse, PersonalData, Unit, type GridEvent, type TransitionRequest } from '../../../../shared/index.ts';
import { getJson, HttpError, refusalText, sendJson, validItems } from './http.ts';

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

/**
 * The report as posted, its personal data unmasked (`POST …/personal`): for officers who handle
 * cases; the server audits each reading.
 */
export async function fetchPersonal(id: string): Promise<PersonalData> {
  const r = PersonalData.safeParse(await sendJson('POST', `/api/v1/events/${encodeURIComponent(id)}/personal`, {}));
  if (!r.success) throw new Error('personal data: unexpected answer');
  return r.data;
}

/**
 * The open confidential (涉密) cases of the session's scope. They are never streamed (walls share
 * the streams), so a cleared officer's console asks for them.
 */
export async function fetchConfidentialOpen(signal?: AbortSignal): Promise<GridEvent[]> {
  const r = EventsResponse.safeParse(await getJson('/api/v1/events?status=open&confidential=only&limit=1000', signal));
  if (!r.success) throw new Error('confidential cases: unexpected answer');
  return r.data.events;
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
      return { ok: false, kind: 'refused', status: err.status, message: refusalText(err) };
    }
    return { ok: false, kind: 'refused', status: null, message: err instanceof Error ? err.message : String(err) };
  }
}
