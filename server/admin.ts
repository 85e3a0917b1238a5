/**
 * @module server/admin
 * `npm run admin -- …`: opens the data directory's database and runs one command of
 * {@link runAdmin} (see `server/admin/cli.ts` for the commands). Exits 2 on a refused command.
 */
import { userInfo } from 'node:os';
import { runAdmin } from './admin/cli.ts';
import { loadConfig } from './config.ts';
import { loadShippedData } from './data.ts';
import { prepareDataDir } from './data-dir.ts';
import { AreaTree } from './domain/areas.ts';
import { systemClock } from './ports.ts';
import { SqliteStore } from './stores/sqlite/sqlite.store.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const store = new SqliteStore(prepareDataDir(config.dataDir));
let code = 2;
try {
  await store.migrate();
  code = await runAdmin(process.argv.slice(2), {
    store,
    tree: new AreaTree(loadShippedData().areas),
    clock: systemClock,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    actor: `cli:${userInfo().username}`,
  });
} finally {
  await store.close();
}
process.exit(code);
