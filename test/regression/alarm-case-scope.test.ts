import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmRule } from '../../shared/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const name = { zh: '区级PM2.5', en: 'district PM2.5' };

describe('regression: a district-level alarm case', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, app: { alarmTickMs: 60_000 } });
  });
  afterAll(() => s.stop({ removeData: true }));

  it('is refused: a rule that opens cases watches streets or grids, so a district-wide case never lands on one street’s desk', async () => {
    const rule = { id: 'pm.case', name, indicatorId: 'pm25', levels: ['district'], enabled: true, createCase: 'manual', case: { category: 'fire_hazard', severity: 'high', minSeverity: 'warn' }, kind: 'threshold', direction: 'above', warn: 100, clear: 50, forSec: 0, clearForSec: 0 } as AlarmRule;
    await expect(s.app.alarms.saveRules(s.app.alarms.ruleSet().version, [rule], 'admin')).rejects.toThrow(/district-wide case/);
    expect(s.app.alarms.ruleSet().version).toBe(0);
  });
});
