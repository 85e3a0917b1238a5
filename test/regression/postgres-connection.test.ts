/**
 * The PostgreSQL store's pool when the database goes away under a transaction (a failover, an
 * administrator's pg_terminate_backend, a restart): the transaction fails with an error, the node
 * keeps running, and its next queries get a fresh connection. Before the fix, the checked-out
 * client's 'error' event had no listener, so the lost connection crashed the whole process.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../server/errors.ts';
import { PostgresStore } from '../../server/stores/postgres/postgres.store.ts';
import { usePostgres } from '../helpers/postgres.ts';

const server = usePostgres();
const opened: PostgresStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

async function terminate(url: string, pid: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await c.end();
  }
}

describe('postgres: a connection lost inside a transaction', () => {
  it('fails that transaction only: no uncaught error, the pool goes on with a new connection', async () => {
    const url = await server().createDatabase();
    const store = new PostgresStore(url, { poolSize: 1 });
    opened.push(store);
    await store.migrate();
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    // vitest reports an uncaught exception as a failed run; recorded here too, to say which
    process.on('uncaughtException', onUncaught);
    try {
      const failed = store.db.tx(async (c) => {
        const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        await terminate(url, pid);
        // the server closed this session: the statement (sent before or after the socket ends) fails
        await c.query('SELECT 1');
        return 'committed';
      });
      await expect(failed).rejects.toThrow(/terminat|connection/i);
      // the pool (one connection) is usable again: the dead client was not handed back
      expect((await store.db.one<{ n: number }>('SELECT 1::int8 AS n'))!.n).toBe(1);
      await store.audit.appendAudit({ at: 1, actor: 'a', actorKind: 'user', action: 'login', target: 't', outcome: 'ok', ip: '-', detail: '' });
      expect(await store.audit.listAudit({ limit: 5 })).toHaveLength(1);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
  });
});

describe('postgres: no connection free in time', () => {
  it('fails the query with StoreUnavailableError instead of waiting forever, and recovers when one is free', async () => {
    const url = await server().createDatabase();
    const store = new PostgresStore(url, { poolSize: 1, connectionTimeoutMs: 2000 });
    opened.push(store);
    await store.migrate();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    // the only connection is held by a transaction until the gate opens
    const holder = store.db.tx(async (c) => {
      await c.query('SELECT 1');
      inside();
      await gate;
      return 'done';
    });
    await entered;
    const err = await store.db.query('SELECT 1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect((err as Error).message).toMatch(/unavailable/);
    release();
    await expect(holder).resolves.toBe('done');
    expect((await store.db.one<{ n: number }>('SELECT 2::int8 AS n'))!.n).toBe(2);
  });

  it('keeps the connection after an error of the statement (only a broken connection is dropped)', async () => {
    const url = await server().createDatabase();
    const store = new PostgresStore(url, { poolSize: 1 });
    opened.push(store);
    await store.migrate();
    const pid = async () => (await store.db.one<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid;
    const before = await pid();
    await expect(store.db.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
    expect(await pid()).toBe(before);
  });
});
