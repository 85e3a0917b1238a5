import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SocketRefusal } from '../../shared/index.ts';
import { keepConnected, refusalOf } from '../../web/src/lib/api/socket.ts';

describe(refusalOf.name, () => {
  it.each(SocketRefusal.options)('should read the server’s refusal %s', (why) => {
    expect(refusalOf(new Error(why))).toBe(why);
  });

  it.each(['websocket error', 'timeout', 'Unauthorized', ''])('should not take %j for a refusal by the server', (message) => {
    expect(refusalOf(new Error(message))).toBeNull();
  });
});

describe(keepConnected.name, () => {
  /** a socket that records connection attempts; the test says how each ends */
  function fakeSocket() {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers of several signatures
    type Handler = (...a: any[]) => void;
    const handlers = new Map<string, Handler[]>();
    const s = {
      connected: false,
      active: true,
      attempts: 0,
      connect() {
        s.attempts++;
      },
      on(event: string, fn: Handler) {
        handlers.set(event, [...(handlers.get(event) ?? []), fn]);
        return s;
      },
      emit(event: string, x?: unknown) {
        if (event === 'connect') s.connected = true;
        if (event === 'disconnect') s.connected = false;
        for (const fn of handlers.get(event) ?? []) fn(x);
      },
    };
    return s;
  }
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('should retry a lost connection after the back-off of each attempt, forever, and start over once connected', () => {
    const s = fakeSocket();
    const delays: number[] = [];
    keepConnected(s, (n) => {
      const d = Math.min(30_000, 1000 * 2 ** n);
      delays.push(d);
      return d;
    });
    s.emit('connect');
    s.emit('disconnect', 'transport close');
    vi.advanceTimersByTime(999);
    expect(s.attempts).toBe(0);
    vi.advanceTimersByTime(1);
    expect(s.attempts).toBe(1);
    // the server stays away for a long while: every failed attempt schedules the next
    for (let i = 0; i < 30; i++) {
      s.emit('connect_error', new Error('websocket error'));
      vi.advanceTimersByTime(30_000);
    }
    expect(s.attempts).toBe(31);
    expect(delays.slice(0, 7)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    s.emit('connect');
    s.emit('disconnect', 'ping timeout');
    expect(delays.at(-1)).toBe(1000);
  });

  it('should leave our own close, a close by the server and a refusal alone', () => {
    const s = fakeSocket();
    keepConnected(s, () => 10);
    s.emit('connect');
    s.emit('disconnect', 'io client disconnect');
    s.emit('disconnect', 'io server disconnect');
    vi.advanceTimersByTime(1000);
    expect(s.attempts).toBe(0);
    s.active = false; // refused by the server's middleware
    s.emit('connect_error', new Error('unauthorized'));
    vi.advanceTimersByTime(1000);
    expect(s.attempts).toBe(0);
  });

  it('should not connect a socket closed while an attempt was pending, and cancel on request', () => {
    const s = fakeSocket();
    const cancel = keepConnected(s, () => 100);
    s.emit('disconnect', 'transport close');
    s.active = false;
    vi.advanceTimersByTime(100);
    expect(s.attempts).toBe(0);
    s.active = true;
    s.emit('disconnect', 'transport close');
    cancel();
    vi.advanceTimersByTime(100);
    expect(s.attempts).toBe(0);
  });
});
