/**
 * The shipped nginx site (deploy/nginx/onescreen.conf) in front of a real server, as a centre
 * runs it: a private nginx from Debian's package terminates TLS with a certificate made for the
 * test, on a loopback port, and proxies to the server, which runs with PUBLIC_URL at nginx's
 * https address, TRUST_PROXY=1 and Secure cookies. Headless Chromium signs in through https, the
 * wall goes live over the proxied WebSocket, and an officer accepts a case in the console. Client
 * addresses in the audit trail, foreign origins, body sizes, TLS and the headers nginx answers
 * with are checked through the proxy too.
 *
 * Needs nginx and openssl (`.ci/run` installs nginx) and the built web (`npm run build`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {} from '../../web/src/lib/debug.ts';
import { launchChromium } from '../browser/chromium.ts';
import { freePorts, httpsRequest, PortInUseError, startNginx, testShippedSite, type NginxInstance } from '../helpers/nginx.ts';
import { ADMIN, startTestServer, type TestServer } from '../helpers/server.ts';

const DIST_INDEX = fileURLToPath(new URL('../../dist/web/index.html', import.meta.url));
const sel = (testid: string) => `[data-testid="${testid}"]`;
/** the headers hono's secureHeaders sets on every answer of the server */
const SECURITY_HEADERS = [
  'content-security-policy', 'cross-origin-opener-policy', 'cross-origin-resource-policy', 'origin-agent-cluster', 'referrer-policy',
  'strict-transport-security', 'x-content-type-options', 'x-dns-prefetch-control', 'x-download-options', 'x-frame-options',
  'x-permitted-cross-domain-policies', 'x-xss-protection',
];
const FOREIGN = 'https://evil.example';

let server: TestServer;
let nginx: NginxInstance;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let officer: { username: string; password: string };
let caseId: string;
const pageErrors: string[] = [];
/** every WebSocket the page opened, and the frames it received and sent on them */
const sockets: string[] = [];
const framesIn: string[] = [];
const framesOut: string[] = [];

const json = (body: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(body) });

/** a header's occurrences in an answer, by lower-case name */
function headerCounts(raw: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < raw.length; i += 2) counts.set(raw[i]!.toLowerCase(), (counts.get(raw[i]!.toLowerCase()) ?? 0) + 1);
  return counts;
}

/**
 * A test server behind a private nginx. The server must know nginx's address (PUBLIC_URL) before
 * nginx knows the server's port: ports are picked first, and picked again if one was taken.
 */
async function startBehindNginx(o: { publicUrl: boolean }): Promise<{ server: TestServer; nginx: NginxInstance }> {
  for (let attempt = 1; ; attempt++) {
    const [httpsPort, httpPort] = await freePorts(2);
    const s = await startTestServer({ simulator: false, ...(o.publicUrl ? { publicUrl: `https://127.0.0.1:${httpsPort}` } : {}), trustProxy: 1, secureCookies: true });
    try {
      return { server: s, nginx: await startNginx({ httpsPort: httpsPort!, httpPort: httpPort!, upstreamPort: s.port }) };
    } catch (err) {
      await s.stop({ removeData: true });
      if (!(err instanceof PortInUseError) || attempt === 3) throw err;
    }
  }
}

beforeAll(async () => {
  if (!existsSync(DIST_INDEX)) throw new Error('dist/web is missing: run `npm run build` before this test');
  const launching = launchChromium();
  try {
    ({ server, nginx } = await startBehindNginx({ publicUrl: true }));
  } catch (err) {
    await (await launching).close();
    throw err;
  }
  browser = await launching;
  officer = await server.createUser('district');
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 720 } }); // the test's own certificate
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('websocket', (ws) => {
    sockets.push(ws.url());
    ws.on('framereceived', (f) => framesIn.push(String(f.payload)));
    ws.on('framesent', (f) => framesOut.push(String(f.payload)));
  });
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await nginx?.stop();
  await server?.stop({ removeData: true });
});

