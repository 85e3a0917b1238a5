/**
 * @module server/data-dir
 * The data directory holds the database (sessions, the audit trail, citizens' reports) and the
 * first admin's password: only the service's own user may enter it. It is created `0700`, and
 * a directory from an older install is tightened to that on start.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const DATABASE_FILE = 'onescreen.sqlite';

/** Create (or tighten) the data directory; returns the database's path inside it. */
export function prepareDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  // only a directory this process owns is ours to tighten (a shared mount point is not)
  if ((st.mode & 0o077) !== 0 && (typeof process.getuid !== 'function' || st.uid === process.getuid())) chmodSync(dir, 0o700);
  return join(dir, DATABASE_FILE);
}
