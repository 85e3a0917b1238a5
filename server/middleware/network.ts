/**
 * @module server/middleware/network
 * Where a request comes from, and which origin a browser's request must come from, with zero or
 * more reverse proxies (nginx terminating TLS) in front of the server.
 *
 * Forwarded headers are believed only as far as `trustProxy` hops: a client can put anything in
 * `X-Forwarded-For`, but each trusted proxy appends the address it saw, so the client is the
 * entry `trustProxy` places from the right (the same rule as Express's `trust proxy` hop count).
 */
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { csrf } from 'hono/csrf';
import { AppError } from '../errors.ts';

export interface NetworkOptions {
  /** the origin people use (`https://ops.yangpu.example`); when set, it is the only one accepted */
  publicUrl?: string | undefined;
  /** how many reverse-proxy hops to trust for X-Forwarded-* headers (0: none) */
  trustProxy: number;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything that is not an address is cut to 64 characters */
function normaliseAddress(a: string): string {
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  if (v4mapped) return v4mapped[1]!;
  return isIP(a) ? a : a.slice(0, 64);
}

const list = (header: string | string[] | undefined): string[] =>
  (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The client's address: the socket's peer, or — behind `hops` trusted proxies — the address the
 * outermost trusted proxy saw.
 * @example clientAddress('127.0.0.1', 'forged, 203.0.113.7', 1) // '203.0.113.7'
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string {
  const chain = [peer ?? '-', ...(hops > 0 ? list(forwardedFor).reverse() : [])];
  return normaliseAddress(chain[Math.min(hops, chain.length - 1)]!);
}

/**
 * The one origin a browser's state-changing request or socket may come from: `publicUrl` when set;
 * else the scheme and host the client used (from trusted X-Forwarded-Proto/-Host, else the Host
 * header over plain HTTP — the server itself never terminates TLS).
 */
export function expectedOrigin(opts: NetworkOptions, headers: IncomingHttpHeaders | Headers): string {
  if (opts.publicUrl) return opts.publicUrl;
  const get = (name: string) => (headers instanceof Headers ? (headers.get(name) ?? undefined) : (headers[name] as string | string[] | undefined));
  const outermost = (name: string) => {
    const v = list(get(name));
    return opts.trustProxy > 0 && v.length ? v[Math.max(0, v.length - opts.trustProxy)] : undefined;
  };
  const proto = outermost('x-forwarded-proto') === 'https' ? 'https' : 'http';
  const host = outermost('x-forwarded-host') ?? list(get('host'))[0] ?? '';
  return `${proto}://${host}`;
}

/**
 * Whether a browser request may change state or open a live stream: a request whose browser says
 * it is same-origin (`Sec-Fetch-Site`), or whose `Origin` is the expected one. A request with
 * neither header comes from a program, not a browser, and carries no victim's cookies.
 */
export function originAllowed(opts: NetworkOptions, headers: IncomingHttpHeaders | Headers): boolean {
  const get = (name: string) => {
    const v = headers instanceof Headers ? headers.get(name) : headers[name];
    return Array.isArray(v) ? v[0] : (v ?? undefined);
  };
  const site = get('sec-fetch-site');
  if (site === 'same-origin') return true;
  if (site !== undefined && site !== 'none') return false;
  const origin = get('origin');
  return origin === undefined || origin === expectedOrigin(opts, headers);
}

export type NetworkEnv = { Variables: { clientIp: string; network: NetworkOptions } };

/** Puts the client's address on the context for throttling and the audit trail. */
export function network(opts: NetworkOptions) {
  return createMiddleware<NetworkEnv>(async function network(c, next) {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined; // app.request() in tests has no socket
    }
    c.set('clientIp', clientAddress(peer, c.req.header('x-forwarded-for'), opts.trustProxy));
    c.set('network', opts);
    await next();
  });
}

/** The client's address as {@link network} found it. */
export function clientIp(c: Context): string {
  return (c.get('clientIp') as string | undefined) ?? '-';
}

const optionsOf = (c: Context): NetworkOptions => (c.get('network') as NetworkOptions | undefined) ?? { trustProxy: 0 };

/** The origin people reach this server at (PUBLIC_URL, else what the request came to). */
export const publicOrigin = (c: Context): string => expectedOrigin(optionsOf(c), c.req.raw.headers);

/** hono's CSRF guard for form-like bodies (the classic cross-site form post) */
const formGuard = csrf({ origin: (origin, c) => origin === expectedOrigin(optionsOf(c), c.req.raw.headers) });

/**
 * State-changing requests must come from our own origin (or from a program, which carries no
 * victim's cookies). With SameSite=Strict cookies and JSON bodies this is belt and braces: hono's
 * guard refuses form-like bodies (the classic cross-site form post) from anywhere else, and
 * {@link originAllowed} refuses any other request a browser marks as cross-origin. (hono's guard
 * alone would also refuse a body-less `DELETE` from curl, which sends no content type at all.)
 */
export const sameOrigin = createMiddleware(async function sameOrigin(c, next) {
  if (!/^(GET|HEAD|OPTIONS)$/.test(c.req.method)) {
    const refused = new AppError('FORBIDDEN', 403, 'cross-origin request refused');
    if (c.req.header('content-type') !== undefined) {
      try {
        await formGuard(c, async () => {});
      } catch {
        throw refused;
      }
    }
    if (!originAllowed(optionsOf(c), c.req.raw.headers)) throw refused;
  }
  await next();
});

