/**
 * @module web/api/wall-report
 * What the wall page tells the server about itself: its reload reports (`POST
 * /api/v1/wall/reports`), kept in localStorage when they cannot be sent and sent at the next start,
 * the server's health before a reload (a page must never reload into a browser error page while
 * the server is down: nothing would ever load it again), and the build the page itself runs
 * (`<meta name="onescreen-build">`, written by the build: scripts/build-id-plugin.ts).
 */
import { DisplayStatusList, Health, WallReport } from '../../../../shared/index.ts';
import { getJson } from './http.ts';
import { parsePending, withPending } from '../state/recovery.ts';

const PENDING_KEY = 'onescreen.pendingReports';

/** The build this page runs, from index.html; `dev` under Vite's dev server, null when absent. */
export function ownBuild(doc: Pick<Document, 'querySelector'> = document): string | null {
  const v = doc.querySelector('meta[name="onescreen-build"]')?.getAttribute('content') ?? null;
  return v && /^[A-Za-z0-9._-]{1,64}$/.test(v) ? v : null;
}

const isReport = (x: unknown): x is WallReport => WallReport.safeParse(x).success;

/**
 * A fresh id for a report, so the server counts it once however often it is sent (the answer to
 * the first try can be lost while the page reloads). `getRandomValues` works on plain http too,
 * where `randomUUID` does not (a wall on the centre's network may have no TLS).
 */
export function reportId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled: reports that fail are lost, the page still recovers
  }
}

/** Sends one report; false when it did not get through (offline, server down, refused). Gives up after `timeoutMs`. */
export async function sendReport(r: WallReport, timeoutMs = 3000): Promise<boolean> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch('/api/v1/wall/reports', {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(r),
      // it may still be in flight while the page reloads
      keepalive: true,
      signal: ctrl.signal,
    });
    // a refusal for the report itself (400, 401, 429) will not get better by keeping it
    return res.ok || (res.status >= 400 && res.status < 500);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps a report that could not be sent, for the next start (marked late). */
export function keepPending(r: WallReport): void {
  const s = storage();
  if (!s) return;
  try {
    s.setItem(PENDING_KEY, JSON.stringify(withPending(parsePending(s.getItem(PENDING_KEY), isReport), r)));
  } catch {
    // storage full or disabled: nothing more to do
  }
}

/** Sends the reports kept from before the last reload; keeps those that fail again. */
export async function flushPending(): Promise<number> {
  const s = storage();
  if (!s) return 0;
  const list = parsePending(s.getItem(PENDING_KEY), isReport);
  if (list.length === 0) return 0;
  s.removeItem(PENDING_KEY);
  let sent = 0;
  for (const r of list) {
    if (await sendReport(r)) sent++;
    else keepPending(r);
  }
  return sent;
}

/** Whether the server answers its health check now (so a reload will load a page). */
export async function serverHealthy(timeoutMs = 5000): Promise<Health | null> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const h = Health.safeParse(await getJson(`/api/health?t=${Date.now()}`, ctrl.signal));
    return h.success ? h.data : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /api/v1/admin/displays/status` (admins) */
export async function fetchDisplayStatus(signal?: AbortSignal): Promise<DisplayStatusList> {
  return DisplayStatusList.parse(await getJson('/api/v1/admin/displays/status', signal));
}

