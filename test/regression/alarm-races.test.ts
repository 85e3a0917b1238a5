import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, AlarmRule } from '../../shared/index.ts';
import { createAlarmService } from '../../server/services/alarm.service.ts';
import { quietLogger, shippedData, startTestServer, type TestServer } from '../helpers/server.ts';

const DISTRICT = '310110';
const WJC = '310110019000';
const name = { zh: 'x', en: 'x' };
const hot: AlarmRule = { id: 'hot.street', name, indicatorId: 'fire_alarms', levels: ['street'], enabled: true, createCase: 'off', kind: 'threshold', direction: 'above', warn: 1, clear: 0, forSec: 0, clearForSec: 0 } as AlarmRule;

describe('regression: alarm service races', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, app: { alarmTickMs: 60_000 } });
  });
  afterAll(() => s.stop({ removeData: true }));

  it('a reading judged while a rule-set save is queued opens no episode of the removed rule', async () => {
    const pm: AlarmRule = { id: 'pm.hot', name, indicatorId: 'pm25', levels: ['district'], enabled: true, createCase: 'off', kind: 'threshold', direction: 'above', warn: 100, clear: 50, forSec: 0, clearForSec: 0 } as AlarmRule;
    const v0 = s.app.alarms.ruleSet().version;
    await s.app.alarms.saveRules(v0, [pm], 'admin');
    // the admin removes the rule; before the save's turn in the queue, a reading arrives (ingest → readingsStored)
    const saving = s.app.alarms.saveRules(v0 + 1, [], 'admin');
    const now = Date.now();
    s.app.alarms.readingsStored([{ indicatorId: 'pm25', areaId: DISTRICT, value: 200, at: now, receivedAt: now, simulated: false }]);
    await saving;
    await s.app.alarms.idle();
    // more readings, well below clear, and ticks: nothing can clear it any more
    s.app.alarms.readingsStored([{ indicatorId: 'pm25', areaId: DISTRICT, value: 10, at: now + 60_000, receivedAt: now, simulated: false }]);
    await s.app.alarms.tick();
    await s.app.alarms.idle();
    const open = ((await s.get('/api/v1/alarms?status=active')).json.alarms as Alarm[]).filter((a) => a.ruleId === 'pm.hot');
    expect(open, 'an active alarm of a rule that no longer exists').toEqual([]);
  });

  it('a forecast verdict that lands after its rule was removed opens nothing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const svc = createAlarmService({
      store: s.store,
      tree: s.app.tree,
      clock: { now: () => Date.now() },
      indicators: shippedData().indicators,
      categories: shippedData().categories,
      shippedRules: [],
      broadcaster: { publishAlarms() {} },
      logger: quietLogger,
      ingest: s.app.ingest,
      forecasts: {
        async crossing() {
          await gate; // the worker takes a moment
          return { at: Date.now() + 3_600_000, value: 150, threshold: 115 };
        },
      },
    });
    await svc.init();
    const f: AlarmRule = { id: 'pm.fc', name, indicatorId: 'pm25', levels: ['district'], enabled: true, createCase: 'off', kind: 'forecast', horizonHours: 6, crosses: 'alarm', severity: 'warn' } as AlarmRule;
    const v = svc.ruleSet().version;
    await svc.saveRules(v, [f], 'admin');
    const checking = svc.checkForecasts();
    await new Promise((r) => setTimeout(r, 20));
    await svc.saveRules(v + 1, [], 'admin'); // the admin removes the forecast rule meanwhile
    release();
    await checking;
    await svc.idle();
    await svc.checkForecasts(); // the next round: the rule is gone, nothing will clear it
    await svc.idle();
    const open = (await s.store.alarms.open()).filter((a) => a.ruleId === 'pm.fc');
    expect(open, 'an active alarm of a removed forecast rule').toEqual([]);
  });
});
