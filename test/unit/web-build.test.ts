import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDuration, planWebBuild, webState } from '../../scripts/lib/web-build.mjs';

describe(planWebBuild.name, () => {
  it.each([
    ['a release (no sources, no Vite) with its built wall', { hasSources: false, hasVite: false, builtAt: 5, sourcesAt: 0 }, { action: 'serve' }],
    ['a clone whose wall is built and current', { hasSources: true, hasVite: true, builtAt: 10, sourcesAt: 9 }, { action: 'serve' }],
    ['a fresh clone', { hasSources: true, hasVite: true, builtAt: null, sourcesAt: 9 }, { action: 'build', reason: 'missing' }],
    ['a clone with changed sources', { hasSources: true, hasVite: true, builtAt: 8, sourcesAt: 9 }, { action: 'build', reason: 'stale' }],
  ] as const)('should plan for %s', (_what, state, plan) => {
    expect(planWebBuild(state)).toEqual(plan);
  });

  it('should never try to build without Vite, serving what is built with a warning', () => {
    const plan = planWebBuild({ hasSources: true, hasVite: false, builtAt: 8, sourcesAt: 9 });
    expect(plan.action).toBe('serve-stale');
    expect(plan.action === 'serve-stale' && plan.warning).toMatch(/Vite is not installed/);
  });

  it.each([
    ['a production install without a built wall', { hasSources: true, hasVite: false, builtAt: null, sourcesAt: 9 }, /npm run release[\s\S]*npm install && npm run build/],
    ['a release unpacked without dist/web', { hasSources: false, hasVite: false, builtAt: null, sourcesAt: 0 }, /incomplete[\s\S]*npm run release/],
    ['no sources and no build even with Vite', { hasSources: false, hasVite: true, builtAt: null, sourcesAt: 0 }, /dist\/web/],
  ] as const)('should say what to do for %s', (_what, state, says) => {
    const plan = planWebBuild(state);
    expect(plan.action).toBe('fail');
    expect(plan.action === 'fail' && plan.message).toMatch(says);
  });
});

describe(webState.name, () => {
  let root = '';
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('should read a release layout: built wall, no sources, no Vite', () => {
    root = mkdtempSync(join(tmpdir(), 'onescreen-start-'));
    mkdirSync(join(root, 'dist/web'), { recursive: true });
    writeFileSync(join(root, 'dist/web/index.html'), '<!doctype html>');
    utimesSync(join(root, 'dist/web/index.html'), 1000, 1000);
    expect(webState(root)).toEqual({ hasSources: false, hasVite: false, builtAt: 1_000_000, sourcesAt: 0 });
  });

  it('should see sources newer than the build', () => {
    root = mkdtempSync(join(tmpdir(), 'onescreen-start-'));
    mkdirSync(join(root, 'dist/web'), { recursive: true });
    mkdirSync(join(root, 'web/src'), { recursive: true });
    writeFileSync(join(root, 'dist/web/index.html'), '');
    writeFileSync(join(root, 'web/index.html'), '');
    writeFileSync(join(root, 'web/src/main.ts'), '');
    utimesSync(join(root, 'dist/web/index.html'), 1000, 1000);
    utimesSync(join(root, 'web/index.html'), 900, 900);
    utimesSync(join(root, 'web/src/main.ts'), 2000, 2000);
    const s = webState(root);
    expect(s).toMatchObject({ hasSources: true, builtAt: 1_000_000, sourcesAt: 2_000_000 });
    expect(planWebBuild({ ...s, hasVite: true })).toEqual({ action: 'build', reason: 'stale' });
  });
});

describe(formatDuration.name, () => {
  it.each([
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [125_000, '2 min 05 s'],
    [Number.NaN, '?'],
  ])('should write %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
