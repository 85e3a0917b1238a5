/**
 * @module web/utils/nav
 * Which page a path shows, where to go after signing in, and taking a display token out of the
 * address. Pure: callers pass `location` parts and apply the result.
 */

export type PageName = 'wall' | 'login' | 'admin' | 'console' | 'analytics' | 'handover' | 'tasks' | 'emergency';

/** The page of a path: `/login`, `/admin`, `/console`, `/analytics`, `/handover`, `/tasks`, `/emergency` (with or without a trailing slash), else the wall. */
export function pageOf(pathname: string): PageName {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/login') return 'login';
  if (p === '/admin') return 'admin';
  if (p === '/console') return 'console';
  if (p === '/analytics') return 'analytics';
  if (p === '/handover') return 'handover';
  if (p === '/tasks') return 'tasks';
  if (p === '/emergency') return 'emergency';
  return 'wall';
}

/**
 * A `next` target that stays on this origin: a path starting with one `/` (not `//`, not `/\`),
 * without control characters, and not the login page itself; anything else gives `fallback`.
 * The path is resolved against `origin`, the page's own (passed in by tests, which have none).
 * @example safeNext('//evil.example/x') // '/'
 */
export function safeNext(raw: string | null | undefined, fallback = '/', origin = location.origin): string {
  if (!raw || raw.length > 512) return fallback;
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  // control characters and backslashes can make browsers read the path as another origin
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  if (pageOf(url.pathname) === 'login') return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page's address, with where to come back to (omitted for the wall's root). */
export function loginHref(next = '/', origin = location.origin): string {
  const target = safeNext(next, '/', origin);
  return target === '/' ? '/login' : `/login?next=${encodeURIComponent(target)}`;
}

/**
 * Splits a display token off a query string: `?display=abc&lang=en` → token `abc`, rest
 * `?lang=en`. The token must not stay in the address bar or the history.
 */
export function takeDisplayToken(search: string): { token: string | null; rest: string } {
  const params = new URLSearchParams(search);
  const token = params.get('display');
  if (token === null) return { token: null, rest: search };
  params.delete('display');
  const rest = params.toString();
  return { token: token.trim() || null, rest: rest ? `?${rest}` : '' };
}

/**
 * What a console link names: `?case=<id>` or `?alarm=<id>` (as notifications send them), or null.
 * Ids are the server's (UUIDs); anything longer or with other characters is ignored.
 * @example linkedItem('?alarm=3f2a…') // { kind: 'alarm', id: '3f2a…' }
 */
export function linkedItem(search: string): { kind: 'case' | 'alarm'; id: string } | null {
  const q = new URLSearchParams(search);
  for (const kind of ['case', 'alarm'] as const) {
    const id = q.get(kind);
    if (id && /^[A-Za-z0-9_-]{1,64}$/.test(id)) return { kind, id };
  }
  return null;
}
