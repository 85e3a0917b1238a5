/**
 * @module server/stores/sqlite/connection
 * The one better-sqlite3 handle the repositories share, with a cache of prepared statements.
 */
import type Database from 'better-sqlite3';

export class SqliteConnection {
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  /** a prepared statement, compiled once per SQL text */
  prep(sql: string): Database.Statement {
    let st = this.stmts.get(sql);
    if (!st) this.stmts.set(sql, (st = this.db.prepare(sql)));
    return st;
  }
}

