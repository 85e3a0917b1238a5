/**
 * The OpenAPI description kept honest: it lists exactly the routes the server registers, it is a
 * well-formed OpenAPI 3.1 document, and real answers of a running server — successes and
 * refusals — have a documented status and media type and parse with the very shared schemas the
 * document was generated from, with no field the schema does not name.
 */
import { inspectRoutes } from 'hono/dev';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { VERSION } from '../../server/app.ts';
import { API_OPERATIONS, type ApiOperation } from '../../server/openapi/operations.ts';
import { SocketRefusal } from '../../shared/index.ts';
import { ADMIN, postJson, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Operations documented ahead of their routes (none now). Once such a route is registered the
 * suite fails until it is taken off this list, so the list cannot go stale.
 */
const PENDING = new Set<string>();
/** the query a GET cannot do without */
const REQUIRED_QUERY: Record<string, string> = { '/api/v1/buildings': '?gridId=310110019000-g001' };
/** Catch-alls, not operations: the 405 of other methods on the session, and the API's 404. */
const FALLBACKS = new Set(['ALL /api/v1/session', 'ALL /api/*']);

const WJC_POINT = { lng: 121.514, lat: 31.302 };
const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
/** Hono's `/events/:id` is OpenAPI's `/events/{id}` */
const openApiPath = (honoPath: string) => honoPath.replace(/:(\w+)/g, '{$1}');

let s: TestServer;
let doc: any;
let admin: string;

beforeAll(async () => {
  s = await startTestServer({ serveWeb: false, ingestMaxBytes: 64 * 1024 });
  admin = await s.login(ADMIN.username, ADMIN.password);
  const res = await fetch(`${s.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});
afterAll(() => s.stop({ removeData: true }));

function operationOf(method: string, path: string): ApiOperation {
  const op = API_OPERATIONS.find((o) => o.method === method.toLowerCase() && o.path === path);
  if (!op) throw new Error(`${key(method, path)} is not in the route table`);
  return op;
}

/**
 * The answer's status is documented for the operation, its media type is one the document names
 * for that status, and a JSON body parses with the documented schema and carries no field the
 * schema does not name (zod strips unknown fields: what comes out must equal what went in).
 */
async function expectDocumented(method: string, path: string, res: Response): Promise<unknown> {
  const { operation } = operationOf(method, path);
  const answer = operation.responses[String(res.status)];
  expect(answer, `${key(method, path)} answered ${res.status}, which is not documented`).toBeDefined();
  const text = await res.text();
  const content = answer!.content as Record<string, { schema: z.ZodType }> | undefined;
  if (!content) {
    expect(text, `${key(method, path)} ${res.status} is documented without a body`).toBe('');
    return undefined;
  }
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  const media = Object.keys(content).find((m) => type.startsWith(m.toLowerCase()));
  expect(media, `${key(method, path)} ${res.status} answered ${type}; documented: ${Object.keys(content).join(', ')}`).toBeDefined();
  if (!/json/.test(media!)) return text;
  const body: unknown = JSON.parse(text);
  const parsed = content[media!]!.schema.safeParse(body);
  expect(parsed.success, `${key(method, path)} ${res.status}: ${JSON.stringify(parsed.error?.issues.slice(0, 3))}`).toBe(true);
  expect(parsed.data, `${key(method, path)} ${res.status} carries fields its schema does not name`).toStrictEqual(body);
  return body;
}

const call = (path: string, init: RequestInit & { cookie?: string } = {}) =>
  fetch(`${s.url}${path}`, { ...init, headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.headers as Record<string, string>) } });
const send = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
  call(path, { method, body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

describe('the route table', () => {
  it('should document every route the server registers, and no route it does not', () => {
    const registered = new Set<string>();
    for (const r of inspectRoutes(s.app.app)) {
      if (!r.path.startsWith('/api/') && r.path !== '/metrics') continue;
      if (r.isMiddleware) continue;
      const k = key(r.method, r.path);
      if (r.method === 'ALL') expect(FALLBACKS, `${k} is neither an operation nor a known fallback`).toContain(k);
      else registered.add(key(r.method, openApiPath(r.path)));
    }
    const documented = new Set(API_OPERATIONS.map((o) => key(o.method, o.path)));
    expect([...registered].filter((k) => !documented.has(k)), 'registered but not documented').toEqual([]);
    expect([...documented].filter((k) => !registered.has(k) && !PENDING.has(k)), 'documented but not registered').toEqual([]);
    expect([...PENDING].filter((k) => registered.has(k)), 'registered now: take these off PENDING').toEqual([]);
    expect(registered.size).toBeGreaterThan(25);
  });

  it('should serve a document with exactly the operations of the table', () => {
    const served = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) => Object.keys(item).map((m) => key(m, p)));
    expect(served.sort()).toEqual(API_OPERATIONS.map((o) => key(o.method, o.path)).sort());
  });

  it('should document the answers every operation can give', () => {
    for (const { method, path, operation } of API_OPERATIONS) {
      const k = key(method, path);
      const statuses = Object.keys(operation.responses);
      if (k !== 'GET /api/docs') expect(statuses, k).toContain('500');
      const security = JSON.stringify(operation.security);
      if (security.includes('sessionCookie')) expect(statuses, k).toContain('401');
      if (security.includes('ingestKey')) expect(statuses, k).toEqual(expect.arrayContaining(['401', '403', '413', '415', '429']));
      if (operation.requestBody) expect(statuses, k).toEqual(expect.arrayContaining(['400', '415']));
      for (const [status, answer] of Object.entries(operation.responses)) {
        if (status === '429') expect(Object.keys((answer.headers as z.ZodObject).shape), k).toContain('Retry-After');
      }
    }
  });

  it('should give examples that pass their own schemas', () => {
    let examples = 0;
    for (const { method, path, operation } of API_OPERATIONS) {
      const media = [
        ...Object.values((operation.requestBody?.content ?? {}) as Record<string, { schema: z.ZodType; example?: unknown }>),
        ...Object.values(operation.responses).flatMap((r) => Object.values((r.content ?? {}) as Record<string, { schema: z.ZodType; example?: unknown }>)),
      ];
      for (const m of media) {
        if (m.example === undefined) continue;
        const r = m.schema.safeParse(m.example);
        expect(r.success, `${key(method, path)}: ${JSON.stringify(r.error?.issues)}`).toBe(true);
        examples++;
      }
    }
    expect(examples).toBeGreaterThan(100);
  });
});

describe('the document', () => {
  it('should be OpenAPI 3.1 with the server’s version', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'OneScreen API', version: VERSION });
  });

  it('should describe the Socket.IO stream, its refusals and where its protocol is typed', () => {
    expect(doc.info.description).toContain('Socket.IO');
    expect(doc.info.description).toContain('shared/socket.ts');
    for (const r of SocketRefusal.options) expect(doc.info.description).toContain(`\`${r}\``);
  });

  it('should resolve every $ref to a component of the document', () => {
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    const unresolved = refs.filter((ref) => {
      if (!ref.startsWith('#/components/')) return true;
      let at: any = doc;
      for (const part of ref.slice(2).split('/')) at = at?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
      return at === undefined;
    });
    expect(unresolved).toEqual([]);
  });

  it('should give every operation a unique operationId, answers with descriptions, its path parameters, and only declared security schemes and tags', () => {
    const ids: string[] = [];
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    expect(schemes).toEqual(new Set(['sessionCookie', 'ingestKey', 'metricsToken']));
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'onescreen_session' });
    const tags = new Set(doc.tags.map((t: any) => t.name));
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries<any>(item)) {
        const k = key(method, path);
        expect(['get', 'post', 'put', 'patch', 'delete'], k).toContain(method);
        expect(op.operationId, k).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
        ids.push(op.operationId);
        expect(Object.keys(op.responses).length, k).toBeGreaterThan(0);
        for (const [status, r] of Object.entries<any>(op.responses)) {
          expect(status, k).toMatch(/^[1-5]\d\d$/);
          expect(typeof r.description, `${k} ${status}`).toBe('string');
          for (const media of Object.values<any>(r.content ?? {})) expect(media.schema, `${k} ${status}`).toBeDefined();
        }
        const params = op.parameters ?? [];
        for (const p of params) expect(['path', 'query', 'header', 'cookie'], k).toContain(p.in);
        const inPath = params.filter((p: any) => p.in === 'path');
        expect(inPath.map((p: any) => p.name).sort(), k).toEqual(templated);
        for (const p of inPath) expect(p.required, `${k} ${p.name}`).toBe(true);
        expect(Array.isArray(op.security), `${k} says who may call`).toBe(true);
        for (const req of op.security) for (const name of Object.keys(req)) expect(schemes, k).toContain(name);
        for (const t of op.tags ?? []) expect(tags, k).toContain(t);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should name the shared answers as components', () => {
    for (const id of ['ErrorBody', 'ValidationIssue', 'ErrorCode', 'CaseView', 'IndicatorsResponse', 'EventsResponse', 'EventBatchResponse', 'ReadingBatchResponse', 'EventItemResult', 'ReadingItemResult', 'SessionInfo', 'UnitList', 'Readiness']) {
      expect(doc.components.schemas[id], id).toBeDefined();
    }
    // one component per schema: no input/output twins
    expect(Object.keys(doc.components.schemas).filter((n) => n.endsWith('Output'))).toEqual([]);
  });
});

