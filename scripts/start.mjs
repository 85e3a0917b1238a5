#!/usr/bin/env node
/**
 * `npm start`: builds the wall if dist/web is missing or older than its sources (saying so, and
 * how long it took), then runs the server (with the simulator unless SIMULATOR=off) in this same
 * process. A production install of a release (`npm ci --omit=dev`: no Vite, no web/ sources)
 * serves the dist/web it came with; without one it says what to do. See scripts/lib/web-build.mjs.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatDuration, planWebBuild, viteBin, webState } from './lib/web-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const plan = planWebBuild(webState(root));
if (plan.action === 'fail') {
  console.error(`onescreen: cannot start.\n${plan.message}`);
  process.exit(1);
}
if (plan.action === 'serve-stale') console.warn(`onescreen: ${plan.warning}`);
if (plan.action === 'build') {
  const why = plan.reason === 'missing' ? 'not built yet' : 'its sources changed';
  console.log(`onescreen: building the wall (vite build, ${why}); this takes about 10–40 s, once…`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [viteBin(root), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`onescreen: building the wall failed after ${formatDuration(performance.now() - t0)} (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
  console.log(`onescreen: built the wall in ${formatDuration(performance.now() - t0)} (dist/web).`);
}

// In a terminal, one access-log line per request (the simulator posts every few seconds) would
// bury what the server says; a service (systemd, a release run with the variable set) keeps them.
if (process.env.ACCESS_LOG === undefined && process.stdout.isTTY) process.env.ACCESS_LOG = 'off';

const { register } = await import('tsx/esm/api');
register();
await import('../server/main.ts');
