import { describe, expect, it } from 'vitest';
import { bannerText, connectionBanner, staleReasonText } from '../../web/src/lib/utils/connection-banner.ts';
import {
  fetchedAge,
  ageText,
  indicatorAge,
  newestAge,
  STALE_REASONS,
  STREAM_GRACE_MS,
  streamAge,
  streamHealth,
  streamStale,
  updatedAtAttr,
  valueAge,
  type StreamHealth,
} from '../../web/src/lib/utils/data-age.ts';

const NOW = Date.parse('2026-11-22T10:30:00+08:00');
const LIVE: StreamHealth = { live: true, lostAt: 0, reason: null };
const lost = (ago: number, reason: StreamHealth['reason'] = 'connection_lost'): StreamHealth => ({ live: false, lostAt: NOW - ago, reason });

describe(streamHealth.name, () => {
  it.each([
    ['connected', true, null, { live: true, reason: null }],
    ['connected', false, null, { live: false, reason: 'resyncing' }],
    ['reconnecting', false, 'network', { live: false, reason: 'connection_lost' }],
    ['offline', false, 'network', { live: false, reason: 'connection_lost' }],
    ['reconnecting', false, 'server', { live: false, reason: 'server_restarting' }],
    ['connecting', false, null, { live: false, reason: 'connection_lost' }],
  ] as const)('should read %s (synced %s, lost by %s)', (connection, synced, lostBy, expected) => {
    expect(streamHealth({ connection, synced, lostAt: NOW, lostBy })).toMatchObject(expected);
  });
});

describe(streamStale.name, () => {
  it('should not grey the wall for a blip shorter than the grace', () => {
    expect(streamStale(lost(STREAM_GRACE_MS - 1), NOW)).toBeNull();
    expect(streamStale(lost(STREAM_GRACE_MS + 1), NOW)).toBe('connection_lost');
    expect(streamStale(lost(60_000, 'server_restarting'), NOW)).toBe('server_restarting');
  });
  it('should say nothing while live or before the stream was ever up', () => {
    expect(streamStale(LIVE, NOW)).toBeNull();
    expect(streamStale({ live: false, lostAt: 0, reason: 'connection_lost' }, NOW)).toBeNull();
  });
});

describe(streamAge.name, () => {
  it('should be now while live', () => {
    expect(streamAge(LIVE, NOW)).toEqual({ updatedAt: NOW, stale: null });
  });
  it('should stay at the moment the stream was lost, and go stale after the grace', () => {
    expect(streamAge(lost(2000), NOW)).toEqual({ updatedAt: NOW - 2000, stale: null });
    expect(streamAge(lost(20_000), NOW)).toEqual({ updatedAt: NOW - 20_000, stale: 'connection_lost' });
  });
  it('should have no time before any data came', () => {
    expect(streamAge(LIVE, NOW, false).updatedAt).toBe(0);
  });
});

describe(valueAge.name, () => {
  const at = (ago: number) => new Date(NOW - ago).toISOString();
  it('should be as of its reading, fresh within its window', () => {
    expect(valueAge(at(60_000), 600, LIVE, NOW)).toEqual({ updatedAt: NOW - 60_000, stale: null });
  });
  it('should be stale past its window: the source is silent', () => {
    expect(valueAge(at(601_000), 600, LIVE, NOW).stale).toBe('source_silent');
    expect(valueAge(at(600_000), 600, LIVE, NOW).stale).toBeNull();
  });
  it("should name the stream's reason first", () => {
    expect(valueAge(at(601_000), 600, lost(30_000), NOW).stale).toBe('connection_lost');
  });
  it('should have no time without a value', () => {
    expect(valueAge(undefined, 600, LIVE, NOW)).toEqual({ updatedAt: 0, stale: null });
    expect(valueAge('not a time', 600, LIVE, NOW)).toEqual({ updatedAt: 0, stale: null });
  });
});

describe(indicatorAge.name, () => {
  const reading = { source: 'readings', staleAfterSec: 600 };
  const derived = { source: 'derived', staleAfterSec: 600 };
  const at = (ago: number) => new Date(NOW - ago).toISOString();
  it('should age a reading by its time, and a derived count with the stream (it is current while the stream is live)', () => {
    expect(indicatorAge(reading, at(601_000), LIVE, NOW)).toEqual({ updatedAt: NOW - 601_000, stale: 'source_silent' });
    expect(indicatorAge(derived, at(6 * 3_600_000), LIVE, NOW)).toEqual({ updatedAt: NOW, stale: null });
  });
  it('should age a derived count from the moment the stream was lost, and say why', () => {
    expect(indicatorAge(derived, at(60_000), lost(30_000), NOW)).toEqual({ updatedAt: NOW - 30_000, stale: 'connection_lost' });
  });
  it('should give no time to a derived indicator with no value yet', () => {
    expect(indicatorAge(derived, undefined, LIVE, NOW).updatedAt).toBe(0);
  });
});

