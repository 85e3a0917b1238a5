/**
 * @module scripts/build-id-plugin
 * The wall's build id, derived from the built bundle: a SHA-256 over every emitted file's name and
 * content (index.html aside), 12 hex digits. Vite's file names already carry content hashes, so two
 * builds of the same sources get the same id and any change to what a browser runs gets another.
 *
 * The page reads its own id from `<meta name="onescreen-build">` in index.html (the JavaScript
 * itself cannot carry it: its content is what the id is made from); the server reads
 * `build.json` beside it (server/build-id.ts) and tells every page, which reloads itself on a
 * difference. The dev server keeps the `dev` placeholder, which never reloads anything.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';

/** the placeholder in web/index.html the build replaces */
export const BUILD_PLACEHOLDER = '<meta name="onescreen-build" content="dev" />';

/** The id of a bundle: its files (name and content), in name order, hashed. */
export function bundleBuildId(files: readonly { name: string; content: string | Uint8Array }[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(f.name).update('\0').update(f.content).update('\0');
  }
  return h.digest('hex').slice(0, 12);
}

export function buildIdPlugin(): Plugin {
  return {
    name: 'onescreen-build-id',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const files = Object.values(bundle)
        .filter((f) => f.fileName !== 'index.html')
        .map((f) => ({ name: f.fileName, content: f.type === 'chunk' ? f.code : f.source }));
      const id = bundleBuildId(files);
      const index = bundle['index.html'];
      if (!index || index.type !== 'asset' || typeof index.source !== 'string' || !index.source.includes(BUILD_PLACEHOLDER)) {
        this.error(`index.html must carry ${BUILD_PLACEHOLDER}: the page reads its build id from it`);
      }
      index.source = (index.source as string).replace(BUILD_PLACEHOLDER, `<meta name="onescreen-build" content="${id}" />`);
      this.emitFile({ type: 'asset', fileName: 'build.json', source: `${JSON.stringify({ build: id })}\n` });
    },
  };
}
