/**
 * @module bench/profile
 * Where profiled servers spent their CPU, by cost category (bench/lib/profile.ts):
 * `npm run bench -- profile <dir or .cpuprofile files…>` for profiles on disk, and the end of a
 * `BENCH_PROFILE=<dir> npm run bench -- clients` run, which profiles each step of each target.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { costBreakdown, type CpuProfile } from './lib/profile.ts';
import { table } from './lib/stats.ts';

const read = (files: readonly string[]) => files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as CpuProfile);

/** the breakdown of some profiles, as a titled table */
export function breakdownTable(title: string, files: readonly string[]): string {
  const b = costBreakdown(read(files));
  return [
    `── ${title}: ${files.length} profile(s), ${(b.totalMs / 1000).toFixed(1)} s, main thread busy ${(b.busyMs / 1000).toFixed(1)} s (${((100 * b.busyMs) / Math.max(1, b.totalMs)).toFixed(0)} %)`,
    table(['cost', 'busy ms', 'share of busy'], b.rows.map((r) => [r.category, r.ms.toFixed(0), `${(100 * r.share).toFixed(1)} %`])),
  ].join('\n');
}

/** the end of a profiled clients run: one table per target and step */
export function printProfiles(byStep: ReadonlyMap<string, string[]>): void {
  for (const [step, files] of byStep) console.log(`\n${breakdownTable(`CPU profile, ${step}`, files)}`);
}

export function run(args: readonly string[]): void {
  const files = args.flatMap((a) => (statSync(a).isDirectory() ? readdirSync(a).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(a, f)) : [a]));
  if (files.length === 0) {
    console.error('usage: npm run bench -- profile <dir or .cpuprofile files…> (no .cpuprofile found)');
    process.exit(2);
  }
  console.log(breakdownTable(args.join(' '), files));
}