describe('real answers', () => {
  let n = 0;
  const event = (over: Record<string, unknown> = {}) => ({ source: '12345', externalId: `oa-${++n}`, category: 'fire_hazard', title: '消防通道堵塞', ...WJC_POINT, occurredAt: new Date().toISOString(), ...over });
  const bearer = () => ({ authorization: `Bearer ${s.ingestKey}` });

  it('should answer a batch of events as documented: created, duplicate and rejected', async () => {
    const first = event();
    const res = await send('POST', '/api/v1/events', { events: [first, { ...first }, event({ lng: 100, lat: 20 })] }, bearer());
    expect(res.status).toBe(200);
    const body: any = await expectDocumented('POST', '/api/v1/events', res);
    expect(body.results.map((r: any) => r.status)).toEqual(['created', 'duplicate', 'rejected']);
  });

  it('should answer a batch of readings as documented: accepted and rejected', async () => {
    const at = new Date().toISOString();
    const res = await send('POST', '/api/v1/readings', { readings: [{ indicator: 'fire_alarms', value: 2, at, ...WJC_POINT }, { indicator: 'no_such_indicator', value: 1, at, areaId: '310110' }] }, bearer());
    expect(res.status).toBe(200);
    const body: any = await expectDocumented('POST', '/api/v1/readings', res);
    expect(body.results.map((r: any) => r.status)).toEqual(['accepted', 'rejected']);
  });

  it('should answer the list of events, the indicators and a case after a transition as documented', async () => {
    const posted: any = await (await send('POST', '/api/v1/events', { events: [event()] }, bearer())).json();
    const id = posted.results[0].id as string;

    const list: any = await expectDocumented('GET', '/api/v1/events', await call('/api/v1/events?status=open&limit=5', { cookie: s.cookie }));
    expect(list.events.length).toBeGreaterThan(0);

    const ind: any = await expectDocumented('GET', '/api/v1/indicators', await call('/api/v1/indicators', { cookie: s.cookie }));
    expect(ind.definitions.length).toBeGreaterThan(0);
    expect(ind.values.length).toBeGreaterThan(0);

    const before: any = await expectDocumented('GET', '/api/v1/events/{id}', await call(`/api/v1/events/${id}`, { cookie: s.cookie }));
    const accepted = await send('POST', `/api/v1/events/${id}/transitions`, { action: 'accept', version: before.version }, { cookie: s.cookie });
    expect(accepted.status).toBe(200);
    const after: any = await expectDocumented('POST', '/api/v1/events/{id}/transitions', accepted);
    expect(after).toMatchObject({ status: 'accepted', version: before.version + 1 });
    expect(after.timeline.map((t: any) => t.action)).toEqual(['report', 'accept']);

    // a stale version, an action the stage does not allow, one the role does not, and a bad body
    const stale = await send('POST', `/api/v1/events/${id}/transitions`, { action: 'urge', version: before.version }, { cookie: s.cookie });
    expect(stale.status).toBe(409);
    await expectDocumented('POST', '/api/v1/events/{id}/transitions', stale);
    const early = await send('POST', `/api/v1/events/${id}/transitions`, { action: 'verify', version: after.version }, { cookie: s.cookie });
    expect(early.status).toBe(422);
    await expectDocumented('POST', '/api/v1/events/{id}/transitions', early);
    const wall = await s.createDisplay('310110');
    const enrolled = await send('POST', '/api/v1/session/display', { token: wall.token }, {});
    await expectDocumented('POST', '/api/v1/session/display', enrolled);
    const wallCookie = /onescreen_session=[^;]+/.exec(enrolled.headers.get('set-cookie') ?? '')![0];
    const byWall = await send('POST', `/api/v1/events/${id}/transitions`, { action: 'urge', version: after.version }, { cookie: wallCookie });
    expect(byWall.status).toBe(403);
    await expectDocumented('POST', '/api/v1/events/{id}/transitions', byWall);
    const noNote = await send('POST', `/api/v1/events/${id}/transitions`, { action: 'handle', version: after.version }, { cookie: s.cookie });
    expect(noNote.status).toBe(400);
    const refused: any = await expectDocumented('POST', '/api/v1/events/{id}/transitions', noNote);
    expect(refused.error.issues.map((i: any) => i.path)).toContain('note');
  });

  it('should refuse as documented: 400 with every bad field, 401, 403, 404, 413, 415 and 429 with Retry-After', async () => {
    const bad = await send('POST', '/api/v1/events', { events: [event({ lat: 91 }), event({ category: 'Not A Code' })] }, bearer());
    expect(bad.status).toBe(400);
    const body: any = await expectDocumented('POST', '/api/v1/events', bad);
    expect(body.error).toMatchObject({ code: 'VALIDATION' });
    expect(body.error.issues.map((i: any) => i.path)).toEqual(['events.0.lat', 'events.1.category']);

    const noKey = await send('POST', '/api/v1/events', { events: [event()] }, {});
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectDocumented('POST', '/api/v1/events', noKey);

    const notJson = await call('/api/v1/readings', { method: 'POST', body: 'indicator=pm25', headers: { 'content-type': 'text/plain', ...bearer() } });
    expect(notJson.status).toBe(415);
    await expectDocumented('POST', '/api/v1/readings', notJson);

    const tooLarge = await send('POST', '/api/v1/events', { events: Array.from({ length: 400 }, () => event({ description: 'x'.repeat(200) })) }, bearer());
    expect(tooLarge.status).toBe(413);
    await expectDocumented('POST', '/api/v1/events', tooLarge);

    const missing = await call('/api/v1/events/00000000-0000-0000-0000-000000000000', { cookie: s.cookie });
    expect(missing.status).toBe(404);
    await expectDocumented('GET', '/api/v1/events/{id}', missing);

    const badQuery = await call('/api/v1/events?limit=0', { cookie: s.cookie });
    expect(badQuery.status).toBe(400);
    await expectDocumented('GET', '/api/v1/events', badQuery);

    const signedOut = await call('/api/v1/units');
    expect(signedOut.status).toBe(401);
    await expectDocumented('GET', '/api/v1/units', signedOut);

    const notAdmin = await call('/api/v1/admin/users', { cookie: s.cookie });
    expect(notAdmin.status).toBe(403);
    await expectDocumented('GET', '/api/v1/admin/users', notAdmin);

    const hugeLogin = await send('POST', '/api/v1/session', { username: 'x', password: 'y'.repeat(70 * 1024) }, {});
    expect(hugeLogin.status).toBe(413);
    await expectDocumented('POST', '/api/v1/session', hugeLogin);

    // failed sign-ins of one user are throttled after a few: the answer says how long to wait
    const user = `throttled-${s.port}`;
    let last: Response | undefined;
    for (let i = 0; i < 30; i++) {
      last = await send('POST', '/api/v1/session', { username: user, password: 'wrong-password-123' }, {});
      if (last.status === 429) break;
      expect(last.status).toBe(401);
      await expectDocumented('POST', '/api/v1/session', last);
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectDocumented('POST', '/api/v1/session', last!);
  });

  it('should answer every documented GET without path parameters as documented', async () => {
    let checked = 0;
    for (const { method, path, operation } of API_OPERATIONS) {
      if (method !== 'get' || path.includes('{') || PENDING.has(key(method, path))) continue;
      const cookie = operation.tags?.includes('admin') ? admin : s.cookie;
      const res = await call(`${path}${REQUIRED_QUERY[path] ?? ''}`, { cookie });
      expect(res.status, key(method, path)).toBe(200);
      await expectDocumented(method, path, res);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(16);
  });

  it('should answer the API page’s files, 304 while unchanged, and 404 for any other', async () => {
    const ok = await call('/api/docs/swagger-ui-bundle.js');
    expect(ok.status).toBe(200);
    const tag = ok.headers.get('etag');
    await expectDocumented('GET', '/api/docs/{file}', ok);
    const unchanged = await call('/api/docs/swagger-ui-bundle.js', { headers: { 'if-none-match': tag! } });
    expect(unchanged.status).toBe(304);
    await expectDocumented('GET', '/api/docs/{file}', unchanged);
    for (const other of ['index.html', 'swagger-ui-bundle.js.map', '..%2Fpackage.json', 'constructor']) {
      const res = await call(`/api/docs/${other}`);
      expect(res.status, other).toBe(404);
      await expectDocumented('GET', '/api/docs/{file}', res);
    }
  });

  it('should answer the admin’s writes as documented', async () => {
    const created = await send('POST', '/api/v1/admin/users', { username: `oa-${s.port}`, role: 'district', password: 'long-enough-password' }, { cookie: admin });
    expect(created.status).toBe(201);
    const user: any = await expectDocumented('POST', '/api/v1/admin/users', created);
    const again = await send('POST', '/api/v1/admin/users', { username: `oa-${s.port}`, role: 'district', password: 'long-enough-password' }, { cookie: admin });
    expect(again.status).toBe(409);
    await expectDocumented('POST', '/api/v1/admin/users', again);
    await expectDocumented('POST', '/api/v1/admin/users/{id}/disable', await send('POST', `/api/v1/admin/users/${user.id}/disable`, undefined, { cookie: admin }));
    const reset = await send('POST', `/api/v1/admin/users/${user.id}/password`, { password: 'another-long-password' }, { cookie: admin });
    expect(reset.status).toBe(204);
    await expectDocumented('POST', '/api/v1/admin/users/{id}/password', reset);
    const display = await send('POST', '/api/v1/admin/displays', { name: 'oa wall', areaId: '310110' }, { cookie: admin });
    expect(display.status).toBe(201);
    const d: any = await expectDocumented('POST', '/api/v1/admin/displays', display);
    await expectDocumented('POST', '/api/v1/admin/displays/{id}/revoke', await send('POST', `/api/v1/admin/displays/${d.display.id}/revoke`, undefined, { cookie: admin }));
    const signedOut = await call('/api/v1/session', { method: 'DELETE', cookie: await s.login(ADMIN.username, ADMIN.password) });
    expect(signedOut.status).toBe(204);
    await expectDocumented('DELETE', '/api/v1/session', signedOut);
  });

  it('should refuse a socket with one of the shared refusal reasons', async () => {
    const socket = io(s.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    const err = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    socket.close();
    expect(SocketRefusal.parse(err.message)).toBe('unauthorized');
  });
});
