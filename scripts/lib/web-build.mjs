/**
 * @module scripts/lib/web-build
 * Whether `npm start` must build the wall first, and how long it took, as pure functions (the
 * caller looks at the files and runs Vite). A production install (`npm ci --omit=dev` of a
 * release) has the built wall in dist/web, no web/ sources and no Vite: it serves what is built.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} WebState
 * @property {boolean} hasSources   web/index.html exists (a clone, not a release)
 * @property {boolean} hasVite      Vite is installed (dev dependencies are)
 * @property {number | null} builtAt  mtime of dist/web/index.html, or null when it is missing
 * @property {number} sourcesAt     newest mtime under web/ and shared/ (0 without sources)
 */

/**
 * @typedef {{ action: 'serve' } | { action: 'build', reason: 'missing' | 'stale' } | { action: 'serve-stale', warning: string } | { action: 'fail', message: string }} WebPlan
 */

/**
 * What to do about the built wall before the server starts.
 * @param {WebState} s
 * @returns {WebPlan}
 * @example planWebBuild({ hasSources: false, hasVite: false, builtAt: 1, sourcesAt: 0 }) // { action: 'serve' }
 */
export function planWebBuild(s) {
  const built = s.builtAt !== null;
  if (!s.hasSources) {
    if (built) return { action: 'serve' };
    return {
      action: 'fail',
      message:
        'dist/web (the built wall) is missing and there are no web/ sources to build it from.\n' +
        'This install is incomplete: unpack the whole release tarball made by `npm run release`\n' +
        '(it contains dist/web), or run from a clone with `npm install && npm start`.',
    };
  }
  const stale = built && s.builtAt < s.sourcesAt;
  if (built && !stale) return { action: 'serve' };
  if (s.hasVite) return { action: 'build', reason: built ? 'stale' : 'missing' };
  if (built) {
    return {
      action: 'serve-stale',
      warning: 'web/ is newer than dist/web, but Vite is not installed (a production install): serving the wall as it was built. Run `npm install && npm run build` to rebuild it.',
    };
  }
  return {
    action: 'fail',
    message:
      'dist/web (the built wall) is missing and Vite, which builds it, is not installed (a production\n' +
      'install, `npm ci --omit=dev`). Either install a release made by `npm run release` (it contains\n' +
      'dist/web), or install the dev dependencies and build here: `npm install && npm run build`.',
  };
}

/** Newest mtime of any file under `dir` (0 when it does not exist). */
export function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The wall's state on disk under the project root. @returns {WebState} */
export function webState(root) {
  const index = join(root, 'dist/web/index.html');
  const hasSources = existsSync(join(root, 'web/index.html'));
  return {
    hasSources,
    hasVite: existsSync(viteBin(root)),
    builtAt: existsSync(index) ? statSync(index).mtimeMs : null,
    sourcesAt: hasSources ? Math.max(newestMtime(join(root, 'web')), newestMtime(join(root, 'shared'))) : 0,
  };
}

/** Where Vite's command is, in a clone with its dev dependencies. */
export function viteBin(root) {
  return join(root, 'node_modules/vite/bin/vite.js');
}

/**
 * A duration for people: `850 ms`, `12.3 s`, `2 min 05 s`.
 * @param {number} ms
 */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
