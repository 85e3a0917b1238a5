/**
 * The soak's pure parts (bench/lib/soak-stats.ts) — when faults happen, heap growth after
 * warm-up, the wall-versus-snapshot comparison and the verdicts — and its cuttable loopback TCP
 * proxy (bench/lib/tcp-proxy.ts), against a local echo server.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithSnapshot, defaultInterval, faultSchedule, heapGrowth, verdicts, type SnapshotView, type WallView } from '../../bench/lib/soak-stats.ts';
import { startTcpProxy } from '../../bench/lib/tcp-proxy.ts';

const MIN = 60_000;

describe('soak fault schedule', () => {
  const base = { totalMs: 20 * MIN, warmupMs: 3 * MIN, tailMs: 3 * MIN, kinds: ['kill', 'cut', 'clock'] as const, durationMs: { kill: 5_000, cut: 60_000, clock: 60_000 }, settleMs: 30_000 };

  it('starts at the end of warm-up and takes the kinds in turn, one per interval', () => {
    const every = defaultInterval(base.totalMs, base.warmupMs, base.tailMs, 3, 2);
    expect(every).toBe(Math.floor((14 * MIN) / 6));
    const s = faultSchedule({ ...base, everyMs: every });
    expect(s.map((f) => f.kind)).toEqual(['kill', 'cut', 'clock', 'kill', 'cut', 'clock']);
    expect(s[0]!.atMs).toBe(3 * MIN);
    expect(s[1]!.atMs - s[0]!.atMs).toBe(every);
    expect(s[1]!.durationMs).toBe(60_000);
  });

  it('plans no fault that would reach into the tail or overrun its slot', () => {
    const s = faultSchedule({ ...base, everyMs: 4.5 * MIN });
    for (const f of s) expect(f.atMs + f.durationMs + base.settleMs).toBeLessThanOrEqual(base.totalMs - base.tailMs);
    // 3, 7.5, 12 min; the kill at 16.5 min and its 35 s would end in the tail (from 17 min)
    expect(s.map((f) => f.atMs / MIN)).toEqual([3, 7.5, 12]);
    expect(faultSchedule({ ...base, everyMs: 4 * MIN })).toHaveLength(4); // …at 16 min it fits
    expect(faultSchedule({ ...base, everyMs: 80_000 })).toEqual([{ kind: 'kill', atMs: 3 * MIN, durationMs: 5_000 }]); // a cut does not fit 80 s
    expect(faultSchedule({ ...base, everyMs: 0 })).toEqual([]);
    expect(faultSchedule({ ...base, kinds: [], everyMs: MIN })).toEqual([]);
  });
});

describe('soak heap growth', () => {
  const samples = (values: number[], stepMs = 30_000) => values.map((v, i) => ({ tMs: i * stepMs, usedBytes: v }));

  it('compares the median of the last samples with the median of the first after warm-up', () => {
    // warm-up (first 2 samples) grows fast and does not count; one spike at the end is outvoted
    const g = heapGrowth(samples([5, 8, 10, 10, 10, 10, 10, 10.2, 30, 10.4]), 60_000);
    expect(g.samples).toBe(8);
    expect(g.baselineBytes).toBe(10);
    expect(g.endBytes).toBe(10.4);
    expect(g.growthPct).toBeCloseTo(4, 6);
  });

  it('reports a steady leak as growth and as a positive trend per hour', () => {
    const g = heapGrowth(samples(Array.from({ length: 21 }, (_, i) => 100 + i)), 0);
    expect(g.baselineBytes).toBe(101);
    expect(g.endBytes).toBe(119);
    expect(g.growthPct).toBeCloseTo((18 / 101) * 100, 6);
    // 1 byte per 30 s = 120 bytes an hour, of a baseline of 101
    expect(g.slopePctPerHour).toBeCloseTo((120 / 101) * 100, 6);
  });

  it('says NaN when there are too few samples after warm-up', () => {
    expect(heapGrowth(samples([1, 2, 3]), 10 * MIN).growthPct).toBeNaN();
    expect(heapGrowth([], 0).growthPct).toBeNaN();
  });
});

describe('soak comparison of the wall with a fresh snapshot', () => {
  const snap: SnapshotView = {
    epoch: 'e1',
    seq: 42,
    events: [{ id: 'a', version: 3 }, { id: 'b', version: 1 }],
    openTotal: 2,
    alarms: [{ id: 'x', version: 2, state: 'raised' }],
    indicators: [{ areaId: '310110', indicatorId: 'pm25', value: 31, at: '2026-12-02T10:00:00.000Z' }],
  };
  const wall = (over: Partial<WallView> = {}): WallView => ({
    status: 'synced',
    epoch: 'e1',
    seq: 42,
    openEvents: [{ id: 'b', version: 1 }, { id: 'a', version: 3 }],
    openTotal: 2,
    recent: [{ id: 'a' }, { id: 'c' }],
    alarms: [{ id: 'x', version: 2 }],
    indicators: { '310110|pm25': { value: 31, at: '2026-12-02T10:00:00.000Z' } },
    ...over,
  });

  it('finds nothing when the wall holds what the server holds (order aside)', () => {
    expect(compareWithSnapshot(wall(), snap)).toEqual({ inStep: true, gaps: 0, duplicates: 0, details: [] });
  });

  it('compares a derived count by its value only (the server re-stamps it without sending it)', () => {
    const restamped: SnapshotView = { ...snap, indicators: [...snap.indicators, { areaId: '310110', indicatorId: 'open_events', value: 8, at: '2026-12-02T10:05:00.000Z' }], derived: new Set(['open_events']) };
    const held = wall({ indicators: { ...wall().indicators, '310110|open_events': { value: 8, at: '2026-12-02T10:01:00.000Z' } } });
    expect(compareWithSnapshot(held, restamped).gaps).toBe(0);
    const wrong = wall({ indicators: { ...wall().indicators, '310110|open_events': { value: 7, at: '2026-12-02T10:05:00.000Z' } } });
    expect(compareWithSnapshot(wrong, restamped).gaps).toBe(1);
    // a reading's time still counts
    const oldReading = wall({ indicators: { ...held.indicators, '310110|pm25': { value: 31, at: '2026-12-02T09:00:00.000Z' } } });
    expect(compareWithSnapshot(oldReading, restamped).gaps).toBe(1);
  });

  it('is not in step on another seq, another epoch or while resyncing', () => {
    expect(compareWithSnapshot(wall({ seq: 41 }), snap).inStep).toBe(false);
    expect(compareWithSnapshot(wall({ epoch: 'e0' }), snap).inStep).toBe(false);
    expect(compareWithSnapshot(wall({ status: 'resyncing' }), snap).inStep).toBe(false);
  });

  it('counts missing, older and extra cases and alarms, a wrong total and a wrong indicator as gaps', () => {
    const c = compareWithSnapshot(
      wall({
        openEvents: [{ id: 'a', version: 2 }, { id: 'z', version: 1 }],
        openTotal: 3,
        alarms: [{ id: 'y', version: 1 }],
        indicators: { '310110|pm25': { value: 30, at: '2026-12-02T09:55:00.000Z' } },
      }),
      snap,
    );
    // a at an older version, b missing, z extra, the total, x missing, y extra, pm25 differs
    expect(c.gaps).toBe(7);
    expect(c.details.join('\n')).toContain('open case b missing');
    expect(c.details.join('\n')).toContain('case z shown open, closed on the server');
    expect(c.details.join('\n')).toContain('indicator 310110|pm25');
  });

  it('does not call a case extra when the snapshot was cut off by its cap', () => {
    const capped = { ...snap, openTotal: 5 };
    const c = compareWithSnapshot(wall({ openEvents: [...wall().openEvents, { id: 'older', version: 1 }], openTotal: 5 }), capped);
    expect(c.gaps).toBe(0);
  });

  it('counts an id listed twice as a duplicate, in each list', () => {
    const c = compareWithSnapshot(wall({ openEvents: [{ id: 'a', version: 3 }, { id: 'b', version: 1 }, { id: 'a', version: 3 }], recent: [{ id: 'c' }, { id: 'c' }], alarms: [{ id: 'x', version: 2 }, { id: 'x', version: 2 }] }), snap);
    expect(c.duplicates).toBe(3);
    expect(c.gaps).toBe(0);
  });

  it('treats odd indicator keys as data, not as properties of an object', () => {
    const odd = { ...snap, indicators: [{ areaId: 'constructor', indicatorId: 'x', value: 1, at: null }] };
    expect(compareWithSnapshot(wall(), odd).gaps).toBe(1);
    expect(compareWithSnapshot(wall({ indicators: { 'constructor|x': { value: 1, at: null } } }), odd).gaps).toBe(0);
  });
});

describe('soak verdicts', () => {
  const ok = { gaps: 0, duplicates: 0, heapGrowthPct: 4.9, faultsNotRecovered: 0, manualActions: 0 };
  it('passes only when every figure meets its target', () => {
    expect(verdicts(ok).every((v) => v.ok)).toBe(true);
    expect(verdicts({ ...ok, gaps: 1 }).find((v) => v.name === 'gaps')!.ok).toBe(false);
    expect(verdicts({ ...ok, duplicates: 2 }).some((v) => !v.ok)).toBe(true);
    expect(verdicts({ ...ok, heapGrowthPct: 5.1 }).some((v) => !v.ok)).toBe(true);
    expect(verdicts({ ...ok, heapGrowthPct: NaN }).some((v) => !v.ok)).toBe(true);
    expect(verdicts({ ...ok, faultsNotRecovered: 1 }).some((v) => !v.ok)).toBe(true);
    expect(verdicts(ok).map((v) => v.target)).toContain('≤ 5 %');
  });
});

describe('soak TCP proxy', () => {
  let echo: Server;
  let echoPort = 0;
  const upstream = new Set<Socket>();
  beforeAll(async () => {
    echo = createServer((s) => {
      upstream.add(s);
      s.on('close', () => upstream.delete(s));
      s.on('error', () => {});
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    echoPort = (echo.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of upstream) s.destroy();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  /** a client that collects what it receives */
  async function client(port: number) {
    const s = connect({ port, host: '127.0.0.1' });
    let got = '';
    let closed = false;
    s.on('data', (b) => (got += b.toString()));
    s.on('close', () => (closed = true));
    s.on('error', () => {});
    await new Promise<void>((r) => s.once('connect', () => r()));
    return { s, got: () => got, closed: () => closed };
  }
  const until = async (cond: () => boolean, what: string) => {
    const deadline = Date.now() + 5000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('passes bytes both ways, holds them while cut (open and new connections), and lets them through on restore', async () => {
    const proxy = await startTcpProxy(echoPort);
    try {
      const a = await client(proxy.port);
      a.s.write('hello');
      await until(() => a.got() === 'hello', 'the echo');

      proxy.cut();
      a.s.write(' world');
      const b = await client(proxy.port); // the TCP accept happens; nothing answers
      b.s.write('late');
      // a write during the cut may take a moment to be refused: give it time to leak, then look
      await new Promise((r) => setTimeout(r, 200));
      expect(a.got()).toBe('hello');
      expect(b.got()).toBe('');
      expect(a.closed()).toBe(false);

      proxy.restore();
      await until(() => a.got() === 'hello world', 'the held bytes of the open connection');
      await until(() => b.got() === 'late', 'the held connection');
      expect(proxy.accepted).toBe(2);
      a.s.destroy();
      b.s.destroy();
    } finally {
      await proxy.close();
    }
  });

  it('passes a close on at once, but one during a cut only on restore', async () => {
    const proxy = await startTcpProxy(echoPort);
    try {
      const a = await client(proxy.port);
      a.s.write('x');
      await until(() => a.got() === 'x' && upstream.size > 0, 'the echo');
      proxy.cut();
      for (const s of upstream) s.destroy(); // the server goes away during the cut
      await new Promise((r) => setTimeout(r, 200));
      expect(a.closed()).toBe(false);
      proxy.restore();
      await until(() => a.closed(), 'the close after restore');
    } finally {
      await proxy.close();
    }
  });

  it('resets a connection when nothing listens upstream (the server is down)', async () => {
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
    const deadPort = (free.address() as { port: number }).port;
    await new Promise<void>((r) => free.close(() => r()));
    const proxy = await startTcpProxy(deadPort);
    try {
      const a = await client(proxy.port);
      await until(() => a.closed(), 'the reset');
    } finally {
      await proxy.close();
    }
  });
});
