/**
 * @module web/api/session
 * Signing in and out, and enrolling a wall screen with its display token. The session itself is
 * an httpOnly cookie the web never sees; these calls only learn who is signed in.
 */
import { SessionInfo, type DisplayEnrolRequest } from '../../../../shared/index.ts';
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

export type EnrolResult =
  | { ok: true; session: SessionInfo }
  /** a person is signed in in this browser: enrolling would replace that session (409 `SESSION_EXISTS`) */
  | { ok: false; reason: 'sessionExists'; message: string }
  /** an unknown, malformed, revoked or already used token */
  | { ok: false; reason: 'refused'; message: string };

/**
 * What a refused enrolment means, or null when retrying may help (no network, a server error):
 * 409 `SESSION_EXISTS` asks before replacing a person's session; 400, 401 and 403 refuse the
 * token for good (a token enrols one screen once).
 */
export function enrolRefusal(err: unknown): Exclude<EnrolResult, { ok: true }> | null {
  if (!(err instanceof HttpError)) return null;
  if (err.status === 409 && err.code === 'SESSION_EXISTS') return { ok: false, reason: 'sessionExists', message: err.serverMessage };
  if (err.status === 400 || err.status === 401 || err.status === 403) return { ok: false, reason: 'refused', message: err.serverMessage };
  return null;
}

/**
 * `POST /api/v1/session/display` with the token from `/?display=…` (shared/schemas/auth.ts
 * `DisplayEnrolRequest`). `replace: true` only once the person signed in here said so. A network
 * or server failure throws (the caller retries).
 */
export async function enrolDisplay(token: string, replace = false): Promise<EnrolResult> {
  const body: DisplayEnrolRequest = replace ? { token, replace: true } : { token };
  try {
    return { ok: true, session: parseSession(await sendJson('POST', '/api/v1/session/display', body), 'display') };
  } catch (err) {
    const refused = enrolRefusal(err);
    if (refused) return refused;
    throw err;
  }
}
