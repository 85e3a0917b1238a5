/**
 * The real app on PostgreSQL (Debian's, started by test/helpers/postgres.ts), end to end: ingest a
 * batch over HTTP, read it back, move a case one stage, restart on the same database and find it
 * all there. And the admin CLI on PostgreSQL (DATABASE_URL): its commands work, `backup` refuses
 * and points to pg_dump.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../server/stores/postgres/postgres.store.ts';
import { usePostgres } from '../helpers/postgres.ts';
import { postJson, startTestServer } from '../helpers/server.ts';

const server = usePostgres();
const execFileP = promisify(execFile);

const WJC_POINT = { lng: 121.514, lat: 31.302 }; // 五角场街道

describe('the app on PostgreSQL', () => {
  it('commits an ingested batch, reads it back, moves a case, and keeps it all across a restart', async () => {
    const url = await server().createDatabase();
    const open = () => new PostgresStore(url, { poolSize: 4 });
    const s1 = await startTestServer({ store: open, serveWeb: false });
    let s2: Awaited<ReturnType<typeof startTestServer<PostgresStore>>> | undefined;
    try {
      expect(s1.store.kind).toBe('postgres');
      const at = new Date(Date.now() - 60_000).toISOString();
      const batch = Array.from({ length: 5 }, (_, i) => ({ source: '12345', externalId: `pg-${i}`, category: 'fire_hazard', title: `消防通道堵塞 ${i}`, ...WJC_POINT, occurredAt: at }));
      const r = await postJson(s1.url, '/api/v1/events', { events: batch }, s1.ingestKey);
      expect(r.status).toBe(200);
      expect(r.json.results.map((x: { status: string }) => x.status)).toEqual(Array(5).fill('created'));
      const ids: string[] = r.json.results.map((x: { id: string }) => x.id);
      // posted again: the same cases, nothing new
      const again = await postJson(s1.url, '/api/v1/events', { events: batch }, s1.ingestKey);
      expect(again.json.results.map((x: { id: string }) => x.id)).toEqual(ids);
      expect(again.json.results.map((x: { status: string }) => x.status)).toEqual(Array(5).fill('duplicate'));

      const one = await s1.get(`/api/v1/events/${ids[0]}`);
      expect(one.status).toBe(200);
      expect(one.json).toMatchObject({ id: ids[0], externalId: 'pg-0', status: 'reported', occurredAt: at, version: 1, streetId: '310110019000' });
      expect(one.json.timeline.map((e: { action: string }) => e.action)).toEqual(['report']);
      const list = await s1.get('/api/v1/events?limit=50');
      expect(list.json.events.map((e: { id: string }) => e.id).sort()).toEqual([...ids].sort());

      const acc = await postJson(s1.url, `/api/v1/events/${ids[0]}/transitions`, { action: 'accept', version: 1 }, undefined, { cookie: s1.cookie });
      expect(acc.status).toBe(200);
      expect(acc.json).toMatchObject({ status: 'accepted', version: 2 });
      // a stale version is a conflict, as on SQLite
      const stale = await postJson(s1.url, `/api/v1/events/${ids[0]}/transitions`, { action: 'accept', version: 1 }, undefined, { cookie: s1.cookie });
      expect(stale.status).toBe(409);
      const ready = await s1.get('/api/ready');
      expect(ready.status).toBe(200);

      await s1.stop();
      s2 = await startTestServer({ store: open, serveWeb: false });
      const back = await s2.get(`/api/v1/events/${ids[0]}`);
      expect(back.json).toMatchObject({ status: 'accepted', version: 2, occurredAt: at });
      expect(back.json.timeline.map((e: { action: string }) => e.action)).toEqual(['report', 'accept']);
      expect((await s2.get('/api/v1/events?limit=50')).json.events).toHaveLength(5);
    } finally {
      await s2?.stop({ removeData: true });
      await s1.stop({ removeData: true }).catch(() => {});
      await server().dropDatabase(url);
    }
  });

  it('answers 503 UNAVAILABLE with Retry-After while no database connection is free, and serves again after', async () => {
    const url = await server().createDatabase();
    const s = await startTestServer({ store: () => new PostgresStore(url, { poolSize: 2, connectionTimeoutMs: 1500 }), serveWeb: false });
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const held: Promise<unknown>[] = [];
      let inside = 0;
      // both connections held by transactions waiting on the gate
      for (let k = 0; k < 2; k++)
        held.push(
          s.store.db.tx(async (c) => {
            await c.query('SELECT 1');
            inside++;
            await gate;
          }),
        );
      while (inside < 2) await new Promise((r) => setTimeout(r, 10));
      const r = await fetch(`${s.url}/api/v1/events?limit=5`, { headers: { cookie: s.cookie } });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect((await r.json()).error.code).toBe('UNAVAILABLE');
      release();
      await Promise.all(held);
      expect((await s.get('/api/v1/events?limit=5')).status).toBe(200);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});

describe('the admin CLI on PostgreSQL', () => {
  const admin = (url: string, ...args: string[]) =>
    execFileP(process.execPath, ['--import', 'tsx', 'server/admin.ts', ...args], { env: { ...process.env, DATABASE_URL: url, DATA_DIR: '/nonexistent/onescreen' }, encoding: 'utf8' });

  // three CLI runs (each starts tsx; creating a user hashes with the production scrypt cost)
  it('creates and lists users in the PostgreSQL database, and refuses backup with the pg_dump way', { timeout: 120_000 }, async () => {
    const url = await server().createDatabase();
    try {
      await admin(url, 'user', 'create', 'wang.li', '--role', 'district', '--password', 'a-long-password-1');
      const list = await admin(url, 'user', 'list');
      expect(list.stdout).toContain('wang.li');
      const s = new PostgresStore(url);
      try {
        expect((await s.identities.findUserByUsername('wang.li'))?.role).toBe('district');
      } finally {
        await s.close();
      }
      const backup = await admin(url, 'backup', '/tmp/never-written.sqlite').then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(backup.code).toBe(2);
      expect(backup.stderr).toMatch(/PostgreSQL/);
      expect(backup.stderr).toContain('pg_dump');
      expect(backup.stderr).not.toContain(server().password);
    } finally {
      await server().dropDatabase(url);
    }
  });
});
