import { describe, expect, it } from 'vitest';
import { AuditFolder, type FoldableEntry } from '../../server/domain/audit-fold.ts';

const T0 = Date.UTC(2026, 11, 2, 3, 0, 0);
const fail = (at: number, over: Partial<FoldableEntry> = {}): FoldableEntry => ({
  at,
  actor: 'admin',
  actorKind: 'anonymous',
  action: 'login',
  target: '',
  outcome: 'failed',
  ip: '192.0.2.1',
  detail: 'wrong password',
  ...over,
});

describe(AuditFolder.name, () => {
  it('should write the first failure at once and fold its repeats into one row with their count', () => {
    const f = new AuditFolder<FoldableEntry>(60_000);
    expect(f.offer(fail(T0))).toEqual([fail(T0)]);
    for (let i = 1; i <= 99; i++) expect(f.offer(fail(T0 + i * 100))).toEqual([]);
    expect(f.due(T0 + 59_999)).toEqual([]);
    const [closing, ...rest] = f.due(T0 + 60_000);
    expect(rest).toEqual([]);
    expect(closing).toMatchObject({ count: 99, at: T0 + 60_000, detail: `wrong password (repeated 99× from ${new Date(T0).toISOString()} to ${new Date(T0 + 9_900).toISOString()})` });
    expect(f.size).toBe(0);
  });

  it('should never fold successes, nor failures that differ', () => {
    const f = new AuditFolder<FoldableEntry>(60_000);
    expect(f.offer(fail(T0, { outcome: 'ok' }))).toHaveLength(1);
    expect(f.offer(fail(T0, { outcome: 'ok' }))).toHaveLength(1);
    expect(f.offer(fail(T0))).toHaveLength(1);
    expect(f.offer(fail(T0, { ip: '192.0.2.2' }))).toHaveLength(1);
    expect(f.offer(fail(T0, { detail: 'unknown user' }))).toHaveLength(1);
  });

  it('should close an expired run before starting the next, even without a flush in between', () => {
    const f = new AuditFolder<FoldableEntry>(60_000);
    f.offer(fail(T0));
    f.offer(fail(T0 + 1000));
    const rows = f.offer(fail(T0 + 61_000));
    expect(rows.map((r) => r.count ?? 1)).toEqual([1, 1]);
    expect(rows[0]!.detail).toMatch(/repeated 1×/);
    expect(rows[1]).toEqual(fail(T0 + 61_000));
  });

  it('should count failures past its bound instead of writing each, and keep folding the runs it follows', () => {
    const f = new AuditFolder<FoldableEntry>(60_000, 2);
    f.offer(fail(T0, { ip: 'a' }));
    f.offer(fail(T0, { ip: 'a' }));
    f.offer(fail(T0, { ip: 'b' }));
    for (let i = 0; i < 500; i++) expect(f.offer(fail(T0, { ip: `x${i}`, detail: `origin ${i}` }))).toEqual([]);
    expect(f.offer(fail(T0 + 1, { ip: 'a' }))).toEqual([]); // still folded
    const rows = f.due(T0, true);
    expect(rows.map((r) => [r.ip, r.count])).toEqual([['a', 2], ['x0', 500]]);
    expect(rows[1]!.detail).toBe('500 failures of many different kinds at once, not written one by one; the first: origin 0');
    expect(f.due(T0, true)).toEqual([]);
  });
});
