/** Types of scripts/lib/web-build.mjs (plain JavaScript: `npm start` runs it before tsx is loaded). */
export interface WebState {
  /** web/index.html exists (a clone, not a release) */
  hasSources: boolean;
  /** Vite is installed (dev dependencies are) */
  hasVite: boolean;
  /** mtime of dist/web/index.html, or null when it is missing */
  builtAt: number | null;
  /** newest mtime under web/ and shared/ (0 without sources) */
  sourcesAt: number;
}
export type WebPlan =
  | { action: 'serve' }
  | { action: 'build'; reason: 'missing' | 'stale' }
  | { action: 'serve-stale'; warning: string }
  | { action: 'fail'; message: string };
export function planWebBuild(s: WebState): WebPlan;
export function newestMtime(dir: string): number;
export function webState(root: string): WebState;
export function viteBin(root: string): string;
export function formatDuration(ms: number): string;
