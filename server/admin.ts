/**
 * @module server/admin
 * Administration from the command line:
 *   npm run admin -- key create <name>     prints the new ingest key on its last line
 *   npm run admin -- key list
 *   npm run admin -- key revoke <id|name>
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { createIngestKey } from './middleware/ingest-auth.ts';
import { SqliteStore } from './stores/sqlite/sqlite.store.ts';

const USAGE = `usage:
  npm run admin -- key create <name>
  npm run admin -- key list
  npm run admin -- key revoke <id|name>`;

function fail(msg: string): never {
  console.error(msg);
  process.exit(2);
}

const [noun, verb, arg] = process.argv.slice(2);
const config = loadConfig();
mkdirSync(config.dataDir, { recursive: true });
const store = new SqliteStore(join(config.dataDir, 'onescreen.sqlite'));
await store.migrate();
try {
  if (noun === 'key' && verb === 'create') {
    if (!arg || !/^[\w.-]{1,64}$/.test(arg)) fail('key create needs a name of 1–64 letters, digits, _ . -\n' + USAGE);
    const { id, key } = await createIngestKey(store, arg, { now: Date.now() });
    console.log(`created ingest key "${arg}" (id ${id}); it is shown only now, keep it safe:`);
    console.log(key);
  } else if (noun === 'key' && verb === 'list') {
    for (const k of await store.listIngestKeys()) {
      const state = k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active';
      console.log(`${k.id}  ${k.name.padEnd(20)} ${new Date(k.createdAt).toISOString()}  ${state}${k.simulated ? '  (simulator)' : ''}`);
    }
  } else if (noun === 'key' && verb === 'revoke') {
    if (!arg) fail(USAGE);
    const n = await store.revokeIngestKey(arg, Date.now());
    if (n === 0) fail(`no active key with id or name ${arg}`);
    console.log(`revoked ${n} key(s)`);
  } else {
    fail(USAGE);
  }
} finally {
  await store.close();
}