describe(newestAge.name, () => {
  it('should take the newest time, and be stale only when every value with data is', () => {
    expect(newestAge([{ updatedAt: 5, stale: 'source_silent' }, { updatedAt: 3, stale: null }, { updatedAt: 0, stale: null }])).toEqual({ updatedAt: 5, stale: null });
    expect(newestAge([{ updatedAt: 5, stale: 'source_silent' }, { updatedAt: 3, stale: 'source_silent' }])).toEqual({ updatedAt: 5, stale: 'source_silent' });
    expect(newestAge([])).toEqual({ updatedAt: 0, stale: null });
  });
});

describe(fetchedAge.name, () => {
  it('should be as of the last good answer, stale past its window or after a failure', () => {
    expect(fetchedAge(NOW - 10_000, 60_000, false, LIVE, NOW)).toEqual({ updatedAt: NOW - 10_000, stale: null });
    expect(fetchedAge(NOW - 61_000, 60_000, false, LIVE, NOW).stale).toBe('not_updating');
    // the last good answer is kept through an error until it is too old
    expect(fetchedAge(NOW - 10_000, 60_000, true, LIVE, NOW).stale).toBeNull();
    expect(fetchedAge(0, 60_000, false, LIVE, NOW)).toEqual({ updatedAt: 0, stale: null });
    expect(fetchedAge(0, 60_000, true, LIVE, NOW).stale).toBe('not_updating');
    expect(fetchedAge(NOW - 10_000, 60_000, false, lost(30_000, 'server_restarting'), NOW).stale).toBe('server_restarting');
  });
});

describe(ageText.name, () => {
  it('should write the age in the wall\'s language, or nothing without data', () => {
    expect(ageText({ updatedAt: NOW - 12_000, stale: null }, NOW, 'zh')).toBe('12秒前');
    expect(ageText({ updatedAt: NOW - 3 * 60_000, stale: null }, NOW, 'en')).toBe('3 min ago');
    expect(ageText({ updatedAt: 0, stale: null }, NOW, 'en')).toBe('');
    expect(ageText({ updatedAt: NOW - 500, stale: null }, NOW, 'zh')).toBe('实时');
  });
});

describe(updatedAtAttr.name, () => {
  it('should write an ISO time, or nothing without data', () => {
    expect(updatedAtAttr({ updatedAt: NOW, stale: null })).toBe(new Date(NOW).toISOString());
    expect(updatedAtAttr({ updatedAt: 0, stale: null })).toBeUndefined();
  });
});

describe(connectionBanner.name, () => {
  const base = { connection: 'reconnecting' as const, synced: false, downSince: NOW - 10_000, lostBy: 'network' as const, nextAttemptAt: NOW + 4000 };
  it('should say nothing while live, before the stream was ever up, or for a blip', () => {
    expect(connectionBanner({ ...base, connection: 'connected', synced: true }, NOW)).toBeNull();
    expect(connectionBanner({ ...base, downSince: 0 }, NOW)).toBeNull();
    expect(connectionBanner({ ...base, downSince: NOW - STREAM_GRACE_MS + 1 }, NOW)).toBeNull();
  });
  it.each([
    [{}, 'reconnecting'],
    [{ connection: 'offline' as const }, 'offline'],
    [{ lostBy: 'server' as const }, 'restarting'],
    [{ connection: 'offline' as const, lostBy: 'server' as const }, 'restarting'],
    [{ connection: 'connected' as const }, 'resyncing'],
  ])('should read %o as %s', (over, kind) => {
    const b = connectionBanner({ ...base, ...over }, NOW);
    expect(b?.kind).toBe(kind);
    expect(b?.since).toBe(NOW - 10_000);
  });
  it('should say since when and when the next attempt is, in both languages', () => {
    const b = connectionBanner(base, NOW)!;
    expect(bannerText(b, '10:29:50', NOW, 'zh')).toEqual({ headline: '与服务器的连接中断，正在重连', detail: '自 10:29:50 起 · 约 4 秒后重试' });
    expect(bannerText(b, '10:29:50', NOW, 'en').detail).toBe('since 10:29:50 · next attempt in about 4 s');
    expect(bannerText({ ...b, nextAttemptAt: 0 }, '10:29:50', NOW, 'en').detail).toBe('since 10:29:50 · trying now');
    expect(bannerText({ ...b, kind: 'resyncing' }, '10:29:50', NOW, 'en').detail).toBe('since 10:29:50');
  });
});

describe(staleReasonText.name, () => {
  it('should name every reason in both languages', () => {
    for (const r of STALE_REASONS) {
      expect(staleReasonText(r, 'zh')).toMatch(/\S/);
      expect(staleReasonText(r, 'en')).toMatch(/^[a-z ]+$/);
    }
    expect(staleReasonText('connection_lost', 'zh')).toBe('连接中断');
  });
});