describe('OneScreen behind the shipped nginx site', () => {
  it('should pass nginx -t as shipped, with only the certificate paths changed', () => {
    const r = testShippedSite();
    expect(r.output).toContain('test is successful');
    // nginx 1.25.1+ (not Debian 12's 1.22) warns that `listen … http2` is deprecated: see the site's comment
    const warnings = r.output.split('\n').filter((l) => /\[(warn|emerg|alert|crit)\]/.test(l) && !l.includes('"listen ... http2" directive is deprecated'));
    expect(warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('should speak TLS 1.2 and 1.3 with HTTP/2 offered, and send plain HTTP to https', async () => {
    const handshake = (o: ConnectionOptions) =>
      new Promise<{ protocol: string | null; alpn: string | false | null }>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port: nginx.httpsPort, ca: nginx.certPem, ALPNProtocols: ['h2', 'http/1.1'], ...o }, () => {
          resolve({ protocol: s.getProtocol(), alpn: s.alpnProtocol });
          s.end();
        });
        s.on('error', reject);
      });
    expect(await handshake({ minVersion: 'TLSv1.3' })).toEqual({ protocol: 'TLSv1.3', alpn: 'h2' });
    expect(await handshake({ maxVersion: 'TLSv1.2' })).toEqual({ protocol: 'TLSv1.2', alpn: 'h2' });

    const redirect = await new Promise<{ status?: number; location?: string }>((resolve, reject) => {
      httpGet(`http://127.0.0.1:${nginx.httpPort}/console?street=1`, (res) => {
        res.resume();
        resolve({ status: res.statusCode, location: res.headers.location });
      }).on('error', reject);
    });
    // $host has no port: in production the https site is on 443
    expect(redirect).toEqual({ status: 301, location: 'https://127.0.0.1/console?street=1' });
  });

  it('should sign an officer in on the login page through https, with a Secure, HttpOnly, SameSite=Strict cookie', async () => {
    await page.goto(`${nginx.url}/`);
    await page.waitForURL(`${nginx.url}/login`);
    await page.fill(sel('login-username'), officer.username);
    await page.fill(sel('login-password'), officer.password);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${nginx.url}/api/v1/session` && r.request().method() === 'POST'),
      page.click(sel('login-submit')),
    ]);
    // the bug answered 403 cross-origin request refused here
    expect(answer.status()).toBe(200);
    expect(await answer.request().headerValue('origin')).toBe(nginx.url);
    const setCookie = (await answer.headerValue('set-cookie')) ?? '';
    expect(setCookie).toMatch(/^onescreen_session=/);
    expect(setCookie).toMatch(/;\s*Secure(;|$)/i);
    expect(setCookie).toMatch(/;\s*HttpOnly(;|$)/i);
    expect(setCookie).toMatch(/;\s*SameSite=Strict(;|$)/i);
    await page.waitForURL(`${nginx.url}/`);
    const cookie = (await context.cookies(nginx.url)).find((c) => c.name === 'onescreen_session');
    expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Strict' });
    // the page came over HTTP/2 from nginx
    expect(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol)).toBe('h2');
  });

  it('should bring the wall live over the proxied WebSocket and show an event posted through nginx', async () => {
    await page.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
    await page.waitForFunction(() => window.__onescreen?.state.live.connection === 'connected', undefined, { timeout: 10_000 });
    // the stream is a WebSocket from its first request, never long-polling (so several nodes
    // behind nginx need no sticky sessions): its handshake ("0{…sid…}") came over wss
    await expect.poll(() => framesIn.some((f) => f.startsWith('0{"sid"')), { timeout: 10_000 }).toBe(true);
    expect(sockets.length).toBeGreaterThan(0);
    for (const u of sockets) expect(u).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${nginx.httpsPort}/socket\\.io/\\?EIO=4&transport=websocket$`));
    expect(framesIn).not.toContain('3probe');

    const r = await httpsRequest(nginx, '/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.ingestKey}` },
      body: JSON.stringify({ events: [{ source: '12345', externalId: `proxy-${Date.now()}`, category: 'fire_hazard', title: '消防通道堵塞（经代理）', lng: 121.514, lat: 31.302, occurredAt: new Date().toISOString(), severity: 'critical' }] }),
    });
    expect(r.status, r.body).toBe(200);
    caseId = JSON.parse(r.body).results[0].id as string;
    await page.waitForSelector(`${sel('ticker-line')}[data-event-id="${caseId}"]`, { timeout: 10_000 });
    // and it came on the WebSocket, not on a polling request
    expect(framesIn.some((f) => f.startsWith('42["event:upsert"') && f.includes(caseId))).toBe(true);
  });

  it('should let the officer accept the case in the console through nginx', async () => {
    await page.goto(`${nginx.url}/console`);
    await page.waitForSelector(`${sel('console')}[data-ready="true"]`, { timeout: 30_000 });
    await page.click(`${sel('queue-row')}[data-id="${caseId}"]`);
    await page.waitForSelector(`${sel('case-panel')}[data-case-id="${caseId}"][data-status="reported"]`);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${nginx.url}/api/v1/events/${caseId}/transitions`),
      page.click(sel('act-accept')),
    ]);
    expect(answer.status()).toBe(200);
    await page.waitForSelector(`${sel('case-panel')}[data-case-id="${caseId}"][data-status="accepted"]`, { timeout: 5000 });
    expect((await server.get(`/api/v1/events/${caseId}`)).json.status).toBe('accepted');
    expect(pageErrors).toEqual([]);
  });

  it('should write the address nginx saw to the audit trail, not a forged X-Forwarded-For', async () => {
    const other = await server.createUser('district');
    // from another loopback address, so that nginx's own address (127.0.0.1) cannot pass for it
    const r = await httpsRequest(nginx, '/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: nginx.url, 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify(other),
      localAddress: '127.0.0.2',
    });
    expect(r.status, r.body).toBe(200);
    const admin = await server.login(ADMIN.username, ADMIN.password);
    const audit = (await server.get('/api/v1/admin/audit?limit=200', admin)).json as { actor: string; action: string; outcome: string; ip: string; target?: string }[];
    const loginOf = (name: string) => audit.filter((a) => a.action === 'login' && a.actor === name && a.outcome === 'ok').map((a) => a.ip);
    expect(loginOf(other.username)).toEqual(['127.0.0.2']);
    // the browser's sign-in and its transition, from where nginx saw the browser
    expect(loginOf(officer.username)).toEqual(['127.0.0.1']);
    expect(audit.filter((a) => a.target === caseId && a.action === 'case.accept').map((a) => `${a.actor} ${a.ip}`)).toEqual([`${officer.username} 127.0.0.1`]);
  });

  it('should keep query strings, such as a display link, out of its access log', async () => {
    const r = await httpsRequest(nginx, '/?display=osd_a-secret-link-for-a-wall-screen');
    expect(r.status).toBe(200);
    await expect.poll(() => nginx.accessLog()).toMatch(/"GET \/ HTTP\/[\d.]+" 200/);
    expect(nginx.accessLog()).not.toContain('osd_a-secret');
  });

  it('should serve /metrics to the allowed addresses only', async () => {
    expect((await httpsRequest(nginx, '/metrics')).status).toBe(200); // from 127.0.0.1: allowed
    const denied = await httpsRequest(nginx, '/metrics', { localAddress: '127.0.0.2' });
    expect(denied.status).toBe(403);
    expect(denied.body).not.toContain('onescreen_');
  });

  it('should refuse a foreign Origin through nginx, for a request and for a socket', async () => {
    const who = await server.createUser('district');
    const signIn = (origin: string) => httpsRequest(nginx, '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(who) });
    const foreign = await signIn(FOREIGN);
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.message).toBe('cross-origin request refused');
    // the public https origin is ours: compared with PUBLIC_URL, not with the http the server sees
    const own = await signIn(nginx.url);
    expect(own.status, own.body).toBe(200);
    const cookie = /onescreen_session=[^;]+/.exec(String(own.headers['set-cookie']))![0];

    const stream = (origin: string) =>
      new Promise<{ snapshot: boolean; error?: string }>((resolve) => {
        const s = io(nginx.url, { transports: ['websocket'], forceNew: true, reconnection: false, ca: nginx.certPem, extraHeaders: { cookie, origin } });
        s.on('snapshot', () => {
          s.close();
          resolve({ snapshot: true });
        });
        s.on('connect_error', (e) => {
          s.close();
          resolve({ snapshot: false, error: e.message });
        });
      });
    expect(await stream(FOREIGN)).toEqual({ snapshot: false, error: 'foreign_origin' });
    expect(await stream(nginx.url)).toEqual({ snapshot: true });
  });

  it('should pass the server security headers once each, as the server sends them, and add HSTS only where it is missing', async () => {
    const index = await httpsRequest(nginx, '/login');
    const asset = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(asset).toBeDefined();
    const cases: { path: string; method?: string; headers?: Record<string, string>; body?: string; status: number }[] = [
      { path: '/login', status: 200 },
      { path: asset!, status: 200 },
      { path: '/api/health', status: 200 },
      { path: '/api/v1/events', status: 401 },
      { path: '/api/v1/session', method: 'POST', headers: { 'content-type': 'application/json', origin: FOREIGN }, body: '{}', status: 403 },
    ];
    for (const c of cases) {
      const through = await httpsRequest(nginx, c.path, c);
      const direct = await fetch(`${server.url}${c.path}`, { method: c.method ?? 'GET', ...(c.headers ? { headers: c.headers } : {}), ...(c.body ? { body: c.body } : {}) });
      expect([c.path, through.status]).toEqual([c.path, c.status]);
      expect(direct.status).toBe(c.status);
      const twice = [...headerCounts(through.rawHeaders)].filter(([name, n]) => n > 1 && name !== 'set-cookie');
      expect([c.path, twice]).toEqual([c.path, []]);
      const pick = (get: (name: string) => unknown) => Object.fromEntries(SECURITY_HEADERS.map((h) => [h, get(h) ?? null]));
      expect([c.path, pick((h) => through.headers[h])]).toEqual([c.path, pick((h) => direct.headers.get(h))]);
      expect(through.headers.server).toBe('nginx'); // no version
    }
    // the Socket.IO transport answers without the server's headers: nginx adds HSTS, once
    const polling = await httpsRequest(nginx, '/socket.io/?EIO=4&transport=polling');
    expect(polling.status).toBe(200);
    expect(headerCounts(polling.rawHeaders).get('strict-transport-security')).toBe(1);
    expect(polling.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(index.headers['strict-transport-security']).toBe('max-age=15552000; includeSubDomains'); // the server's own
  });

  it('should pass an ingest body up to INGEST_MAX_BYTES (4 MiB) to the server and refuse a larger one', async () => {
    const post = (bytes: number) => {
      const head = '{"events":"';
      const body = `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
      expect(Buffer.byteLength(body)).toBe(bytes);
      return httpsRequest(nginx, '/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.ingestKey}` }, body });
    };
    // the largest body reaches the server (through nginx's temporary file), which reads it all
    // and finds it is not a batch
    const largest = await post(4 * 1024 * 1024);
    expect(largest.status, largest.body).toBe(400);
    expect(JSON.parse(largest.body).error.code).toBe('VALIDATION');
    const larger = await post(4 * 1024 * 1024 + 1);
    expect(larger.status).toBe(413);
  });

  it('should leave no error in nginx\'s log but the refused body and the refused /metrics', () => {
    const problems = nginx.errorLog().split('\n').filter((l) => /\[(error|crit|alert|emerg)\]/.test(l) && !l.includes('client intended to send too large body: 4194305 bytes') && !l.includes('access forbidden by rule'));
    expect(problems).toEqual([]);
    // the WebSocket went through nginx (logged, like every request, without its query string)
    expect(nginx.accessLog()).toMatch(/"GET \/socket\.io\/ HTTP\/1\.1" 101 /);
  });
});

