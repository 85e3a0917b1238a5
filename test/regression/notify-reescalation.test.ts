import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmRule } from '../../shared/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const WJC = '310110019000';
const DISTRICT = '310110';

describe('regression: notices of one episode', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ serveWeb: false, app: { alarmTickMs: 60_000 } });
  });
  afterAll(() => s.stop({ removeData: true }));

  it('a second escalation to 告警 within the same episode is notified again', async () => {
    const rule = { id: 'pm.notify', name: { zh: 'PM', en: 'PM' }, indicatorId: 'pm25', levels: ['district'], enabled: true, createCase: 'off', kind: 'threshold', direction: 'above', warn: 75, alarm: 115, clear: 60, forSec: 0, clearForSec: 0 } as AlarmRule;
    await s.app.alarms.saveRules(s.app.alarms.ruleSet().version, [rule], 'admin');
    // a channel (never reachable: only the outbox rows matter)
    await s.app.notifications.createChannel({ actor: 'admin', actorKind: 'user', ip: '-' }, { name: 'ops', kind: 'wecom', url: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=x', areaId: DISTRICT, minSeverity: 'warn', kinds: ['alarm', 'alarm_cleared', 'breach'], enabled: true });
    const t0 = Date.now() - 10 * 60_000;
    const step = (i: number, value: number) => s.app.alarms.readingsStored([{ indicatorId: 'pm25', areaId: DISTRICT, value, at: t0 + i * 60_000, receivedAt: Date.now(), simulated: false }]);
    step(0, 80); // raised (warn)
    step(1, 130); // escalated
    step(2, 90); // steps back to warn (below 115 − 15)
    step(3, 130); // escalated again: operators must hear of it
    await s.app.alarms.idle();
    await s.app.notifications.idle();
    const deliveries = (await s.app.notifications.listDeliveries({ limit: 100 })).filter((d) => d.noticeKey.startsWith('alarm:'));
    const history = (await s.get(`/api/v1/alarms?status=active`)).json.alarms.find((a: any) => a.ruleId === 'pm.notify');
    const view = (await s.get(`/api/v1/alarms/${history.id}`)).json;
    console.log(view.history.map((h: any) => h.kind).join(' → '), '| notices:', deliveries.map((d) => d.noticeKey.split(':')[2]).join(', '));
    expect(view.history.filter((h: any) => h.kind === 'escalated')).toHaveLength(2);
    expect(deliveries.filter((d) => /:escalated:\d+$/.test(d.noticeKey)), 'one notice per escalation').toHaveLength(2);
  });
});
