/**
 * @module web/api/alarms
 * Alarms (告警) for the duty-officer console: the list of the session's scope, one alarm with
 * its history, acknowledging it (确认) at the version seen and opening its case (立案). Answers
 * are checked with the shared schemas; refusals come back as values, not exceptions, so the
 * console can say what happened (a 409 means someone else was first).
 */
import type { z } from 'zod';
import { Alarm, AlarmView, CaseView, type AlarmQuery } from '../../../../shared/index.ts';
import { getJson, HttpError, isRecord, refusalText, sendJson, validItems } from './http.ts';

function parse<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(`${what}: ${r.error.issues[0]?.path.join('.') ?? ''} ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

/** `GET /api/v1/alarms`: the scope's alarms (default: the session's area), active first. */
export async function fetchAlarms(q: { areaId?: string; status?: AlarmQuery['status']; limit?: number } = {}, signal?: AbortSignal): Promise<{ alarms: Alarm[]; total: number }> {
  const p = new URLSearchParams();
  if (q.areaId) p.set('areaId', q.areaId);
  p.set('status', q.status ?? 'active');
  if (q.limit) p.set('limit', String(q.limit));
  const raw = await getJson(`/api/v1/alarms?${p}`, signal);
  if (!isRecord(raw)) throw new Error('alarms: expected an object');
  const alarms = validItems(Alarm, raw.alarms, 'alarm');
  return { alarms, total: typeof raw.total === 'number' ? raw.total : alarms.length };
}

/** `GET /api/v1/alarms/:id`: the alarm with its history. */
export async function fetchAlarm(id: string, signal?: AbortSignal): Promise<AlarmView> {
  return parse(AlarmView, await getJson(`/api/v1/alarms/${encodeURIComponent(id)}`, signal), 'alarm');
}

export type AlarmActResult<T> =
  | { ok: true; data: T }
  /** someone else acknowledged first, the alarm changed since it was seen, or its case exists (409) */
  | { ok: false; kind: 'conflict'; message: string }
  /** refused (400, 403, 404, 422) or failed (network: status null) */
  | { ok: false; kind: 'refused'; status: number | null; message: string };

async function act<T>(run: () => Promise<T>): Promise<AlarmActResult<T>> {
  try {
    return { ok: true, data: await run() };
  } catch (err) {
    if (err instanceof HttpError) {
      if (err.status === 409) return { ok: false, kind: 'conflict', message: err.serverMessage };
      return { ok: false, kind: 'refused', status: err.status, message: refusalText(err) || `HTTP ${err.status}` };
    }
    return { ok: false, kind: 'refused', status: null, message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * `POST /api/v1/alarms/:id/ack` at the version the officer saw.
 * @example const r = await acknowledgeAlarm(a.id, a.version, '已电话联系物业');
 */
export function acknowledgeAlarm(id: string, version: number, note: string): Promise<AlarmActResult<Alarm>> {
  return act(async () => parse(Alarm, await sendJson('POST', `/api/v1/alarms/${encodeURIComponent(id)}/ack`, { version, note }), 'alarm'));
}

/** `POST /api/v1/alarms/:id/case`: the alarm, now linked, and the case it opened. */
export function openAlarmCase(id: string, note: string): Promise<AlarmActResult<{ alarm: Alarm; case: CaseView }>> {
  return act(async () => {
    const raw = await sendJson('POST', `/api/v1/alarms/${encodeURIComponent(id)}/case`, { note });
    if (!isRecord(raw)) throw new Error('alarm case: expected an object');
    return { alarm: parse(Alarm, raw.alarm, 'alarm'), case: parse(CaseView, raw.case, 'case') };
  });
}
