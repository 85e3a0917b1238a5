/**
 * The many-client benchmark end to end, small: real OneScreen and relay processes, street officers
 * signed in over HTTP, walls in two client processes. It must deliver every accepted event to every
 * wall of its street, without a seq gap, on both targets — whatever the figures (no timed
 * assertion). Keeps the benchmark working while the delta shape and the server change.
 * With BENCH_NODES=2 and no URLs it runs two nodes on a private PostgreSQL and Redis (fails with
 * lost deliveries if a node does not join the cluster).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runBench(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest.bench.ts', 'clients'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('npm run bench -- clients', () => {
  it('streams every accepted event to every wall of its street, on OneScreen and on the relay', { timeout: 180_000 }, async () => {
    const r = await runBench({ BENCH_CLIENTS: '36', BENCH_SATURATED_CLIENTS: '24', BENCH_SECONDS: '1', BENCH_EVENT_RATE: '300', BENCH_CLIENT_PROCS: '2', BENCH_WORKERS: '2' });
    expect(r.code, r.err.slice(-2000)).toBe(0);
    // both targets in both steps; 3 walls a street share one street officer session
    expect(r.out).toMatch(/36 walls over 12 street rooms/);
    expect(r.out.match(/^relay\s+36\s+300\s/gm)).toHaveLength(1);
    expect(r.out.match(/^onescreen\s+36\s+300\s/gm)).toHaveLength(1);
    expect(r.out.match(/^onescreen\s+24\s+max\s/gm)).toHaveLength(1);
    expect(r.out).toMatch(/1 session\(s\) per street/);
    const total = /rejected events: (\d+), HTTP errors: (\d+), lost deliveries: (\d+), seq gaps: (\d+)/.exec(r.out);
    expect(total, r.out).not.toBeNull();
    expect(total!.slice(1).map(Number)).toEqual([0, 0, 0, 0]);
    // no anomaly line other than the machine's own (contention, saturation, busy clients)
    const anomalies = r.out.split('\n').filter((l) => l.trim().startsWith('!') && !/contention|saturated|client process used/.test(l));
    expect(anomalies).toEqual([]);
  });

  it('runs two nodes on a PostgreSQL and a Redis of its own, streams across them, and stops both servers at the end', { timeout: 240_000 }, async () => {
    const r = await runBench({
      BENCH_NODES: '2', DATABASE_URL: '', REDIS_URL: '', BENCH_TARGETS: 'onescreen', BENCH_STEPS: 'fixed',
      BENCH_CLIENTS: '24', BENCH_SECONDS: '1', BENCH_EVENT_RATE: '200', BENCH_CLIENT_PROCS: '1', BENCH_WORKERS: '2',
    });
    expect(r.code, r.err.slice(-2000)).toBe(0);
    const m = /2 node\(s\) sharing a private PostgreSQL \(pid (\d+), port \d+\) and a private Redis \(pid (\d+), port \d+\)/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    expect(r.out.match(/^targets: onescreen http:\/\/127\.0\.0\.1:\d+ \(pid \d+\), http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/gm)).toHaveLength(1);
    expect(r.out.match(/^onescreen\s+24\s+200\s/gm)).toHaveLength(1);
    // batches go to both nodes and walls sit on both: nothing lost means each node's walls got the other's commits
    const total = /rejected events: (\d+), HTTP errors: (\d+), lost deliveries: (\d+), seq gaps: (\d+)/.exec(r.out);
    expect(total, r.out).not.toBeNull();
    expect(total!.slice(1).map(Number)).toEqual([0, 0, 0, 0]);
    const anomalies = r.out.split('\n').filter((l) => l.trim().startsWith('!') && !/contention|saturated|client process used/.test(l));
    expect(anomalies).toEqual([]);
    // the private servers are gone
    for (const pid of [Number(m![1]), Number(m![2])]) expect(() => process.kill(pid, 0), `pid ${pid} still runs`).toThrow();
  });
});
