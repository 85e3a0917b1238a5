#!/usr/bin/env node
/**
 * `npm run release`: builds the wall and packs what a production machine needs into
 * `release/onescreen-<version>.tar.gz` (one top folder, `onescreen-<version>/`). There:
 *
 *   tar -xzf onescreen-<version>.tar.gz && cd onescreen-<version>
 *   npm ci --omit=dev        # no Vite, no test tools; better-sqlite3 builds from source if needed
 *   npm start                # serves the dist/web it came with
 *
 * Packed: package.json, package-lock.json, tsconfig.json (the server runs its TypeScript through
 * tsx with the same settings), server/, shared/, data/, dist/web/, scripts/start.mjs and the
 * module it uses, deploy/ when there is one, README.md, LICENSE. Not packed: web/ sources, tests,
 * bench, node_modules, var/ (the database stays where it is).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDuration, viteBin } from './lib/web-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const base = `${name}-${version}`;
const outDir = join(root, 'release');
const stage = join(outDir, base);
const tarball = join(outDir, `${base}.tar.gz`);

/** What a production machine needs, relative to the root; `optional` ones are packed when present. */
const FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'README.md',
  'LICENSE',
  'server',
  'shared',
  'data',
  'dist/web',
  'scripts/start.mjs',
  'scripts/lib/web-build.mjs',
];
const OPTIONAL = ['deploy'];

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

if (!existsSync(viteBin(root))) fail('Vite is not installed: run `npm install` first (a release is built from a clone with its dev dependencies).');

console.log(`release: building the wall (vite build; about 10–40 s)…`);
let t0 = performance.now();
const build = spawnSync(process.execPath, [viteBin(root), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) fail(`vite build failed (exit ${build.status ?? build.signal})`);
console.log(`release: built the wall in ${formatDuration(performance.now() - t0)}`);

t0 = performance.now();
rmSync(stage, { recursive: true, force: true });
rmSync(tarball, { force: true });
mkdirSync(stage, { recursive: true });
for (const rel of [...FILES, ...OPTIONAL]) {
  const from = join(root, rel);
  if (!existsSync(from)) {
    if (OPTIONAL.includes(rel)) continue;
    fail(`${rel} is missing`);
  }
  cpSync(from, join(stage, rel), { recursive: true, preserveTimestamps: true });
}

const tar = spawnSync('tar', ['-czf', tarball, '-C', outDir, base], { stdio: 'inherit' });
rmSync(stage, { recursive: true, force: true });
if (tar.status !== 0) fail(`tar failed (exit ${tar.status ?? tar.signal})`);

const bytes = readFileSync(tarball);
const sha256 = createHash('sha256').update(bytes).digest('hex');
console.log(`release: packed ${tarball} (${(statSync(tarball).size / 1_048_576).toFixed(1)} MiB) in ${formatDuration(performance.now() - t0)}`);
console.log(`release: sha256 ${sha256}`);
console.log(`release: on the server: tar -xzf ${base}.tar.gz && cd ${base} && npm ci --omit=dev && npm start (see README, "Releases and upgrades")`);
