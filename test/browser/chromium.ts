/**
 * @module test/browser/chromium
 * Launches Debian's Chromium headless through playwright-core (never a downloaded browser), with
 * the flags that keep it off the network and on SwiftShader WebGL.
 *
 * Its contexts ask for reduced motion unless told otherwise (`reducedMotion: 'no-preference'` in
 * `newContext`, or `launchChromium({ motion: true })`): the wall honours it (no pulsing outlines, no
 * flashing markers), and on SwiftShader those animations cost about a core per open wall while the
 * simulator posts (`npm run bench -- wall-cpu` measures it; at 1280×720, the tests' size, about 1.8
 * cores with motion and 0.8 without), which starved the suite on 2 cores. The soak keeps motion.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(o: { motion?: boolean } = {}): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  if (!o.motion) {
    const newContext = browser.newContext.bind(browser);
    browser.newContext = (options = {}) => newContext({ reducedMotion: 'reduce', ...options });
  }
  return browser;
}
