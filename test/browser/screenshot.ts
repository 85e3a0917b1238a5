/**
 * Takes screenshots of a running wall, for docs and design review:
 *   ONESCREEN_COOKIE='onescreen_session=…' node --import tsx test/browser/screenshot.ts http://127.0.0.1:8080/ docs/screenshot-wall.png [1920 1080] [--wait=8000] [--click-street]
 * The wall needs a session: pass a session cookie (from signing in) in `ONESCREEN_COOKIE`, or
 * open `/?display=<token>` with a display token. `--page` shoots a page that is not the wall
 * (`/login`, `/admin`) without waiting for the map.
 */
import { launchChromium } from './chromium.ts';

const [url = 'http://127.0.0.1:8080/', out = 'screenshot.png', w = '1920', h = '1080', ...flags] = process.argv.slice(2);
const waitMs = Number(flags.find((f) => f.startsWith('--wait='))?.slice(7) ?? 8000);

const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: Number(w), height: Number(h) } });
  const cookie = process.env.ONESCREEN_COOKIE;
  if (cookie) await context.addCookies([{ name: 'onescreen_session', value: cookie.slice(cookie.indexOf('=') + 1), url }]);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.log(`[page ${m.type()}]`, m.text());
  });
  page.on('pageerror', (e) => console.log('[page error]', e.message));
  await page.goto(url);
  if (!flags.includes('--page')) await page.waitForSelector('[data-ready="true"]', { timeout: 30_000 });
  await page.waitForTimeout(waitMs);
  if (flags.includes('--click-street')) {
    await page.evaluate(() => {
      const w = window.__onescreen!;
      w.state.wall.streetId = w.state.catalog.streets[4]!.properties.id;
    });
    await page.waitForTimeout(waitMs);
  }
  if (flags.includes('--click-ticker')) {
    await page.click('[data-testid="ticker-line"]');
    await page.waitForTimeout(500);
  }
  await page.screenshot({ path: out });
  console.log('saved', out);
} finally {
  await browser.close();
}
