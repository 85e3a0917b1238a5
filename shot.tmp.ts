import { chromium } from 'playwright-core';
const [url, out, cookie, click] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'] });
const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
const [n, v] = cookie!.split('=');
await ctx.addCookies([{ name: n!, value: v!, url: 'http://127.0.0.1:8097' }]);
const page = await ctx.newPage();
await page.goto(url!);
await page.waitForSelector('[data-ready="true"]', { timeout: 30000 });
await page.waitForTimeout(2500);
for (const c of (click ?? '').split(',').filter(Boolean)) {
  await page.click(`[data-testid="${c}"]`);
  await page.waitForTimeout(800);
}
await page.screenshot({ path: out! });
await browser.close();
console.log('saved', out);
