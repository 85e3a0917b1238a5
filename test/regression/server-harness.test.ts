/**
 * The PostgreSQL and Redis test harnesses clean up after a test process that dies without its
 * afterAll (a worker killed on a timeout, a crash): the server ends and its temporary directory
 * goes (test/helpers/watchdog.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const HARNESSES = [
  { name: 'PostgreSQL', start: `import { startPostgres } from './test/helpers/postgres.ts'; const s = await startPostgres();`, prefix: 'onescreen-pg-' },
  { name: 'Redis', start: `import { startRedis } from './test/helpers/redis.ts'; const s = await startRedis();`, prefix: 'onescreen-redis-' },
];

describe.each(HARNESSES)('the $name test harness', ({ start, prefix }) => {
  it('ends the server and removes its directory when the test process is killed', async () => {
    const script = `${start}
      console.log(JSON.stringify({ pid: s.pid, dir: 'dir' in s ? s.dir : null }));
      setInterval(() => {}, 1000);`;
    let pid = 0;
    let dir = '';
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`the child exited (${code}) before starting its server`)));
      });
      const started = JSON.parse(line) as { pid: number; dir: string | null };
      pid = started.pid;
      if (started.dir) dir = started.dir; // Redis rewrites its command line: the harness says
      else {
        // PostgreSQL's data directory (-D) lies inside the harness's directory
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\u0000');
        dir = dirname(args[args.indexOf('-D') + 1]!);
      }
      expect(existsSync(dir)).toBe(true);
      child.kill('SIGKILL'); // no afterAll, no 'exit' handler: only the watchdog is left
      await until('the server ended', () => !alive(pid));
      await until('its directory removed', () => !existsSync(dir));
    } finally {
      child.kill('SIGKILL');
      // when the harness failed: what it should have done, so the failure leaks nothing
      if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
      if (dir.includes(prefix)) rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
