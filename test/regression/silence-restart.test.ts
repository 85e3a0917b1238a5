import { describe, expect, it } from 'vitest';
import type { Alarm } from '../../shared/index.ts';
import { postJson, startTestServer } from '../helpers/server.ts';

const DISTRICT = '310110';

describe('regression: silence rules across a restart', () => {
  it('a restart raises no 数据中断 for a source that just reported', async () => {
    let s = await startTestServer({ serveWeb: false, app: { alarmTickMs: 60_000 } });
    const dataDir = s.dataDir;
    const now = Date.now();
    // a station uploads its (3 h old) hourly value now — e.g. a batch upload or a backfill
    const r = await postJson(s.url, '/api/v1/readings', { readings: [{ indicator: 'pm25', areaId: DISTRICT, value: 30, at: new Date(now - 3 * 3_600_000).toISOString() }] }, s.ingestKey);
    expect(r.status).toBe(200);
    await s.app.alarms.tick();
    await s.app.alarms.idle();
    const silent = async () => ((await s.get('/api/v1/alarms?status=active')).json.alarms as Alarm[]).filter((a) => a.ruleId === 'pm25.silent');
    expect(await silent()).toEqual([]); // received a moment ago: not silent
    await s.stop();
    s = await startTestServer({ serveWeb: false, dataDir, app: { alarmTickMs: 60_000 } });
    try {
      await s.app.alarms.tick();
      await s.app.alarms.idle();
      expect(await silent(), 'nothing new happened; the source reported seconds ago').toEqual([]);
    } finally {
      await s.stop({ removeData: true });
    }
  });
});
