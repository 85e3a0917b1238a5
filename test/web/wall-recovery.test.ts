/**
 * The wall page's self-recovery (web/src/lib/state/wall-recovery.svelte.ts), driven with fake
 * timers and a fake page (document, frames, storage, fetch): a stalled render is reported and
 * reloads the page once the server answers; a report that cannot be sent is kept and sent at the
 * next start; a new server build reloads after the random pause, and never twice for one build;
 * a clock jump makes the live state resync.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WallReport } from '../../shared/index.ts';
import { WallRecovery, type Resyncable } from '../../web/src/lib/state/wall-recovery.svelte.ts';

class MemoryStorage {
  readonly m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, String(v));
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

interface Call {
  method: string;
  url: string;
  body: unknown;
}

describe(WallRecovery.name, () => {
  let calls: Call[];
  let serverUp: boolean;
  let framesStopped: boolean;
  let session: MemoryStorage;
  let local: MemoryStorage;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
    calls = [];
    serverUp = true;
    framesStopped = false;
    session = new MemoryStorage();
    local = new MemoryStorage();
    vi.stubGlobal('sessionStorage', session);
    vi.stubGlobal('localStorage', local);
    vi.stubGlobal('document', {
      visibilityState: 'visible',
      addEventListener() {},
      removeEventListener() {},
      querySelector: (q: string) => (q === 'meta[name="onescreen-build"]' ? { getAttribute: () => 'page-build-a' } : null),
    });
    // the frames: a page whose rendering stalls stops calling back
    vi.stubGlobal('requestAnimationFrame', (fn: FrameRequestCallback) => (framesStopped ? 0 : setTimeout(() => fn(performance.now()), 16)));
    vi.stubGlobal('cancelAnimationFrame', (id: ReturnType<typeof setTimeout>) => clearTimeout(id));
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      calls.push({ method: init?.method ?? 'GET', url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
      if (!serverUp) throw new TypeError('network error');
      if (url.startsWith('/api/health')) {
        return new Response(JSON.stringify({ status: 'ok', version: '0.1.0', simulatorOn: false, centreName: { zh: '中', en: 'C' }, rootAreaId: '310110', time: new Date().toISOString(), clockWarnAt: 0.75, timeZone: 'Asia/Shanghai', build: 'x' }), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      return new Response(JSON.stringify({ accepted: true, displayId: null }), { status: 202 });
    });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const live = (build: string | null = 'page-build-a'): Resyncable & { resyncs: number; serverBuild: string | null } => {
    const l = {
      serverBuild: build,
      resyncs: 0,
      resync() {
        l.resyncs++;
      },
    };
    return l;
  };
  const reports = () => calls.filter((c) => c.url === '/api/v1/wall/reports').map((c) => WallReport.parse(c.body));

  it('should report a stalled render, wait for the server, then reload once', async () => {
    let reloads = 0;
    const r = new WallRecovery(live(), () => reloads++);
    r.configure({ stallMs: 5000, graceMs: 1000 });
    r.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reloads).toBe(0); // frames come
    framesStopped = true;
    serverUp = false;
    await vi.advanceTimersByTimeAsync(6000);
    expect(r.status).toBe('reloading');
    // the server is down: the report is kept for the next start, and the page does not reload into an error page
    await vi.advanceTimersByTimeAsync(30_000);
    expect(reloads).toBe(0);
    expect(JSON.parse(local.getItem('onescreen.pendingReports')!)).toEqual([expect.objectContaining({ reason: 'stall', build: 'page-build-a', late: true })]);
    calls = [];
    serverUp = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reloads).toBe(1);
    expect(JSON.parse(session.getItem('onescreen.reloadGuard')!).times).toHaveLength(1);
    // what was kept goes out once the server answers again (tried every FLUSH_RETRY_MS), once
    expect(reports()).toEqual([expect.objectContaining({ reason: 'stall', late: true, detail: expect.objectContaining({ stallMs: expect.any(Number) }) })]);
    expect(local.getItem('onescreen.pendingReports')).toBeNull();
    r.stop();

    // a report still kept at the next start (the page went before a retry) is sent then
    local.setItem('onescreen.pendingReports', JSON.stringify([{ kind: 'reload', id: 'kept-report-1', reason: 'stall', build: 'page-build-a', at: new Date().toISOString(), late: true }]));
    calls = [];
    const next = new WallRecovery(live(), () => reloads++);
    next.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(reports()).toEqual([expect.objectContaining({ id: 'kept-report-1', reason: 'stall', late: true })]);
    expect(local.getItem('onescreen.pendingReports')).toBeNull();
    next.stop();
  });

  it('should not count a hidden page’s missing frames, nor the time before the grace is over', async () => {
    let reloads = 0;
    const r = new WallRecovery(live(), () => reloads++);
    r.configure({ stallMs: 5000, graceMs: 20_000 });
    framesStopped = true;
    r.start();
    await vi.advanceTimersByTimeAsync(19_000);
    expect(r.status).toBe('running');
    await vi.advanceTimersByTimeAsync(2000);
    expect(r.status).toBe('reloading');
    await vi.advanceTimersByTimeAsync(100);
    expect(reloads).toBe(1);
    r.stop();
  });

  it('should reload for a new server build after the random pause, and never again for that build', async () => {
    let reloads = 0;
    const l = live('server-build-b');
    const r = new WallRecovery(l, () => reloads++);
    r.configure({ reloadSpreadMs: 4000 });
    r.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.status).toBe('version-wait');
    await vi.advanceTimersByTimeAsync(4100);
    expect(reloads).toBe(1);
    expect(reports()).toEqual([expect.objectContaining({ reason: 'version', build: 'page-build-a' })]);
    r.stop();
    // the reload brought the same old page (a cache): it must not loop
    const again = new WallRecovery(live('server-build-b'), () => reloads++);
    again.configure({ reloadSpreadMs: 0 });
    again.start();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(reloads).toBe(1);
    expect(again.status).toBe('held');
    expect(again.heldWhy).toContain('same_version');
    again.stop();
  });

  it('should stay when the server goes back to the page’s build during the pause, and ignore dev builds', async () => {
    let reloads = 0;
    const l = live('server-build-b');
    const r = new WallRecovery(l, () => reloads++);
    r.configure({ reloadSpreadMs: 10_000 });
    r.start();
    await vi.advanceTimersByTimeAsync(1000);
    l.serverBuild = 'page-build-a';
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reloads).toBe(0);
    expect(r.status).toBe('running');
    l.serverBuild = 'dev';
    await vi.advanceTimersByTimeAsync(5000);
    expect(r.status).toBe('running');
    r.stop();
  });

  it('should make the live state resync after a clock jump or a wake-up, and not take the sleep for a stall', async () => {
    let reloads = 0;
    const l = live();
    const r = new WallRecovery(l, () => reloads++);
    r.configure({ stallMs: 5000, graceMs: 0 });
    r.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(l.resyncs).toBe(0);
    vi.setSystemTime(Date.now() + 3_600_000); // the clock set forward an hour (or the machine slept)
    await vi.advanceTimersByTimeAsync(1000);
    expect(l.resyncs).toBe(1);
    expect(r.lastJump).toMatchObject({ kind: 'forward' });
    vi.setSystemTime(Date.now() - 600_000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(l.resyncs).toBe(2);
    expect(r.lastJump).toMatchObject({ kind: 'backward' });
    expect(reloads).toBe(0);
    r.stop();
  });
});
