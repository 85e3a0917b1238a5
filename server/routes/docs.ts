/**
 * @module server/routes/docs
 * The API description and its page, both public: `GET /api/openapi.json` (built on the first
 * request, then served from memory) and `GET /api/docs`, Swagger UI served by this server — its
 * files from the `swagger-ui-dist` package, our own page and initialiser script — so the page
 * loads nothing from anywhere else and runs under the same CSP as the rest of the server.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { etag } from 'hono/etag';
import getAbsoluteFSPath from 'swagger-ui-dist/absolute-path.js';
import { notFound } from '../errors.ts';
import { buildOpenApiDocument } from '../openapi/document.ts';

const OWN = fileURLToPath(new URL('../openapi/page/', import.meta.url));
const SWAGGER = getAbsoluteFSPath();

/** The files the page may ask for, and where they are: nothing else is served from either folder. */
const PAGE_FILES: Record<string, { dir: string; type: string }> = {
  'swagger-ui-bundle.js': { dir: SWAGGER, type: 'text/javascript; charset=utf-8' },
  'swagger-ui.css': { dir: SWAGGER, type: 'text/css; charset=utf-8' },
  'favicon-32x32.png': { dir: SWAGGER, type: 'image/png' },
  'favicon-16x16.png': { dir: SWAGGER, type: 'image/png' },
  'onescreen-api-page.js': { dir: OWN, type: 'text/javascript; charset=utf-8' },
  'onescreen-api-page.css': { dir: OWN, type: 'text/css; charset=utf-8' },
};

export function docsRoutes(opts: { version: string }) {
  let documentJson: string | undefined;
  const files = new Map<string, Promise<Buffer>>();
  const read = (dir: string, name: string) => {
    let f = files.get(name);
    if (!f) {
      f = readFile(join(dir, name));
      files.set(name, f);
      f.catch(() => files.delete(name)); // a failed read is tried again next time
    }
    return f;
  };

  // no-cache plus an ETag: a browser revalidates (304) instead of fetching Swagger UI's 1.7 MB again
  return new Hono()
    .use('/openapi.json', etag())
    .use('/docs', etag())
    .use('/docs/*', etag())
    .get('/openapi.json', (c) => {
      documentJson ??= JSON.stringify(buildOpenApiDocument(opts));
      return c.body(documentJson, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
    })
    .get('/docs', async (c) => c.html((await read(OWN, 'index.html')).toString('utf8'), 200, { 'cache-control': 'no-cache' }))
    .get('/docs/:file', async (c) => {
      const name = c.req.param('file');
      const f = Object.hasOwn(PAGE_FILES, name) ? PAGE_FILES[name] : undefined;
      if (!f) throw notFound(`file ${name}`);
      const body = await read(f.dir, name);
      return c.body(new Uint8Array(body), 200, { 'content-type': f.type, 'cache-control': 'no-cache' });
    });
}
