/**
 * @module server/openapi/document
 * The OpenAPI 3.1 description of the API (`GET /api/openapi.json`), generated with zod-openapi
 * from the route table (`operations.ts`) and the shared zod schemas: the answers the server gives
 * and the description of them come from one source. Schemas are named components by the `id` of
 * their `.meta()` in `shared/`.
 *
 * @example const doc = buildOpenApiDocument({ version: VERSION });
 */
import { createDocument, type oas31, type ZodOpenApiOverrideContext, type ZodOpenApiPathsObject } from 'zod-openapi';
import { SocketRefusal } from '../../shared/index.ts';
import { SESSION_COOKIE } from '../middleware/session.ts';
import { API_OPERATIONS } from './operations.ts';

const DESCRIPTION = `The HTTP API of OneScreen, a real-time operations wall for a city operations centre.

**Who may call.** People and wall screens sign in (\`POST /api/v1/session\`, \`POST /api/v1/session/display\`) and then send the session cookie \`${SESSION_COOKIE}\` (\`HttpOnly; SameSite=Strict\`); what a session may see is decided on the server, and an area or case outside its scope answers exactly like one that does not exist. State-changing requests must come from the server's own origin. Sources post events and readings with an ingest key (\`Authorization: Bearer <key>\`, created with \`npm run admin -- key create <name>\`); a key can write but not read.

**Refusals.** Every refusal and failure answers with the \`ErrorBody\` \`{ "error": { "code", "message", "issues"? } }\`; \`code\` is one of \`ErrorCode\`, and a \`VALIDATION\` refusal names every bad field in \`issues\`. An unexpected failure answers \`500\` with the plain message \`internal error\`.

**Live stream.** Screens receive changes over Socket.IO on the same port (path \`/socket.io/\`), not over HTTP, so it is not listed below. The socket authenticates with the same session cookie and may name an area (\`auth: { areaId }\`, default the session's own). It first gets a \`snapshot\`, then \`event:upsert\`, \`indicator:update\` and \`alarm:upsert\` deltas, each with the room's next \`seq\` (one commit reaches a room as one delta: \`events: [{ created, event }]\`, \`alarms: [...]\`, applied in order); a client that sees a gap asks \`snapshot:request\`. A refused connection's \`connect_error\` carries one of ${SocketRefusal.options.map((r) => `\`${r}\``).join(', ')} as its message. The protocol is typed in \`shared/socket.ts\`.`;

const TAGS: oas31.TagObject[] = [
  { name: 'session', description: 'Signing in and out; enrolling a wall screen' },
  { name: 'ingest', description: 'Sources post events and readings (ingest key)' },
  { name: 'read', description: 'Areas, basemap, categories, indicators and events, cut to the session’s scope' },
  { name: 'cases', description: 'The closed loop: a case, its timeline and its actions; units' },
  { name: 'alarms', description: 'Alarms of the vital signs, acknowledging them, their cases; the alarm rules (administrators)' },
  { name: 'statistics', description: 'Closed-loop statistics and the period report' },
  { name: 'tasks', description: 'Tasks and projects on the map (挂图作战): milestones, 催办/督办, late reports, site visits' },
  { name: 'emergency', description: '平战结合: wartime mode for an incident, its information releases and its archive' },
  { name: 'layers', description: '路长制 roads with their 路长, and key areas (重点区域) under closer monitoring' },
  { name: 'admin', description: 'Users, display tokens and the audit trail (role admin)' },
  { name: 'displays', description: 'Wall displays’ scenes and layouts (administrators), pausing and resuming their rotation (officers)' },
  { name: 'operations', description: 'Health, readiness and metrics' },
  { name: 'documentation', description: 'This description and its page' },
];

/**
 * Removes what only makes the rendered schemas harder to read: zod's regular expression for
 * ISO-8601 times (`format: date-time` says it) and the ±2^53 bounds of every integer.
 */
function tidy({ jsonSchema }: ZodOpenApiOverrideContext): void {
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
}

/** Builds the document; `version` is the server's. Pure: the same input gives the same document. */
export function buildOpenApiDocument(opts: { version: string }) {
  const paths: ZodOpenApiPathsObject = {};
  for (const { method, path, operation } of API_OPERATIONS) {
    paths[path] = { ...paths[path], [method]: operation };
  }
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'OneScreen API',
        version: opts.version,
        description: DESCRIPTION,
        // no license URL: the page links nothing outside the server
        license: { name: 'MIT' },
      },
      tags: TAGS,
      paths,
      components: {
        securitySchemes: {
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'The session cookie set by `POST /api/v1/session` or `POST /api/v1/session/display`. The browser sends it by itself on this origin (it is `HttpOnly`).',
          },
          ingestKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An ingest key (`osk_…`), created with `npm run admin -- key create <name>`; only its SHA-256 hash is stored.',
          },
          metricsToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The `METRICS_TOKEN` the server is configured with (when it is set).',
          },
        },
      },
    },
    { override: tidy },
  );
}
