/**
 * The outbox in SQLite: one delivery per (channel, notice key), claims that two rounds never
 * share, retries only of failed deliveries, pruning that never drops a pending one, and a log
 * that outlives its channel.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChannelRecord } from '../../server/domain/notify.ts';
import type { NewDelivery } from '../../server/ports.ts';
import { SqliteStore } from '../../server/stores/sqlite/sqlite.store.ts';

const T0 = Date.UTC(2026, 10, 22);
const channel = (id: string): ChannelRecord => ({
  id, name: `ch ${id}`, kind: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'secret-123', areaId: '310110',
  minSeverity: 'warn', kinds: ['alarm', 'breach'], enabled: true, createdAt: T0, updatedAt: T0,
});
const delivery = (channelId: string, key: string, at = T0): NewDelivery => ({ channelId, channelName: `ch ${channelId}`, noticeKey: key, kind: 'alarm', severity: 'alarm', payload: '{}', createdAt: at });

describe('SqliteStore notifications', () => {
  let store: SqliteStore;
  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    await store.migrate();
    await store.notifications.createChannel(channel('a'));
    await store.notifications.createChannel(channel('b'));
  });

  it('should keep channels as given, and change and delete them', async () => {
    expect(await store.notifications.getChannel('a')).toEqual(channel('a'));
    expect(await store.notifications.updateChannel({ ...channel('a'), enabled: false, kinds: ['breach'], secret: null, updatedAt: T0 + 1 })).toBe(true);
    expect(await store.notifications.getChannel('a')).toMatchObject({ enabled: false, kinds: ['breach'], secret: null });
    expect(await store.notifications.updateChannel(channel('nope'))).toBe(false);
    expect(await store.notifications.deleteChannel('b')).toBe(true);
    expect(await store.notifications.deleteChannel('b')).toBe(false);
    expect((await store.notifications.listChannels()).map((c) => c.id)).toEqual(['a']);
  });

  it('should add a delivery once per channel and key', async () => {
    expect(await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('b', 'k1')])).toHaveLength(2);
    const again = await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('a', 'k2')]);
    expect(again.map((d) => d.noticeKey)).toEqual(['k2']);
    expect(again[0]).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: T0 });
    expect(await store.notifications.listDeliveries({ limit: 10 })).toHaveLength(3);
  });

  it('should let no two rounds claim the same delivery, and hand it back after the lease', async () => {
    await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('a', 'k2'), delivery('a', 'k3')]);
    const first = await store.notifications.claimDueDeliveries(T0, T0 + 10_000, 2);
    const second = await store.notifications.claimDueDeliveries(T0, T0 + 10_000, 2);
    expect(first.map((d) => d.noticeKey)).toEqual(['k1', 'k2']);
    expect(second.map((d) => d.noticeKey)).toEqual(['k3']);
    expect(await store.notifications.claimDueDeliveries(T0 + 9_999, T0 + 20_000, 5)).toEqual([]);
    // a server that died mid-send: the lease runs out and the delivery is due again
    expect(await store.notifications.claimDueDeliveries(T0 + 10_000, T0 + 20_000, 5)).toHaveLength(3);
  });

  it('should retry only failed deliveries, and prune only settled ones past the retention', async () => {
    const [d1, d2, d3] = await store.notifications.enqueueDeliveries([delivery('a', 'k1'), delivery('a', 'k2'), delivery('a', 'k3')]);
    await store.notifications.finishAttempt(d1!.id, { status: 'failed', attempts: 1, nextAttemptAt: null, lastError: 'HTTP 400', lastStatus: 400, at: T0 });
    await store.notifications.finishAttempt(d2!.id, { status: 'delivered', attempts: 1, nextAttemptAt: null, lastError: null, lastStatus: 200, at: T0 });
    expect(await store.notifications.getDelivery(d2!.id)).toMatchObject({ status: 'delivered', deliveredAt: T0, lastStatus: 200 });
    expect(await store.notifications.retryDelivery(d2!.id, T0 + 1)).toBe(false);
    expect(await store.notifications.retryDelivery(d3!.id, T0 + 1)).toBe(false);
    expect(await store.notifications.listDeliveries({ limit: 10, status: 'failed' })).toHaveLength(1);
    expect(await store.notifications.pruneDeliveries(T0 + 1)).toBe(2);
    expect((await store.notifications.listDeliveries({ limit: 10 })).map((d) => d.noticeKey)).toEqual(['k3']);
    const [d4] = await store.notifications.enqueueDeliveries([delivery('a', 'k4')]);
    await store.notifications.finishAttempt(d4!.id, { status: 'failed', attempts: 6, nextAttemptAt: null, lastError: 'x', lastStatus: 500, at: T0 });
    expect(await store.notifications.retryDelivery(d4!.id, T0 + 5)).toBe(true);
    expect(await store.notifications.getDelivery(d4!.id)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: T0 + 5 });
  });

  it('should keep the log of a deleted channel under its name', async () => {
    const [d] = await store.notifications.enqueueDeliveries([delivery('b', 'k1')]);
    await store.notifications.deleteChannel('b');
    expect(await store.notifications.getDelivery(d!.id)).toMatchObject({ channelId: null, channelName: 'ch b' });
    expect(await store.notifications.listDeliveries({ limit: 10, channelId: 'b' })).toEqual([]);
  });
});
