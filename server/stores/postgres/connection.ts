/**
 * @module server/stores/postgres/connection
 * The one `pg.Pool` the repositories share: queries, and transactions on one pooled client
 * (`BEGIN … COMMIT`, `ROLLBACK` on error, the client always released). Times are stored as epoch
 * milliseconds in `bigint` columns and come back as JS numbers (the pool's own type parsers, not the
 * process-wide ones), so no value is ever shifted by a time zone.
 */
import pg from 'pg';
import { StoreUnavailableError } from '../../errors.ts';

/** int8 (bigint: epoch ms, counts) and numeric (sums of integers) as JS numbers */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

function parseInt8(v: string): number {
  const n = Number(v);
  // epoch ms and counts stay far below 2^53; a larger value would be silently rounded
  if (!Number.isSafeInteger(n)) throw new RangeError(`a bigint of the database (${v}) does not fit a JS number`);
  return n;
}

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return parseInt8;
    if (oid === NUMERIC_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** what a repository queries through inside a transaction (one pooled client) */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** a lone UTF-16 surrogate (JSON.parse of "\\ud800" makes one): not encodable in UTF-8 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A string as the database stores it: U+0000 and lone surrogates as U+FFFD. The driver sends
 * UTF-8, which turns a lone surrogate into U+FFFD anyway; doing it here too keeps the strings the
 * store compares in JS (a batch's keys) equal to the ones it reads back.
 */
export function wellFormed(v: string): string {
  let out = v.includes('\u0000') ? v.replaceAll('\u0000', '\uFFFD') : v;
  if (/[\uD800-\uDFFF]/.test(out)) out = out.replace(LONE_SURROGATE, '\uFFFD');
  return out;
}

/**
 * PostgreSQL's text cannot hold U+0000 (SQLite's can): a NUL in any string written (a report's
 * title, a username tried at sign-in, which the audit trail records) is stored as U+FFFD instead of
 * failing the whole write
 */
export function textParam(v: unknown): unknown {
  if (typeof v === 'string') return wellFormed(v);
  if (Array.isArray(v)) return v.map(textParam);
  return v;
}
const params = (p: unknown[]) => p.map(textParam);

/** JSON for a `jsonb` column, with the same treatment of U+0000 (jsonb refuses `\u0000`) */
export function jsonParam(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? wellFormed(x) : x));
}

/** how long a query waits for a pooled connection before it fails (ms) */
export const CONNECTION_TIMEOUT_MS = 10_000;

/** an error of the connection itself (not of the statement): the client must not be reused */
const isConnectionError = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string };
  return (e.code !== undefined && /^(08|57P0)/.test(e.code)) || /Connection terminated|ECONNRESET|EPIPE/.test(e.message ?? '');
};

/** SQLSTATEs a transaction is simply tried again on: a deadlock, a serialization failure */
const RETRYABLE = new Set(['40P01', '40001']);

export class PgConnection {
  readonly pool: pg.Pool;

  constructor(connectionString: string, opts: { max?: number; connectionTimeoutMs?: number } = {}) {
    this.pool = new pg.Pool({
      connectionString,
      max: opts.max ?? 10,
      // a request waiting for a connection (all in use, or the database unreachable) gives up
      // instead of hanging: the caller answers 503 and the source retries
      connectionTimeoutMillis: opts.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      types: typeParsers,
      // a statement never hangs a request forever
      statement_timeout: 60_000,
      application_name: 'onescreen',
    });
    // an idle client losing its connection (the server restarted) must not crash the process:
    // the pool drops it and the next query opens a new one
    this.pool.on('error', () => {});
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    const client = await this.#connect();
    let broken: Error | undefined;
    const onError = (e: Error) => (broken ??= e);
    client.on('error', onError);
    try {
      return await client.query<R>(text, params(values));
    } catch (err) {
      broken ??= isConnectionError(err) ? (err as Error) : undefined;
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /** a pooled client, or {@link StoreUnavailableError} when none comes in time */
  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw new StoreUnavailableError(err);
    }
  }

  async rows<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.query<R>(text, values)).rows;
  }

  async one<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R | null> {
    return (await this.query<R>(text, values)).rows[0] ?? null;
  }

  /**
   * Run `fn` in one transaction on one pooled client: committed when it resolves, rolled back
   * when it throws. A deadlock or serialization failure (another node's transaction crossed this
   * one) runs it again, a few times.
   */
  async tx<T>(fn: (c: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#connect();
      let broken: Error | undefined;
      const onError = (e: Error) => (broken ??= e);
      // a checked-out client has no 'error' listener (the pool's own is back only once it is idle):
      // a connection lost between two statements (a failover, a terminated backend) would be an
      // uncaught exception ending the process. Here it makes the statement fail and the client
      // is released as broken
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const out = await fn({ query: <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => client.query<R>(text, params(values)) });
        await client.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (e) {
          // the connection itself failed: do not give it back to the pool
          broken = e as Error;
        }
        if (attempt < 5 && RETRYABLE.has((err as { code?: string }).code ?? '')) continue;
        throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    }
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * SQL with named parameters (`@name`) as PostgreSQL's numbered ones, passing only the values the
 * text uses (PostgreSQL refuses a parameter it cannot type because no statement uses it).
 */
export function named(text: string, values: Record<string, unknown>): [string, unknown[]] {
  const order: string[] = [];
  const sql = text.replace(/@([A-Za-z_]\w*)/g, (_, name: string) => {
    if (!Object.hasOwn(values, name)) throw new Error(`no value for @${name}`);
    let i = order.indexOf(name);
    if (i < 0) i = order.push(name) - 1;
    return `$${i + 1}`;
  });
  return [sql, order.map((n) => values[n])];
}