describe('OneScreen behind the shipped nginx site, without PUBLIC_URL', () => {
  let bare: { server: TestServer; nginx: NginxInstance } | undefined;
  let serverStopped = false;
  beforeAll(async () => {
    bare = await startBehindNginx({ publicUrl: false });
  }, 30_000);
  afterAll(async () => {
    await bare?.nginx.stop();
    if (!serverStopped) await bare?.server.stop({ removeData: true });
  });

  it('should take the public origin from the X-Forwarded-Proto and -Host nginx sends', async () => {
    const { server: s, nginx: n } = bare!;
    const who = await s.createUser('district');
    const signIn = (origin: string) => httpsRequest(n, '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(who) });
    expect((await signIn(`http://127.0.0.1:${n.httpsPort}`)).status).toBe(403);
    expect((await signIn(FOREIGN)).status).toBe(403);
    const own = await signIn(n.url);
    expect(own.status, own.body).toBe(200);
  });

  it('should answer 502 with HSTS, once, while the server is down', async () => {
    await bare!.server.stop({ removeData: true });
    serverStopped = true;
    const r = await httpsRequest(bare!.nginx, '/login');
    expect(r.status).toBe(502);
    expect(headerCounts(r.rawHeaders).get('strict-transport-security')).toBe(1);
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});
