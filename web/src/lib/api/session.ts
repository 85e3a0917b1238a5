/**
 * @module web/api/session
 * Signing in and out, and enrolling a wall screen with its display token. The session itself is
 * an httpOnly cookie the web never sees; these calls only learn who is signed in.
 */
import { SessionInfo } from '../../../../shared/index.ts';
import { getJson, HttpError, isUnauthorized, sendJson } from './http.ts';

function parseSession(raw: unknown, what: string): SessionInfo {
  const r = SessionInfo.safeParse(raw);
  if (!r.success) throw new Error(`${what}: ${r.error.issues[0]?.message ?? 'invalid session'}`);
  return r.data;
}

/** Who is signed in, or null when nobody is (401). Other failures throw. */
export async function fetchSession(signal?: AbortSignal): Promise<SessionInfo | null> {
  try {
    return parseSession(await getJson('/api/v1/session', signal), 'session');
  } catch (err) {
    if (isUnauthorized(err)) return null;
    throw err;
  }
}

export type LoginResult =
  | { ok: true; session: SessionInfo }
  /** wrong username or password (or a disabled user: the server does not say which) */
  | { ok: false; reason: 'wrong'; message: string }
  /** too many failed attempts; `retryAfterSec` from `Retry-After` */
  | { ok: false; reason: 'throttled'; message: string; retryAfterSec: number | null }
  /** refused for another reason (bad input, server error, no network) */
  | { ok: false; reason: 'failed'; message: string; status: number | null };

/**
 * `POST /api/v1/session`. The password goes only into the JSON body of this one request.
 * @example const r = await login('zhang.wei', password); if (r.ok) location.assign('/');
 */
export async function login(username: string, password: string): Promise<LoginResult> {
  try {
    return { ok: true, session: parseSession(await sendJson('POST', '/api/v1/session', { username, password }), 'login') };
  } catch (err) {
    if (err instanceof HttpError) {
      if (err.status === 401) return { ok: false, reason: 'wrong', message: err.serverMessage };
      if (err.status === 429) return { ok: false, reason: 'throttled', message: err.serverMessage, retryAfterSec: err.retryAfterSec };
      return { ok: false, reason: 'failed', message: err.serverMessage, status: err.status };
    }
    return { ok: false, reason: 'failed', message: '', status: null };
  }
}

/** `DELETE /api/v1/session`; an already ended session counts as signed out. */
export async function logout(): Promise<void> {
  try {
    await sendJson('DELETE', '/api/v1/session');
  } catch (err) {
    if (!isUnauthorized(err)) throw err;
  }
}

export type EnrolResult = { ok: true; session: SessionInfo } | { ok: false; reason: 'refused' };

/**
 * `POST /api/v1/session/display` with the token from `/?display=…`. An unknown, malformed or
 * revoked token is `refused`; a network or server failure throws (the caller retries).
 */
export async function enrolDisplay(token: string): Promise<EnrolResult> {
  try {
    return { ok: true, session: parseSession(await sendJson('POST', '/api/v1/session/display', { token }), 'display') };
  } catch (err) {
    if (err instanceof HttpError && (err.status === 401 || err.status === 400 || err.status === 403)) return { ok: false, reason: 'refused' };
    throw err;
  }
}
