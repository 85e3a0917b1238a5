/**
 * Two nodes work one notification outbox on PostgreSQL (test/integration/cluster.test.ts): each
 * pump claims due deliveries with `claimDueDeliveries`. A delivery claimed by two rounds at once
 * would be sent twice. Here two stores (two connection pools, as two nodes have) run many claim
 * rounds in parallel over the same due rows: every row is claimed exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewDelivery } from '../../server/ports.ts';
import { PostgresStore } from '../../server/stores/postgres/postgres.store.ts';
import { usePostgres } from '../helpers/postgres.ts';

const T0 = Date.UTC(2026, 0, 1);
const ROWS = 600;
const pg = usePostgres();
let nodes: PostgresStore[] = [];

beforeAll(async () => {
  const url = await pg().createDatabase();
  nodes = [new PostgresStore(url, { poolSize: 8 }), new PostgresStore(url, { poolSize: 8 })];
  await nodes[0]!.migrate();
  await nodes[1]!.migrate();
  await nodes[0]!.notifications.createChannel({
    id: 'hook', name: 'hook', kind: 'webhook', url: 'http://127.0.0.1:9/x', secret: 'secret-123', areaId: '310110',
    minSeverity: 'warn', kinds: ['alarm', 'breach'], enabled: true, createdAt: T0, updatedAt: T0,
  });
}, 60_000);

afterAll(async () => {
  for (const s of nodes) await s.close();
});

describe('PostgreSQL claimDueDeliveries across nodes', () => {
  it('hands each due delivery to one claim round only, with rounds of two nodes running at once', async () => {
    const rows: NewDelivery[] = Array.from({ length: ROWS }, (_, i) => ({
      channelId: 'hook', channelName: 'hook', noticeKey: `k${i}`, kind: 'alarm', severity: 'alarm', payload: '{}',
      // due at slightly different times, so rounds compete for the same oldest rows
      createdAt: T0 + (i % 7),
    }));
    for (let i = 0; i < ROWS; i += 100) await nodes[i % 200 ? 1 : 0]!.notifications.enqueueDeliveries(rows.slice(i, i + 100));

    const claimed: number[] = [];
    // eight rounds per node at once, each taking a few rows at a time until it finds none
    const pump = async (s: PostgresStore) => {
      for (;;) {
        const got = await s.notifications.claimDueDeliveries(T0 + 10, T0 + 60_000, 5);
        if (got.length === 0) return;
        expect(got.length).toBeLessThanOrEqual(5);
        claimed.push(...got.map((d) => d.id));
      }
    };
    await Promise.all(nodes.flatMap((s) => Array.from({ length: 8 }, () => pump(s))));
    // a round that found every remaining row locked by another stopped early: sweep what is left
    for (let got; (got = await nodes[0]!.notifications.claimDueDeliveries(T0 + 10, T0 + 60_000, 50)).length; ) claimed.push(...got.map((d) => d.id));

    const twice = claimed.filter((id, i) => claimed.indexOf(id) !== i);
    expect(twice).toEqual([]);
    expect(claimed).toHaveLength(ROWS);
    // and a claimed row is due again only when its lease ends
    expect(await nodes[1]!.notifications.claimDueDeliveries(T0 + 59_999, T0 + 120_000, 10)).toEqual([]);
    expect(await nodes[1]!.notifications.claimDueDeliveries(T0 + 60_000, T0 + 120_000, 10)).toHaveLength(10);
  }, 60_000);
});
