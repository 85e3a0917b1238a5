import { describe, expect, it } from 'vitest';
import { costBreakdown, type CpuProfile } from '../../bench/lib/profile.ts';

const NM = '/repo/node_modules';
/** root → program / idle / gc, and a stack: server code → socket.io → JSON.stringify (leaf) */
function profile(): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 3, 4, 5, 8] },
      { id: 2, callFrame: { functionName: '(idle)', url: '' } },
      { id: 3, callFrame: { functionName: '(garbage collector)', url: '' } },
      { id: 4, callFrame: { functionName: '(program)', url: '' } },
      { id: 5, callFrame: { functionName: 'publishEvents', url: 'file:///repo/server/realtime/hub.ts' }, children: [6] },
      { id: 6, callFrame: { functionName: 'emit', url: `file://${NM}/socket.io/dist/broadcast-operator.js` }, children: [7] },
      { id: 7, callFrame: { functionName: 'stringify', url: '' } },
      { id: 8, callFrame: { functionName: 'insertEvents', url: 'file:///repo/server/stores/sqlite/cases.repository.ts' }, children: [9, 10] },
      { id: 9, callFrame: { functionName: 'sqliteTransaction', url: `file://${NM}/better-sqlite3/lib/methods/transaction.js` } },
      // a native statement method has no url: it counts as SQLite when a SQLite repository calls it
      { id: 10, callFrame: { functionName: 'run', url: '' } },
    ],
    // 1 ms each (timeDeltas in µs)
    samples: [2, 2, 2, 2, 3, 4, 5, 7, 7, 9, 10],
    timeDeltas: Array(11).fill(1000),
  };
}

describe('costBreakdown', () => {
  it('charges each sample to the first category found from the leaf up, shares of busy time', () => {
    const b = costBreakdown([profile()]);
    expect(b.totalMs).toBe(11);
    expect(b.busyMs).toBe(7);
    const ms = Object.fromEntries(b.rows.map((r) => [r.category, r.ms]));
    // JSON.stringify under socket.io counts as socket frames, not JSON
    expect(ms['socket frames (socket.io, engine.io, ws, writes)']).toBe(2);
    expect(ms['SQLite (statements, commit, fsync)']).toBe(2);
    expect(ms['OneScreen: fan-out (hub, snapshots)']).toBe(1);
    expect(ms['garbage collection']).toBe(1);
    expect(ms['program (V8 and native, unattributed)']).toBe(1);
    expect(ms.idle).toBeUndefined();
    expect(b.rows[0]!.category).toBe('socket frames (socket.io, engine.io, ws, writes)');
    expect(b.rows.reduce((a, r) => a + r.share, 0)).toBeCloseTo(1);
  });

  it('counts bare JSON as JSON only when nothing else in the stack is recognised', () => {
    const p: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2] },
        { id: 2, callFrame: { functionName: 'processTicksAndRejections', url: 'node:internal/process/task_queues' }, children: [3] },
        { id: 3, callFrame: { functionName: 'parse', url: '' } },
      ],
      samples: [3, 2],
      timeDeltas: [2000, 1000],
    };
    const ms = Object.fromEntries(costBreakdown([p]).rows.map((r) => [r.category, r.ms]));
    expect(ms).toEqual({ 'JSON (other)': 2, 'other (node internals, libraries)': 1 });
  });

  it('adds several profiles (one per node) and survives an empty one', () => {
    const b = costBreakdown([profile(), profile(), { nodes: [], samples: [], timeDeltas: [] }]);
    expect(b.totalMs).toBe(22);
    expect(b.busyMs).toBe(14);
  });
});
