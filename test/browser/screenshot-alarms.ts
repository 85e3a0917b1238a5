/**
 * The picture docs/screenshot-wall-alarms.png: a simulated district wall (its own test server,
 * simulator on) with readings that cross rules — PM2.5 130 µg/m³ for half an hour in the district,
 * 5 fire alarms in a grid of 五角场, 3 lift faults in a grid of 定海路 — kept the newest while the
 * simulator reports. Needs the built web (`npm run build`):
 *   node --import tsx test/browser/screenshot-alarms.ts docs/screenshot-wall-alarms.png [1920 1080]
 * With DRILL=1 it also shoots the 五角场 street view (`…-street.png`).
 */
import { postJson, startTestServer } from '../helpers/server.ts';
import { launchChromium } from './chromium.ts';
import type {} from '../../web/src/lib/debug.ts';
const [out = 'screenshot-wall-alarms.png', w = '1920', h = '1080'] = process.argv.slice(2);
const s = await startTestServer({ simulator: true, seed: 7, simulatorTickMs: 2000, flushPerSec: 1, simulatorEventsPerHour: 30, app: { alarmTickMs: 200 } });
const browser = await launchChromium();
try {
  const now = Date.now();
  const MIN = 60_000;
  await postJson(s.url, '/api/v1/readings', { readings: Array.from({ length: 32 }, (_, i) => ({ indicator: 'pm25', areaId: '310110', value: 130, at: new Date(now - 20 * MIN - i * MIN).toISOString() })) }, s.ingestKey);
  const grid = s.app.tree.children('310110019000')[0]!.id;
  await postJson(s.url, '/api/v1/readings', { readings: [{ indicator: 'fire_alarms', areaId: grid, value: 5, at: new Date().toISOString() }] }, s.ingestKey);
  const grid2 = s.app.tree.children('310110001000')[1]!.id;
  await postJson(s.url, '/api/v1/readings', { readings: [{ indicator: 'elevator_faults', areaId: grid2, value: 3, at: new Date().toISOString() }] }, s.ingestKey);
  // the simulator keeps reporting: keep the crossing values the newest
  const keep = setInterval(() => {
    const at = new Date().toISOString();
    void postJson(s.url, '/api/v1/readings', { readings: [
      { indicator: 'fire_alarms', areaId: grid, value: 5, at },
      { indicator: 'elevator_faults', areaId: grid2, value: 3, at },
      { indicator: 'pm25', areaId: '310110', value: 130, at },
    ] }, s.ingestKey);
  }, 1500);
  const context = await browser.newContext({ viewport: { width: Number(w), height: Number(h) } });
  await context.addCookies([{ name: 'onescreen_session', value: s.cookie.slice(s.cookie.indexOf('=') + 1), url: s.url }]);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log('[page error]', e.message));
  await page.goto(`${s.url}/`);
  await page.waitForSelector('[data-ready="true"]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid="alarm-row"]', { timeout: 30_000 });
  await page.waitForTimeout(6000);
  await page.screenshot({ path: out });
  if (process.env.DRILL) {
    await page.evaluate((id) => { window.__onescreen!.state.model.setView(id); }, '310110019000');
    await page.waitForTimeout(8000);
    await page.screenshot({ path: out.replace('.png', '-street.png') });
  }

  console.log('saved', out, await page.$$eval('[data-testid="alarm-row"]', (e) => e.length));
  clearInterval(keep);
} finally {
  await browser.close();
  await s.stop({ removeData: true });
}
