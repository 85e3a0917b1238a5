/**
 * @module server/build-id
 * The build of the wall a server serves: Vite writes `build.json` (`{ "build": "<id>" }`) beside
 * the bundle, with an id derived from the bundle's own content (vite.config.ts), and puts the same
 * id in the page. The server tells it in `/api/health` and every snapshot, so a wall page left
 * running through a redeploy sees that it runs another build and reloads itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildId } from '../shared/index.ts';

/** The build id in `<staticRoot>/build.json`, or null when there is no built wall (or no valid id). */
export function readBuildId(staticRoot: string | undefined): string | null {
  if (!staticRoot) return null;
  try {
    const parsed = BuildId.safeParse((JSON.parse(readFileSync(join(staticRoot, 'build.json'), 'utf8')) as { build?: unknown }).build);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
