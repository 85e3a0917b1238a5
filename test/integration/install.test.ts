/**
 * The server as an administrator starts it (`node --import tsx server/main.ts`, a child process):
 * what it creates on disk, and with which permissions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const mode = (p: string) => statSync(p).mode & 0o777;

/** starts the server on a free port; resolves once it prints its address */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', SIMULATOR: 'off', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /OneScreen wall:\s+(http:\/\/\S+?)\/\s/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
  return { child, url, output: () => out };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('the data directory', { timeout: 60_000 }, () => {
  const started: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const c of started.splice(0)) await stop(c);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('should be created 0700 with every file in it 0600 on a first start', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'onescreen-install-'));
    dirs.push(parent);
    const dataDir = join(parent, 'var');
    const s = await startServer(dataDir);
    started.push(s.child);
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200);
    expect(mode(dataDir)).toBe(0o700);
    const files = readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(['onescreen.sqlite', 'onescreen.sqlite-wal', 'onescreen.sqlite-shm', 'initial-admin-password.txt']));
    for (const f of files) expect(`${f} ${mode(join(dataDir, f)).toString(8)}`).toBe(`${f} 600`);
  });

  it('should tighten a data directory left world-readable by an older install', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'onescreen-install-'));
    dirs.push(parent);
    const dataDir = join(parent, 'var');
    const first = await startServer(dataDir);
    await stop(first.child);
    chmodSync(dataDir, 0o755);
    for (const f of readdirSync(dataDir)) chmodSync(join(dataDir, f), 0o644);
    const again = await startServer(dataDir);
    started.push(again.child);
    expect(mode(dataDir)).toBe(0o700);
    for (const f of ['onescreen.sqlite', 'onescreen.sqlite-wal', 'onescreen.sqlite-shm']) {
      if (existsSync(join(dataDir, f))) expect(`${f} ${mode(join(dataDir, f)).toString(8)}`).toBe(`${f} 600`);
    }
  });
});
