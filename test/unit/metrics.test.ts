import { describe, expect, it } from 'vitest';
import { batchOutcome } from '../../server/middleware/ingest-metrics.ts';
import { bearerMatches, createMetrics } from '../../server/observability/metrics.ts';

describe('bearerMatches', () => {
  const token = 'a-metrics-token-of-some-length';
  it.each([
    [`Bearer ${token}`, true],
    [`bearer ${token}  `, true],
    [undefined, false],
    ['', false],
    ['Bearer ', false],
    [`Bearer ${token}x`, false],
    [`Bearer ${token.slice(0, -1)}`, false],
    [`Basic ${token}`, false],
    [token, false],
  ])('should answer %j with %s', (header, ok) => {
    expect(bearerMatches(header, token)).toBe(ok);
  });
});

describe('batchOutcome', () => {
  it.each([
    [200, 'committed'],
    [400, 'invalid'],
    [415, 'invalid'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [413, 'too_large'],
    [429, 'rate_limited'],
    [500, 'error'],
    [503, 'error'],
  ] as const)('should call a %i answer %s', (status, outcome) => {
    expect(batchOutcome(status)).toBe(outcome);
  });
});

describe('createMetrics', () => {
  const sources = { sockets: () => ({ street: 3, grid: 1 }), databaseBytes: async () => 4096 };

  it('should export counters, the commit histogram and the collected gauges in Prometheus text', async () => {
    const { registry, metrics } = createMetrics(sources);
    metrics.ingested('event', 'hotline-12345', 'created', 3);
    metrics.ingested('event', 'hotline-12345', 'duplicate', 0);
    metrics.batch('event', 'hotline-12345', 'committed');
    metrics.commitTimer('event')();
    metrics.breach('dispatched');
    metrics.loginFailed('disabled');
    metrics.deltaSent('indicator:update', 'street');
    const text = await registry.metrics();
    expect(text).toContain('onescreen_ingest_items_total{kind="event",source="hotline-12345",outcome="created"} 3');
    expect(text).not.toContain('outcome="duplicate"'); // nothing counted, no series
    expect(text).toContain('onescreen_ingest_batches_total{kind="event",source="hotline-12345",outcome="committed"} 1');
    expect(text).toContain('onescreen_ingest_commit_duration_seconds_count{kind="event"} 1');
    expect(text).toContain('onescreen_case_breaches_total{stage="dispatched"} 1');
    expect(text).toContain('onescreen_login_failures_total{reason="disabled"} 1');
    expect(text).toContain('onescreen_login_failures_total{reason="throttled"} 0');
    expect(text).toContain('onescreen_deltas_sent_total{kind="indicator:update",level="street"} 1');
    expect(text).toContain('onescreen_sockets{level="street"} 3');
    expect(text).toContain('onescreen_sockets{level="district"} 0');
    expect(text).toContain('onescreen_database_size_bytes 4096');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('should keep every instance to its own registry', async () => {
    const a = createMetrics(sources);
    const b = createMetrics(sources);
    a.metrics.breach('reported');
    expect(await a.registry.getSingleMetricAsString('onescreen_case_breaches_total')).toContain('stage="reported"} 1');
    expect(await b.registry.getSingleMetricAsString('onescreen_case_breaches_total')).not.toContain('stage="reported"');
  });
});
