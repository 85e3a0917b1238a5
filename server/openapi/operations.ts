/**
 * @module server/openapi/operations
 * The route table of the API description: every HTTP operation the server answers, with its
 * parameters, its body and every answer it can give, each with the shared schema that answer
 * follows. The document (`document.ts`) is generated from this table, and the tests compare it
 * with the routes Hono actually registers and with real answers of a running server.
 */
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';
import {
  Alarm,
  AlarmAckRequest,
  AlarmCaseRequest,
  AlarmQuery,
  AlarmRuleSet,
  AlarmRulesSave,
  AlarmsResponse,
  AlarmView,
  AreaCollection,
  AuditList,
  AuditQuery,
  ChannelCreate,
  ChannelList,
  ChannelUpdate,
  ChannelView,
  DeliveryList,
  DeliveryQuery,
  DeliveryView,
  BasemapCollection,
  CaseTagRequest,
  CaseView,
  PersonalData,
  EmergencyEnd,
  ResourceImport,
  RoadCollection,
  RoadImport,
  KeyAreaCollection,
  KeyAreaImportCollection,
  LayerSaved,
  BuildingCollection,
  BuildingImportCollection,
  BuildingQuery,
  ResourceList,
  EmergencyStart,
  EmergencyState,
  Incident,
  IncidentUpdate,
  TaskAction,
  TaskCreate,
  TaskQuery,
  TasksResponse,
  TaskView,
  DisplayConfig,
  DisplayConfigList,
  DisplayConfigSave,
  DisplayCreated,
  DisplayEnrolRequest,
  DisplayTokenCreate,
  DisplayTokenList,
  DisplayTokenView,
  ErrorBody,
  EventBatch,
  EventBatchResponse,
  EventCategoryList,
  EventQuery,
  EventsResponse,
  ForecastQuery,
  ForecastResponse,
  Health,
  HotlineAnalysis,
  HotlineQuery,
  Handover,
  HandoverQuery,
  SnapshotQuery,
  SnapshotResponse,
  HotspotQuery,
  HotspotsResponse,
  IndicatorsResponse,
  LoginRequest,
  PasswordReset,
  ReadingBatch,
  ReadingBatchResponse,
  Readiness,
  RotationRequest,
  SessionInfo,
  StatsQuery,
  StatsResponse,
  TransitionRequest,
  UnitList,
  UserCreate,
  UserList,
  UserView,
  DisplayStatusList,
  WallReport,
  WallReportAccepted,
  type ErrorCode,
} from '../../shared/index.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One row of the table: an operation at an OpenAPI path (`{id}` for a path parameter). */
export interface ApiOperation {
  method: HttpMethod;
  path: string;
  operation: ZodOpenApiOperationObject & { operationId: string; responses: Record<string, ZodOpenApiResponseObject> };
}

/** The security requirements: a session cookie, an ingest key, the metrics token, or none. */
const SESSION = [{ sessionCookie: [] }];
const INGEST = [{ ingestKey: [] }];
const PUBLIC: [] = [];

/** What the media types of the non-JSON answers are. */
export const MEDIA = {
  json: 'application/json',
  geojson: 'application/geo+json',
  csv: 'text/csv',
  html: 'text/html',
  prometheus: 'text/plain; version=0.0.4',
} as const;

// ---- answers -----------------------------------------------------------------------------------

const answer = (description: string, schema: z.ZodType, media: string = MEDIA.json, extra: Partial<ZodOpenApiResponseObject> = {}): ZodOpenApiResponseObject => ({
  description,
  content: { [media]: { schema } },
  ...extra,
});

const retryAfter = z.object({
  'Retry-After': z.number().int().min(1).meta({ description: 'seconds to wait before trying again' }),
});

/** a refusal or failure: the shared error body, with an example of its code and message */
function refusal(description: string, code: ErrorCode, message: string, extra: Partial<ZodOpenApiResponseObject> = {}): ZodOpenApiResponseObject {
  return { description, content: { [MEDIA.json]: { schema: ErrorBody, example: { error: { code, message } } } }, ...extra };
}

/** a refusal naming every bad field; `issue` is an example of one */
const validation = (what: string, message = 'the request was refused: fix the fields listed in issues', issue: { path: string; message: string }): ZodOpenApiResponseObject => ({
  description: `${what} failed its schema (or is not JSON): every bad field is named in \`issues\`.`,
  content: { [MEDIA.json]: { schema: ErrorBody, example: { error: { code: 'VALIDATION', message, issues: [issue] } } } },
});

const E = {
  internal: refusal('An unexpected failure: it is logged on the server, the answer says no more.', 'INTERNAL', 'internal error'),
  signIn: refusal('No valid session cookie: sign in first (`POST /api/v1/session`).', 'UNAUTHORIZED', 'sign in first'),
  crossOrigin: refusal('A state-changing request from another origin.', 'FORBIDDEN', 'cross-origin request refused'),
  notAdmin: refusal('The session is not an admin’s, or the request came from another origin.', 'FORBIDDEN', 'your role may not do this'),
  tooLarge: refusal('The body is larger than allowed.', 'PAYLOAD_TOO_LARGE', 'the body is too large'),
  notJson: refusal('The body is not sent as `application/json`.', 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'),
  areaNotFound: refusal('The area is unknown or outside the session’s scope (both answer alike).', 'NOT_FOUND', 'area 310110019000 not found'),
  badQuery: (what: string) => validation(`The query of ${what}`, 'bad query', { path: 'from', message: 'Invalid ISO datetime' }),
};

/** the answers every session route can give */
const sessionAnswers = { 401: E.signIn, 500: E.internal };
/** the answers of a JSON body checked against a shared schema */
const bodyAnswers = (what: string, issue: { path: string; message: string }, limited = true) => ({
  400: validation(what, undefined, issue),
  ...(limited ? { 413: E.tooLarge } : {}),
  415: E.notJson,
});

const idParam = (description: string) => ({ path: z.object({ id: z.string().min(1).meta({ description }) }) });
/** a required JSON body, with an example a caller can start from (the tests parse it with the schema) */
const jsonBody = (schema: z.ZodType, example: unknown) => ({
  required: true,
  content: { [MEDIA.json]: { schema, example } },
});

/** the API page's files and the description carry an ETag; a request with it in If-None-Match gets 304 */
const etagged = { headers: z.object({ ETag: z.string().meta({ description: 'send it back in `If-None-Match` to get `304` while unchanged' }) }) };
const notModified: ZodOpenApiResponseObject = { description: 'Unchanged since the `ETag` sent in `If-None-Match`.' };

const setCookie = z.object({
  'Set-Cookie': z.string().meta({ description: '`onescreen_session=…; HttpOnly; SameSite=Strict; Path=/` (plus `Secure` when `COOKIE_SECURE=on`)' }),
});
const csvDisposition = z.object({
  'Content-Disposition': z.string().meta({ description: '`attachment; filename="…csv"`' }),
});
const csv = (description: string) => answer(description, z.string().meta({ description: 'UTF-8 CSV, CRLF line ends; cells that a spreadsheet would run as a formula are prefixed with `\'`' }), MEDIA.csv, { headers: csvDisposition });

const ingestAnswers = {
  401: refusal('No ingest key, or not a valid one.', 'UNAUTHORIZED', 'an ingest key is required: Authorization: Bearer <key>', {
    headers: z.object({ 'WWW-Authenticate': z.string().meta({ description: '`Bearer realm="ingest"` (with `error="invalid_token"` for a key that is not valid)' }) }),
  }),
  403: refusal('The ingest key has been revoked.', 'FORBIDDEN', 'the ingest key has been revoked'),
  413: refusal('The body is larger than `INGEST_MAX_BYTES`: split the batch.', 'PAYLOAD_TOO_LARGE', 'the body is larger than 4194304 bytes; split the batch'),
  415: E.notJson,
  429: refusal('This key sends more than `INGEST_RATE_PER_SEC` requests a second (burst twice that).', 'RATE_LIMITED', 'this key sends more than 50 requests a second; slow down or batch more items per request', { headers: retryAfter }),
  500: E.internal,
};

/** too many historical reads (replay, handover) run and wait on this server */
const busyHistory = refusal('Too many historical reads at once on this server.', 'RATE_LIMITED', 'the server is busy with other historical reads; try again in a few seconds', { headers: retryAfter });

// ---- the table ---------------------------------------------------------------------------------

export const API_OPERATIONS: readonly ApiOperation[] = [
  // operations
  {
    method: 'get',
    path: '/api/health',
    operation: {
      operationId: 'getHealth',
      tags: ['operations'],
      summary: 'Health and the centre’s settings',
      description: 'Public. The version, the centre’s name and district, its time zone, the server’s time and the fraction of a stage’s limit at which clocks turn amber.',
      security: PUBLIC,
      responses: { 200: answer('The server is up.', Health), 500: E.internal },
    },
  },
  {
    method: 'get',
    path: '/api/ready',
    operation: {
      operationId: 'getReadiness',
      tags: ['operations'],
      summary: 'Readiness: can this instance serve',
      description: 'Public. For a load balancer or orchestrator: `ready` when every dependency (the database) answers; `checks` names each with `ok` or what is wrong with it.',
      security: PUBLIC,
      responses: {
        200: answer('Ready to serve.', Readiness),
        503: answer('Not ready: `status` is `unavailable` and `checks` says why.', Readiness),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operation: {
      operationId: 'getMetrics',
      tags: ['operations'],
      summary: 'Prometheus metrics',
      description: 'Metrics in the Prometheus text exposition format, for a Prometheus scrape job. When the server is configured with `METRICS_TOKEN`, the scrape must send `Authorization: Bearer <METRICS_TOKEN>`; without it the endpoint is open.',
      security: [{}, { metricsToken: [] }],
      responses: {
        200: answer('The metrics.', z.string().meta({ description: 'Prometheus text exposition format 0.0.4' }), MEDIA.prometheus),
        401: refusal('`METRICS_TOKEN` is set and the request does not carry it.', 'UNAUTHORIZED', 'a metrics token is required: Authorization: Bearer <token>'),
        500: E.internal,
      },
    },
  },

  // documentation
  {
    method: 'get',
    path: '/api/openapi.json',
    operation: {
      operationId: 'getOpenApiDocument',
      tags: ['documentation'],
      summary: 'This API description (OpenAPI 3.1)',
      description: 'Public. Generated from the shared zod schemas (`shared/`) and the route table `server/openapi/operations.ts`.',
      security: PUBLIC,
      responses: {
        200: answer('The OpenAPI 3.1 document.', z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) }), MEDIA.json, etagged),
        304: notModified,
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/docs',
    operation: {
      operationId: 'getApiPage',
      tags: ['documentation'],
      summary: 'The API page (Swagger UI, served by this server)',
      description: 'Public. A human-readable page of this description; its "Try it out" sends requests from the same origin, with the browser’s session cookie.',
      security: PUBLIC,
      responses: { 200: answer('The page.', z.string(), MEDIA.html, etagged), 304: notModified, 500: E.internal },
    },
  },
  {
    method: 'get',
    path: '/api/docs/{file}',
    operation: {
      operationId: 'getApiPageFile',
      tags: ['documentation'],
      summary: 'A file of the API page',
      description: 'Public. Swagger UI’s script, style sheet and icons (from the `swagger-ui-dist` package) and the page’s own initialiser script.',
      security: PUBLIC,
      requestParams: { path: z.object({ file: z.string().meta({ description: 'e.g. `swagger-ui-bundle.js`, `swagger-ui.css`, `onescreen-api-page.js`' }) }) },
      responses: {
        200: {
          description: 'The file.',
          content: { 'text/javascript': { schema: z.string() }, 'text/css': { schema: z.string() }, 'image/png': { schema: z.string().meta({ contentMediaType: 'image/png' }) } },
          ...etagged,
        },
        304: notModified,
        404: refusal('No such file of the page.', 'NOT_FOUND', 'file not found'),
        500: E.internal,
      },
    },
  },

  // sessions
  {
    method: 'get',
    path: '/api/v1/session',
    operation: {
      operationId: 'getSession',
      tags: ['session'],
      summary: 'Who is signed in',
      security: SESSION,
      responses: { 200: answer('The session.', SessionInfo), ...sessionAnswers },
    },
  },
  {
    method: 'post',
    path: '/api/v1/session',
    operation: {
      operationId: 'signIn',
      tags: ['session'],
      summary: 'Sign in with a password',
      description: 'Starts a session and sets its cookie (`HttpOnly; SameSite=Strict`); it lasts `SESSION_HOURS`. Failed sign-ins are throttled per user and per address.',
      security: PUBLIC,
      requestBody: jsonBody(LoginRequest, { username: 'wang.li', password: 'a long pass phrase' }),
      responses: {
        200: answer('Signed in: the session, and its cookie.', SessionInfo, MEDIA.json, { headers: setCookie }),
        ...bodyAnswers('The body', { path: 'username', message: 'Too small: expected string to have >=1 characters' }),
        401: refusal('Wrong username or password, or a disabled user (the answer does not say which).', 'UNAUTHORIZED', 'wrong username or password'),
        403: E.crossOrigin,
        429: refusal(
          'Too many failed sign-ins for this user from this address, or from this address for any user, or too many sign-ins from this address in a minute; an account tried from many addresses is slowed to one attempt every few seconds; and when many passwords are being checked at once the server answers busy. Attempts are counted before the password is checked.',
          'RATE_LIMITED',
          'too many failed sign-ins for this user from this address; try again in 15 minutes',
          { headers: retryAfter },
        ),
        500: E.internal,
      },
    },
  },
  {
    method: 'delete',
    path: '/api/v1/session',
    operation: {
      operationId: 'signOut',
      tags: ['session'],
      summary: 'Sign out',
      description: 'Ends the session (its live streams are closed) and clears the cookie.',
      security: SESSION,
      responses: {
        204: { description: 'Signed out; the cookie is cleared.', headers: z.object({ 'Set-Cookie': z.string().meta({ description: 'clears `onescreen_session`' }) }) },
        401: E.signIn,
        403: E.crossOrigin,
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/session/display',
    operation: {
      operationId: 'enrolDisplay',
      tags: ['session'],
      summary: 'Enrol a wall screen with its display token',
      description: 'Starts a display session (role `wall`, bound to the token’s area) and sets its cookie. In a browser where a person is signed in, the server answers 409 `SESSION_EXISTS` unless `replace` is true, so an officer’s session is never replaced without asking.',
      security: PUBLIC,
      requestBody: jsonBody(DisplayEnrolRequest, { token: 'osd_Q2hhbmdlIG1lOiBhIHJlYWwgdG9rZW4gZnJvbSB0aGUgYWRtaW4' }),
      responses: {
        200: answer('Enrolled: the display’s session, and its cookie.', SessionInfo, MEDIA.json, { headers: setCookie }),
        ...bodyAnswers('The body', { path: 'token', message: 'Too small: expected string to have >=20 characters' }),
        401: refusal('The display link is unknown, revoked, or used already (a link enrols one screen once).', 'UNAUTHORIZED', 'this display link has been used already; an administrator can make a new one in /admin'),
        403: E.crossOrigin,
        409: refusal('A person is signed in in this browser and `replace` is not true.', 'SESSION_EXISTS', 'this browser is signed in as duty-officer; confirm to make it a wall display instead'),
        429: refusal('Too many enrolments or sign-ins from this address in a minute.', 'RATE_LIMITED', 'too many requests from this address; try again in 42 s', { headers: retryAfter }),
        500: E.internal,
      },
    },
  },

  // ingest
  {
    method: 'post',
    path: '/api/v1/events',
    operation: {
      operationId: 'postEvents',
      tags: ['ingest'],
      summary: 'Post a batch of grid events',
      description: 'Up to 1,000 events. A batch that fails the schema is refused whole (400). A well-formed batch is answered only after it is committed to disk, with one result per item. `(source, externalId)` is idempotent: a repeat is a `duplicate` with the existing id.',
      security: INGEST,
      requestBody: jsonBody(EventBatch, {
        events: [
          {
            source: '12345',
            externalId: 'GD20261122-000123',
            category: 'hotline_request',
            title: '夜间施工噪声扰民',
            description: '市民来电反映……',
            lng: 121.514,
            lat: 31.302,
            occurredAt: '2026-11-22T09:30:00+08:00',
            severity: 'medium',
          },
        ],
      }),
      responses: { 200: answer('Committed: one result per event.', EventBatchResponse), 400: validation('The batch', 'the batch was refused: fix the fields listed in issues', { path: 'events.3.lat', message: 'Too big: expected number to be <=90' }), ...ingestAnswers },
    },
  },
  {
    method: 'post',
    path: '/api/v1/readings',
    operation: {
      operationId: 'postReadings',
      tags: ['ingest'],
      summary: 'Post a batch of indicator readings',
      description: 'Up to 1,000 readings, each for an area (`areaId`) or for a point (`lng`/`lat`) that the server places in its grid. Answered after the batch is committed, with one result per item.',
      security: INGEST,
      requestBody: jsonBody(ReadingBatch, {
        readings: [
          { indicator: 'pm25', value: 42, at: '2026-11-22T09:00:00+08:00', areaId: '310110019000' },
          { indicator: 'fire_alarms', value: 1, at: '2026-11-22T09:00:00+08:00', lng: 121.514, lat: 31.302 },
        ],
      }),
      responses: { 200: answer('Committed: one result per reading.', ReadingBatchResponse), 400: validation('The batch', 'the batch was refused: fix the fields listed in issues', { path: 'readings.0.areaId', message: 'give areaId, or both lng and lat' }), ...ingestAnswers },
    },
  },

  // reading back
  {
    method: 'get',
    path: '/api/v1/areas',
    operation: {
      operationId: 'getAreas',
      tags: ['read'],
      summary: 'The areas the session may see (GeoJSON)',
      description: 'The session’s area and everything below it; a street session also gets the district as an outline.',
      security: SESSION,
      responses: { 200: answer('The areas.', AreaCollection, MEDIA.geojson), ...sessionAnswers },
    },
  },
  {
    method: 'get',
    path: '/api/v1/basemap',
    operation: {
      operationId: 'getBasemap',
      tags: ['read'],
      summary: 'The static basemap (GeoJSON)',
      security: SESSION,
      responses: { 200: answer('Sea, neighbouring districts and river.', BasemapCollection, MEDIA.geojson), ...sessionAnswers },
    },
  },
  {
    method: 'get',
    path: '/api/v1/categories',
    operation: {
      operationId: 'getCategories',
      tags: ['read'],
      summary: 'The event categories',
      security: SESSION,
      responses: { 200: answer('The shipped category list.', EventCategoryList), ...sessionAnswers },
    },
  },
  {
    method: 'get',
    path: '/api/v1/indicators',
    operation: {
      operationId: 'getIndicators',
      tags: ['read'],
      summary: 'Indicator definitions and current values of an area',
      security: SESSION,
      requestParams: { query: z.object({ areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own)" }) }) },
      responses: { 200: answer('The registry and the values of the area and its children.', IndicatorsResponse), ...sessionAnswers, 404: E.areaNotFound },
    },
  },
  {
    method: 'get',
    path: '/api/v1/indicators/{id}/forecast',
    operation: {
      operationId: 'getIndicatorForecast',
      tags: ['read'],
      summary: 'Forecast of an indicator for an area (趋势预判)',
      description:
        'Hourly point forecasts for the next `horizon` hours with an 80 % prediction interval, from the server’s own history of the indicator in the area (ARIMA on log values, fitted off the event loop; cached per indicator and area until the next hour or for 10 minutes), and the first forecast hour at the alarm (or warn) threshold of the area’s level. No forecast — a derived indicator, one not shown at the area’s level, fewer than 72 observed hours, or nothing in the last 3 hours — is a `200` with `points: []` and a `reason`.',
      security: SESSION,
      requestParams: { ...idParam('the indicator id, e.g. `pm25`'), query: ForecastQuery },
      responses: {
        200: answer('The forecast (or no points and the reason).', ForecastResponse),
        400: validation('The query', 'bad query', { path: 'horizon', message: 'Too big: expected number to be <=24' }),
        ...sessionAnswers,
        404: refusal('The indicator is unknown, or the area is unknown or outside the session’s scope (both answer alike).', 'NOT_FOUND', 'indicator nope not found'),
        503: refusal('Too many forecasts are being computed: try again shortly.', 'UNAVAILABLE', 'forecasts are busy; try again shortly'),
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/events',
    operation: {
      operationId: 'listEvents',
      tags: ['read'],
      summary: 'Events of an area',
      description: 'Within the session’s scope; `unit=<id>&status=open` is a unit’s own open list.',
      security: SESSION,
      requestParams: { query: EventQuery },
      responses: { 200: answer('The events and their total.', EventsResponse), 400: E.badQuery('the list'), ...sessionAnswers, 404: E.areaNotFound },
    },
  },

  // the closed loop
  {
    method: 'get',
    path: '/api/v1/events/{id}',
    operation: {
      operationId: 'getCase',
      tags: ['cases'],
      summary: 'A case with its timeline and the actions the session may take',
      security: SESSION,
      requestParams: idParam('the event’s id'),
      responses: {
        200: answer('The case.', CaseView),
        ...sessionAnswers,
        404: refusal('No such case, or one outside the session’s scope (both answer alike; the attempt is audited).', 'NOT_FOUND', 'event not found'),
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/events/{id}/transitions',
    operation: {
      operationId: 'transitionCase',
      tags: ['cases'],
      summary: 'Take an action on a case',
      description: 'Moves the case through the closed loop (accept, reject, dispatch, return, handle, verify, rework, escalate, urge, archive). `version` must be the case’s current version: two officers never overwrite each other. The answer is the case with its new version and timeline.',
      security: SESSION,
      requestParams: idParam('the event’s id'),
      requestBody: jsonBody(TransitionRequest, { action: 'dispatch', version: 2, unit: 'fire-safety', coUnits: ['st-310110019000'], note: '请尽快处置' }),
      responses: {
        200: answer('Done: the case as it is now.', CaseView),
        ...bodyAnswers('The action', { path: 'note', message: 'a written note is required' }),
        401: E.signIn,
        403: refusal('The session’s role may not take this action here: a role without it, a case escalated to the district, or a request from another origin.', 'FORBIDDEN', 'a wall may not accept'),
        404: refusal('No such case, or one outside the session’s scope.', 'NOT_FOUND', 'event not found'),
        409: refusal('`version` is stale: the case changed meanwhile; reload it and try again.', 'CONFLICT', 'the case changed meanwhile; reload and try again'),
        422: refusal('The action is not allowed at the case’s stage.', 'INVALID_TRANSITION', 'cannot verify a case that is reported'),
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/events/{id}/personal',
    operation: {
      operationId: 'unmaskCase',
      tags: ['cases'],
      summary: 'The report as posted, its personal data unmasked',
      description: 'Names, phone, ID and plate numbers in a report are masked in every answer and on every screen (138****5678); the full report is kept once, apart. Officers who handle cases (district, street within its street, a unit on its own cases) may read it here; each reading is audited (`case.unmask`). A wall or the administrator may not. `masked` on the case says whether anything was masked.',
      security: SESSION,
      requestParams: idParam('the event’s id'),
      responses: {
        200: answer('The report as posted.', PersonalData),
        401: E.signIn,
        403: refusal('The session’s role may not see personal data (a wall, the administrator), or the request came from another origin.', 'FORBIDDEN', 'a wall may not see personal data'),
        404: refusal('No such case, or one outside the session’s scope.', 'NOT_FOUND', 'event not found'),
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/events/{id}/tags',
    operation: {
      operationId: 'tagCase',
      tags: ['cases'],
      summary: 'Mark or unmark a case typical (典型)',
      description: 'Officers who act on cases (district, street within its street, admin) set or clear the `typical` tag, with an optional note. The change is written to the case’s timeline (action `tag`), audited and streamed to the screens; setting a tag the case already has changes nothing. `recurring` (at ingest) and `emerging` (by the hotspot detector) are set by the server only.',
      security: SESSION,
      requestParams: idParam('the event’s id'),
      requestBody: jsonBody(CaseTagRequest, { tag: 'typical', on: true, note: '同一地点反复占道经营,作为典型案例通报' }),
      responses: {
        200: answer('Done: the case as it is now.', CaseView),
        ...bodyAnswers('The tag', { path: 'tag', message: 'Invalid input: expected "typical"' }),
        401: E.signIn,
        403: refusal('The session’s role may not tag cases (a wall), or the request came from another origin.', 'FORBIDDEN', 'a wall may not tag cases'),
        404: refusal('No such case, or one outside the session’s scope.', 'NOT_FOUND', 'event not found'),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/hotspots',
    operation: {
      operationId: 'listHotspots',
      tags: ['read'],
      summary: 'Emerging hotspots and recurring spots of an area',
      description: 'Emerging: a grid (per category, and over all categories) whose count in the window is significantly above the same hours of the past 4 weeks (same clock hours of the 28 days before for `6h` and `24h`, same weekday-hours of the 4 weeks before for `7d`): p = P(X ≥ count | Poisson(baseline)) < 0.01, with at least 3 cases. Recurring: places where at least 3 cases of a category, linked as recurring at ingest, occurred in the window. Within the session’s scope; computed district-wide at most once a minute per window.',
      security: SESSION,
      requestParams: { query: HotspotQuery },
      responses: { 200: answer('The hotspots.', HotspotsResponse), 400: E.badQuery('the hotspots'), ...sessionAnswers, 404: E.areaNotFound },
    },
  },
  {
    method: 'get',
    path: '/api/v1/units',
    operation: {
      operationId: 'listUnits',
      tags: ['cases'],
      summary: 'The units cases are dispatched to',
      security: SESSION,
      responses: { 200: answer('The units.', UnitList), ...sessionAnswers },
    },
  },

  // statistics
  {
    method: 'get',
    path: '/api/v1/stats',
    operation: {
      operationId: 'getStats',
      tags: ['statistics'],
      summary: 'Closed-loop statistics of an area for a period',
      description: 'Recounted from the timelines, per street and per unit, plus the funnel of open cases by stage (now).',
      security: SESSION,
      requestParams: { query: StatsQuery },
      responses: { 200: answer('The statistics.', StatsResponse), 400: E.badQuery('the statistics'), ...sessionAnswers, 404: E.areaNotFound },
    },
  },
  {
    method: 'get',
    path: '/api/v1/stats.csv',
    operation: {
      operationId: 'getStatsReport',
      tags: ['statistics'],
      summary: 'The period report (通报) as CSV',
      description: 'The statistics as a spreadsheet: one row per street and per unit; starts with a byte-order mark so spreadsheet programs read the Chinese as UTF-8. The export is audited.',
      security: SESSION,
      requestParams: { query: StatsQuery },
      responses: { 200: csv('The report.'), 400: E.badQuery('the report'), ...sessionAnswers, 404: E.areaNotFound },
    },
  },

  // tasks on the map (挂图作战)
  {
    method: 'get',
    path: '/api/v1/tasks',
    operation: {
      operationId: 'listTasks',
      tags: ['tasks'],
      summary: 'Tasks and projects of an area, overdue first',
      description: 'Within the session’s scope (a unit: its own tasks). Each task carries what the server derives from the clock: `late`, the late milestones (`slow`, 慢落实), the late milestones still owing their written report, and for projects whether this quarter’s site visit is due. `coverage` counts the active projects visited this quarter (R5.4).',
      security: SESSION,
      requestParams: { query: TaskQuery },
      responses: { 200: answer('The tasks, their total, and the quarter’s site-visit coverage.', TasksResponse), 400: E.badQuery('the list'), ...sessionAnswers, 403: refusal('A unit asked for another unit’s tasks.', 'FORBIDDEN', 'a unit sees only its own tasks'), 404: E.areaNotFound },
    },
  },
  {
    method: 'get',
    path: '/api/v1/tasks.csv',
    operation: {
      operationId: 'getTasksReport',
      tags: ['tasks'],
      summary: 'The task bulletin (督查通报) as CSV',
      description: 'The tasks of the list as a spreadsheet, with their flags (逾期, 慢落实, 待书面报告, 本季未现场办公); starts with a byte-order mark. The export is audited.',
      security: SESSION,
      requestParams: { query: TaskQuery },
      responses: { 200: csv('The bulletin.'), 400: E.badQuery('the bulletin'), ...sessionAnswers, 403: refusal('A unit asked for another unit’s tasks.', 'FORBIDDEN', 'a unit sees only its own tasks'), 404: E.areaNotFound },
    },
  },
  {
    method: 'post',
    path: '/api/v1/tasks',
    operation: {
      operationId: 'createTask',
      tags: ['tasks'],
      summary: 'Create a task or project',
      description: 'District officers (and admins) anywhere in the district, street officers in their street. The responsible unit must exist; milestones are due by the deadline; the location (a point, or a polygon’s corners) lies in the task’s area.',
      security: SESSION,
      requestBody: jsonBody(TaskCreate, {
        kind: 'project', title: '五角场商圈环境综合整治', unitId: 'urban-management', person: '张某某 副局长', standard: '占道经营清零，市容达标率 100%',
        deadline: '2027-03-31T18:00:00+08:00', location: { type: 'Point', coordinates: [121.514, 31.302] },
        milestones: [{ title: '摸底排查', due: '2026-12-31T18:00:00+08:00' }, { title: '集中整治', due: '2027-02-28T18:00:00+08:00' }],
      }),
      responses: {
        201: answer('The new task.', TaskView),
        ...bodyAnswers('The task', { path: 'milestones', message: 'Too small: expected array to have >=1 items' }),
        401: E.signIn,
        403: refusal('The session’s role may not create tasks (a wall, a unit), or the request came from another origin.', 'FORBIDDEN', 'a wall may not create tasks'),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/tasks/{id}',
    operation: {
      operationId: 'getTask',
      tags: ['tasks'],
      summary: 'A task with its log and the actions the session may take',
      security: SESSION,
      requestParams: idParam('the task’s id'),
      responses: { 200: answer('The task.', TaskView), ...sessionAnswers, 404: refusal('No such task, or one outside the session’s scope (both answer alike).', 'NOT_FOUND', 'task not found') },
    },
  },
  {
    method: 'post',
    path: '/api/v1/tasks/{id}/actions',
    operation: {
      operationId: 'actOnTask',
      tags: ['tasks'],
      summary: 'Take an action on a task',
      description: 'Report progress, reach a milestone, file the written report a late milestone needs (text and the attached file’s name), urge (催办), supervise (督办, district), record a site visit, complete it to its standard. `version` must be the task’s current version. Every action is logged on the task and audited; late milestones and deadlines are also chased by the server itself, once each.',
      security: SESSION,
      requestParams: idParam('the task’s id'),
      requestBody: jsonBody(TaskAction, { action: 'lateReport', version: 4, index: 0, text: '因拆迁协调延误两周，已调整计划于 1 月 15 日前完成摸底', attachment: '延期说明.pdf' }),
      responses: {
        200: answer('Done: the task as it is now.', TaskView),
        ...bodyAnswers('The action', { path: 'text', message: 'a written report is required' }),
        401: E.signIn,
        403: refusal('The session’s role may not take this action, or its unit is not responsible for the task.', 'FORBIDDEN', 'your unit is not responsible for this task'),
        404: refusal('No such task, or one outside the session’s scope.', 'NOT_FOUND', 'task not found'),
        409: refusal('`version` is stale: the task changed meanwhile.', 'CONFLICT', 'the task changed meanwhile; reload and try again'),
        422: refusal('The action does not fit the task now (a milestone reached already, one not late, a task done).', 'INVALID_TRANSITION', 'milestone 0 is not late'),
        500: E.internal,
      },
    },
  },

  // 平战结合: wartime mode
  {
    method: 'get',
    path: '/api/v1/emergency',
    operation: {
      operationId: 'getEmergencyState',
      tags: ['emergency'],
      summary: 'The mode of an area: peacetime, or wartime for an incident',
      description: 'An area follows its own incident, or the nearest one above it (a street is at war when the district is). The incident comes with its whole log (start, information releases, changes). Areas’ roles only (not a unit). Walls are told over their socket (`emergency:changed`) when it changes, and ask again.',
      security: SESSION,
      requestParams: { query: z.object({ areaId: z.string().optional().meta({ description: "the area (default: the session's own)" }) }) },
      responses: { 200: answer('The mode.', EmergencyState), 400: E.badQuery('the mode'), ...sessionAnswers, 403: refusal('A unit account: it has no area.', 'FORBIDDEN', 'your role may not do this'), 404: E.areaNotFound },
    },
  },
  {
    method: 'post',
    path: '/api/v1/emergency',
    operation: {
      operationId: 'startIncident',
      tags: ['emergency'],
      summary: 'Switch an area to wartime for an incident',
      description: 'District officers for the district or any street, street officers for their own street (属地为主). Grade I–IV, class (natural, accident, health, security), the incident’s place (within the area) and reach, the command group; `drill` marks an exercise (演练) on every screen. An area runs one incident at a time. Audited; every wall of the area and below switches at once.',
      security: SESSION,
      requestBody: jsonBody(EmergencyStart, { grade: 'II', class: 'accident', title: '军工路某化工仓库火灾', lng: 121.535, lat: 31.29, radiusM: 1500, drill: false, command: { commander: '王某某 副区长', members: ['区应急管理局', '区消防救援支队', '区公安分局'] } }),
      responses: {
        201: answer('The incident.', Incident),
        ...bodyAnswers('The incident', { path: 'grade', message: 'Invalid option: expected one of "I"|"II"|"III"|"IV"' }),
        401: E.signIn,
        403: refusal('The session may not command an incident of that area (a wall, an admin, another street), or the request came from another origin.', 'FORBIDDEN', 'a street does not start an incident of 310110'),
        409: refusal('The area runs an incident already.', 'CONFLICT', '杨浦区 runs an incident already: end it first'),
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/emergency/end',
    operation: {
      operationId: 'endIncidentOfArea',
      tags: ['emergency'],
      summary: 'Return an area to peacetime',
      description: 'Ends the incident the area itself runs (default the session’s own area) under its `version`, with a summary; the incident is archived with its whole log. Audited; the walls switch back at once.',
      security: SESSION,
      requestBody: jsonBody(EmergencyEnd.extend({ areaId: z.string().optional() }), { version: 4, summary: '明火已扑灭，周边交通恢复，转入善后处置' }),
      responses: {
        200: answer('The ended incident.', Incident),
        ...bodyAnswers('The end', { path: 'summary', message: 'Too small: expected string to have >=1 characters' }),
        401: E.signIn,
        403: refusal('The session may not command this incident.', 'FORBIDDEN', 'your role may not do this'),
        404: refusal('The area runs no incident of its own.', 'NOT_FOUND', '310110 runs no incident of its own'),
        409: refusal('`version` is stale: the incident changed meanwhile.', 'CONFLICT', 'the incident changed (version 5)'),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/emergency/archive',
    operation: {
      operationId: 'listEndedIncidents',
      tags: ['emergency'],
      summary: 'Ended incidents of the session’s scope, the newest first',
      security: SESSION,
      responses: { 200: answer('The archive (without logs: ask for an incident to read its log).', z.object({ incidents: z.array(Incident) })), ...sessionAnswers, 403: refusal('A unit account.', 'FORBIDDEN', 'your role may not do this') },
    },
  },
  {
    method: 'get',
    path: '/api/v1/emergency/running',
    operation: {
      operationId: 'listRunningIncidents',
      tags: ['emergency'],
      summary: 'The incidents running now that the session may see, with their logs',
      description: 'A district officer sees the district’s and every street’s (the command page lets it command each); a street officer its own street’s and the district’s.',
      security: SESSION,
      responses: { 200: answer('The running incidents.', z.object({ incidents: z.array(Incident) })), ...sessionAnswers, 403: refusal('A unit account.', 'FORBIDDEN', 'your role may not do this') },
    },
  },
  {
    method: 'get',
    path: '/api/v1/emergency/{id}',
    operation: {
      operationId: 'getIncident',
      tags: ['emergency'],
      summary: 'An incident with its whole log',
      security: SESSION,
      requestParams: idParam('the incident’s id'),
      responses: { 200: answer('The incident.', Incident), ...sessionAnswers, 403: refusal('A unit account.', 'FORBIDDEN', 'your role may not do this'), 404: refusal('No such incident, or one the session may not see.', 'NOT_FOUND', 'incident not found') },
    },
  },
  {
    method: 'post',
    path: '/api/v1/emergency/{id}/log',
    operation: {
      operationId: 'updateIncident',
      tags: ['emergency'],
      summary: 'Release information (滚动发布) or change an incident',
      description: '`release`: a line of the rolling information release every wall in scope shows; `update`: a new grade or reach, with a note. Under the incident’s `version`; appended to its log and audited.',
      security: SESSION,
      requestParams: idParam('the incident’s id'),
      requestBody: jsonBody(IncidentUpdate, { kind: 'release', version: 2, text: '17:40 明火已得到控制，军工路（政立路—国定路）双向封闭，请绕行' }),
      responses: {
        200: answer('The incident as it is now.', Incident),
        ...bodyAnswers('The update', { path: 'text', message: 'Too small: expected string to have >=1 characters' }),
        401: E.signIn,
        403: refusal('The session may not command this incident.', 'FORBIDDEN', 'your role may not do this'),
        404: refusal('No such incident, or one the session may not see.', 'NOT_FOUND', 'incident not found'),
        409: refusal('`version` is stale.', 'CONFLICT', 'the incident changed (version 3)'),
        422: refusal('The incident has ended.', 'INVALID_TRANSITION', 'the incident has ended'),
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/emergency/{id}/end',
    operation: {
      operationId: 'endIncident',
      tags: ['emergency'],
      summary: 'End an incident: back to peacetime',
      security: SESSION,
      requestParams: idParam('the incident’s id'),
      requestBody: jsonBody(EmergencyEnd, { version: 4, summary: '明火已扑灭，周边交通恢复，转入善后处置' }),
      responses: {
        200: answer('The ended incident.', Incident),
        ...bodyAnswers('The end', { path: 'summary', message: 'Too small: expected string to have >=1 characters' }),
        401: E.signIn,
        403: refusal('The session may not command this incident.', 'FORBIDDEN', 'your role may not do this'),
        404: refusal('No such incident, or one the session may not see.', 'NOT_FOUND', 'incident not found'),
        409: refusal('`version` is stale.', 'CONFLICT', 'the incident changed (version 5)'),
        422: refusal('The incident has ended already.', 'INVALID_TRANSITION', 'the incident has ended'),
        500: E.internal,
      },
    },
  },

  {
    method: 'get',
    path: '/api/v1/resources',
    operation: {
      operationId: 'listResources',
      tags: ['emergency'],
      summary: 'The emergency resource registry: teams, supplies, shelters',
      description: 'Every resource of the district with its place, street, owner, capacity and availability, and the incident it has been sent to while that runs. Contacts are for officers: a wall gets them empty. Sample entries (the demo’s) carry `demo: true`.',
      security: SESSION,
      responses: { 200: answer('The registry.', ResourceList), ...sessionAnswers, 403: refusal('A unit account.', 'FORBIDDEN', 'your role may not do this') },
    },
  },
  {
    method: 'put',
    path: '/api/v1/admin/resources',
    operation: {
      operationId: 'importResources',
      tags: ['admin'],
      summary: 'Import the resource registry (replaces it)',
      description: 'GeoJSON points within the district (WGS84), at most 5,000, ids unique, up to 2 MiB; each is placed in its street. The registry kept is replaced in one transaction: a refused import changes nothing. Audited.',
      security: SESSION,
      requestBody: jsonBody(ResourceImport, {
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [121.514, 31.302] }, properties: { id: 'fire-wjc', kind: 'team', name: '五角场消防救援站', owner: '区消防救援支队', contact: '值班室 021-0000-0000', capacity: '队员 30 人，水罐车 2 辆', available: true } }],
      }),
      responses: {
        200: answer('The registry as kept.', ResourceList),
        ...bodyAnswers('The registry', { path: 'features.0.geometry', message: '121.9,31.3 (五角场消防救援站) lies outside the district' }),
        401: E.signIn,
        403: E.notAdmin,
        500: E.internal,
      },
    },
  },

  // 路长制 roads and key areas
  {
    method: 'get',
    path: '/api/v1/roads',
    operation: {
      operationId: 'listRoads',
      tags: ['layers'],
      summary: 'Road segments and their 路长, as GeoJSON',
      description: 'The road network the centre imported (until then the demo’s main roads, drawn approximately: `approximate: true`), segments grouped into roads by `roadId`, each with its 路长 (the phone masked) and the streets it runs through; a street’s session gets the segments that run through its street. A case reported within 30 m of a road names it as `roadId`.',
      security: SESSION,
      responses: { 200: answer('The road segments.', RoadCollection), ...sessionAnswers, 403: refusal('A unit account.', 'FORBIDDEN', 'your role may not do this') },
    },
  },
  {
    method: 'get',
    path: '/api/v1/key-areas',
    operation: {
      operationId: 'listKeyAreas',
      tags: ['layers'],
      summary: 'Key areas (重点区域), as GeoJSON',
      description: 'The key areas under closer monitoring, each with its `factor`: a case reported inside one (its `keyAreaIds`) runs every stage on limits multiplied by the tightest factor of its areas (its `limitFactor`). A street’s session gets the key areas overlapping its street.',
      security: SESSION,
      responses: { 200: answer('The key areas.', KeyAreaCollection), ...sessionAnswers, 403: refusal('A unit account.', 'FORBIDDEN', 'your role may not do this') },
    },
  },
  {
    method: 'get',
    path: '/api/v1/buildings',
    operation: {
      operationId: 'listBuildings',
      tags: ['layers'],
      summary: 'A grid’s buildings and their 楼栋长 and 单元长 (三长联动)',
      description: 'The buildings standing in a grid, each with its 楼栋长 and its units with their 单元长 (phones masked); the grid’s 网格长 is a property of the grid (`chief`, `GET /api/v1/areas`). A case reported with a registered `buildingId`, inside a building’s outline or within 15 m of a building given as a point names it as `buildingId`.',
      security: SESSION,
      requestParams: { query: BuildingQuery },
      responses: { 200: answer('The grid’s buildings.', BuildingCollection), 400: E.badQuery('the buildings'), ...sessionAnswers, 403: refusal('A unit account.', 'FORBIDDEN', 'your role may not do this'), 404: refusal('No such grid, or one outside the session’s area.', 'NOT_FOUND', 'grid 310110019000-g001 not found') },
    },
  },
  ...(['roads', 'key-areas', 'buildings'] as const).flatMap((kind): ApiOperation[] => {
    const roads = kind === 'roads';
    const what = roads ? 'the road network' : kind === 'key-areas' ? 'the key areas' : 'the buildings';
    const ids = { roads: ['exportRoads', 'importRoads'], 'key-areas': ['exportKeyAreas', 'importKeyAreas'], buildings: ['exportBuildings', 'importBuildings'] }[kind];
    const shape = {
      roads: 'LineStrings with `name` and `class` (segments of one `roadId` — default the name — agree on name and class, and give at most one 路长)',
      'key-areas': 'Polygons with `id`, `name` and `factor` (0.1–1)',
      buildings: 'Points or Polygons with `id` and `name`, the 楼栋长 (`chief`) and `units` with their 单元长, each standing in a grid',
    }[kind];
    return [
      {
        method: 'get',
        path: `/api/v1/admin/${kind}`,
        operation: {
          operationId: ids[0]!,
          tags: ['admin'],
          summary: `Export ${what} as kept (with its version)`,
          description: `GeoJSON as kept${roads ? ', each 路长’s phone whole' : ''}; \`version\` is the one to send back with an import (0: the shipped demo, never imported).`,
          security: SESSION,
          responses: { 200: answer(`${what} as kept, in the shape an import takes (so an export imports again as it is), with its \`version\`.`, roads ? RoadImport : kind === 'key-areas' ? KeyAreaImportCollection : BuildingImportCollection), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
        },
      },
      {
        method: 'put',
        path: `/api/v1/admin/${kind}`,
        operation: {
          operationId: ids[1]!,
          tags: ['admin'],
          summary: `Import ${what} (replaces it)`,
          description: `WGS84 GeoJSON, up to 16 MiB, checked whole: ${shape}, each lying in the district; every problem is named by its feature’s index, and a refused import changes nothing. \`version\` is the version exported (409 when someone imported since). Cases reported afterwards are placed by the new layer; earlier ones keep their road, key areas and limits. Audited; every node reloads it.`,
          security: SESSION,
          requestParams: { query: z.object({ version: z.coerce.number().int().min(0).meta({ description: 'the version of the layer this import replaces, as exported' }) }) },
          requestBody: jsonBody(
            roads ? RoadImport : kind === 'key-areas' ? KeyAreaImportCollection : BuildingImportCollection,
            roads
              ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [[121.514, 31.302], [121.53, 31.305]] }, properties: { roadId: 'xiangyin-rd', name: '翔殷路', class: 'arterial', chief: { name: '王某某', unit: '五角场街道办事处', phone: '13900000004' } } }] }
              : kind === 'key-areas'
                ? { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [[[121.51, 31.3], [121.52, 31.3], [121.52, 31.305], [121.51, 31.305], [121.51, 31.3]]] }, properties: { id: 'wujiaochang', name: '五角场商圈', factor: 0.5 } }] }
                : { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [121.5088, 31.2978] }, properties: { id: 'gqd-1', name: '国权东路某小区 1号楼', chief: { name: '张某某', phone: '13600000000' }, units: [{ name: '1单元', chief: { name: '李某', phone: '13700000001' } }] } }] },
          ),
          responses: {
            200: answer('The layer as saved: its new version and how many features.', LayerSaved),
            ...bodyAnswers(what, { path: 'features[2] (城外路)', message: 'lies outside the district (WGS84 expected: coordinates from Amap or Baidu are offset)' }),
            401: E.signIn,
            403: E.notAdmin,
            409: refusal('Someone imported since the version given.', 'CONFLICT', `the ${kind.replace('-', '_')} were changed (version 2, you saw 1): reload and import again`),
            500: E.internal,
          },
        },
      },
    ];
  }),

  // 12345 hotline analysis
  {
    method: 'get',
    path: '/api/v1/analytics/hotline',
    operation: {
      operationId: 'getHotlineAnalysis',
      tags: ['statistics'],
      summary: '12345 hotline analysis of an area for a period',
      description:
        'Hotline events (source `12345`) of the area in the period (default: the last 24 hours; at most 92 days) against the same wall-clock hours one week earlier in the centre’s time zone: volume by category with the change, the fastest-rising categories (score (n − baseline) ÷ √(baseline + 1) at least 1, and at least two calls more than the baseline), repeat locations (grids, and spots within 100 m, with two or more cases), on-time and satisfaction figures of the hotline cases archived in either window (rates null when nothing closed), an hourly series and per-grid counts.',
      security: SESSION,
      requestParams: { query: HotlineQuery },
      responses: { 200: answer('The analysis.', HotlineAnalysis), 400: E.badQuery('the analysis'), ...sessionAnswers, 403: E.crossOrigin, 404: E.areaNotFound },
    },
  },
  {
    method: 'get',
    path: '/api/v1/analytics/hotline.csv',
    operation: {
      operationId: 'getHotlineReport',
      tags: ['statistics'],
      summary: 'The 12345 hotline analysis as CSV',
      description: 'Two tables separated by a blank line: categories with their baseline and change, then repeat locations (spots, then grids) with their case ids. Starts with a byte-order mark so spreadsheet programs read the Chinese as UTF-8; text cells a spreadsheet would run as a formula are prefixed with `\'`. The export is audited.',
      security: SESSION,
      requestParams: { query: HotlineQuery },
      responses: { 200: csv('The report.'), 400: E.badQuery('the report'), ...sessionAnswers, 403: E.crossOrigin, 404: E.areaNotFound },
    },
  },

  // replay and the shift handover
  {
    method: 'get',
    path: '/api/v1/snapshot',
    operation: {
      operationId: 'getSnapshot',
      tags: ['read'],
      summary: 'An area’s wall snapshot, live or as it was at a past time',
      description:
        'Without `at`: the live snapshot a wall receives on its socket. With `at` (within the last 7 days, not in the future): the snapshot as the live one said it then, reconstructed from the stored cases and their timelines (only cases received by then; each case’s stage from its last timeline entry at or before `at`), the readings and rolled-up series (values, statuses and 24-hour trends as of `at`), the alarms active then (severity, acknowledgement and value from their history) and the hourly counts of that day and the day before. A historical snapshot has `seq` 0, `epoch` `replay` and `serverTime` = `at`. What the records cannot tell: a past stage’s deadline is recomputed from the time limits in force now; an alarm’s value is that of its last history step; a folded hour of readings is known by its last reading. Scoped like the live one.',
      security: SESSION,
      requestParams: { query: SnapshotQuery },
      responses: {
        200: answer('The snapshot.', SnapshotResponse),
        400: validation('The query', 'at is more than 7 days ago', { path: 'at', message: 'at is more than 7 days ago' }),
        ...sessionAnswers,
        403: E.crossOrigin,
        404: E.areaNotFound,
        429: busyHistory,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/handover',
    operation: {
      operationId: 'getHandover',
      tags: ['statistics'],
      summary: 'The shift handover (交接班): what happened in a window',
      description:
        'Cases received, archived and gone past a stage’s time limit in [since, until) (default until: now; at most 7 days; not in the future), alarms raised and cleared in it, counted by street and by category; each list newest first (alarms the most severe first), at most 200 items, the totals complete. Scoped like every read.',
      security: SESSION,
      requestParams: { query: HandoverQuery },
      responses: {
        200: answer('The handover.', Handover),
        400: validation('The query', 'since must be before until', { path: 'since', message: 'since must be before until' }),
        ...sessionAnswers,
        403: E.crossOrigin,
        404: E.areaNotFound,
        429: busyHistory,
      },
    },
  },

  // administration
  {
    method: 'get',
    path: '/api/v1/admin/users',
    operation: {
      operationId: 'listUsers',
      tags: ['admin'],
      summary: 'Users',
      security: SESSION,
      responses: { 200: answer('Every user.', UserList), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/users',
    operation: {
      operationId: 'createUser',
      tags: ['admin'],
      summary: 'Create a user',
      security: SESSION,
      requestBody: jsonBody(UserCreate, { username: 'wjc-duty', role: 'street', areaId: '310110019000', password: 'a long pass phrase' }),
      responses: {
        201: answer('Created.', UserView),
        ...bodyAnswers('The user', { path: 'password', message: 'must be at least 10 characters' }),
        401: E.signIn,
        403: E.notAdmin,
        409: refusal('The username is taken.', 'CONFLICT', 'user wang.li exists already'),
        500: E.internal,
      },
    },
  },
  ...(['disable', 'enable'] as const).map(
    (what): ApiOperation => ({
      method: 'post',
      path: `/api/v1/admin/users/{id}/${what}`,
      operation: {
        operationId: `${what}User`,
        tags: ['admin'],
        summary: what === 'disable' ? 'Disable a user (its sessions and live streams end at once)' : 'Enable a user again',
        security: SESSION,
        requestParams: idParam('the user’s id or username'),
        responses: {
          200: answer('The user as it is now.', UserView),
          401: E.signIn,
          403: E.notAdmin,
          404: refusal('No such user.', 'NOT_FOUND', 'no user wang.li'),
          500: E.internal,
        },
      },
    }),
  ),
  {
    method: 'post',
    path: '/api/v1/admin/users/{id}/password',
    operation: {
      operationId: 'resetPassword',
      tags: ['admin'],
      summary: 'Set a user’s password',
      security: SESSION,
      requestParams: idParam('the user’s id or username'),
      requestBody: jsonBody(PasswordReset, { password: 'another long pass phrase' }),
      responses: {
        204: { description: 'Done.' },
        ...bodyAnswers('The password', { path: 'password', message: 'must be at least 10 characters' }),
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such user.', 'NOT_FOUND', 'no user wang.li'),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/displays',
    operation: {
      operationId: 'listDisplays',
      tags: ['admin'],
      summary: 'Display tokens',
      security: SESSION,
      responses: { 200: answer('Every display token (never the token itself).', DisplayTokenList), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/displays',
    operation: {
      operationId: 'createDisplay',
      tags: ['admin'],
      summary: 'Create a display token for a wall screen',
      security: SESSION,
      requestBody: jsonBody(DisplayTokenCreate, { name: '五角场大屏', areaId: '310110019000' }),
      responses: {
        201: answer('Created: the token is in this answer only, never stored.', DisplayCreated),
        ...bodyAnswers('The display', { path: 'name', message: 'Too small: expected string to have >=1 characters' }),
        401: E.signIn,
        403: E.notAdmin,
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/displays/{id}/link',
    operation: {
      operationId: 'relinkDisplay',
      tags: ['admin'],
      summary: 'A new enrolment link for a display (the old link stops working)',
      description: 'For a screen that lost its session (a new browser, a wiped profile). Screens already enrolled keep running; revoke the display to stop them.',
      security: SESSION,
      requestParams: idParam('the display token’s id'),
      responses: {
        201: answer('The new link: its token is in this answer only, never stored.', DisplayCreated),
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such display token.', 'NOT_FOUND', 'no display 7d3c…'),
        409: refusal('The display is revoked: create a new one.', 'CONFLICT', 'display 五角场大屏 is revoked; create a new one'),
        413: E.tooLarge,
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/displays/{id}/revoke',
    operation: {
      operationId: 'revokeDisplay',
      tags: ['admin'],
      summary: 'Revoke a display token (the screen stops within seconds)',
      security: SESSION,
      requestParams: idParam('the display token’s id'),
      responses: {
        200: answer('The display token as it is now.', DisplayTokenView),
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such display token.', 'NOT_FOUND', 'no display 7d3c…'),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/alarms',
    operation: {
      operationId: 'listAlarms',
      tags: ['alarms'],
      summary: 'Alarms of an area and below it',
      description: 'One alarm per episode of a rule in an area. `status=active` (default): raised or acknowledged, the most severe and oldest first; `cleared`: the newest cleared first; `all`: both. A street centre sees the alarms of its own street and grids.',
      security: SESSION,
      requestParams: { query: AlarmQuery },
      responses: { 200: answer('The alarms and how many match.', AlarmsResponse), 400: E.badQuery('the alarms'), ...sessionAnswers, 404: E.areaNotFound },
    },
  },
  {
    method: 'get',
    path: '/api/v1/alarms/{id}',
    operation: {
      operationId: 'getAlarm',
      tags: ['alarms'],
      summary: 'An alarm with its history',
      security: SESSION,
      requestParams: idParam('the alarm’s id'),
      responses: {
        200: answer('The alarm and its history (raised, escalated, acknowledged, case opened, cleared).', AlarmView),
        ...sessionAnswers,
        404: refusal('No such alarm, or one outside the session’s scope (both answer alike; the attempt is audited).', 'NOT_FOUND', 'alarm not found'),
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/alarms/{id}/ack',
    operation: {
      operationId: 'acknowledgeAlarm',
      tags: ['alarms'],
      summary: 'Acknowledge an alarm (确认)',
      description: 'Records who acknowledged it and their note; the alarm stays until its rule clears it. `version` must be the alarm’s current version. Audited.',
      security: SESSION,
      requestParams: idParam('the alarm’s id'),
      requestBody: jsonBody(AlarmAckRequest, { version: 1, note: '已通知街道核实' }),
      responses: {
        200: answer('Acknowledged: the alarm as it is now.', Alarm),
        ...bodyAnswers('The acknowledgement', { path: 'version', message: 'Invalid input: expected number, received undefined' }),
        401: E.signIn,
        403: refusal('Only district and street officers acknowledge alarms; or the request came from another origin.', 'FORBIDDEN', 'your role may not do this'),
        404: refusal('No such alarm, or one outside the session’s scope.', 'NOT_FOUND', 'alarm not found'),
        409: refusal('Already acknowledged, or `version` is stale.', 'CONFLICT', 'the alarm changed since you saw it: reload and try again'),
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/alarms/{id}/case',
    operation: {
      operationId: 'openAlarmCase',
      tags: ['alarms'],
      summary: 'Open a case from an alarm',
      description: 'Opens a grid event in the closed loop (source `alarm`, external id the alarm’s id; category and severity from the rule), placed in the alarm’s area, and links the two. An episode opens at most one case. Audited.',
      security: SESSION,
      requestParams: idParam('the alarm’s id'),
      requestBody: jsonBody(AlarmCaseRequest, { note: '请消防站核查' }),
      responses: {
        201: answer('The case was opened: the alarm and the case.', z.object({ alarm: Alarm, case: CaseView })),
        ...bodyAnswers('The request', { path: 'note', message: 'Too big: expected string to have <=500 characters' }),
        401: E.signIn,
        403: refusal('Only district and street officers open cases from alarms; or the request came from another origin.', 'FORBIDDEN', 'your role may not do this'),
        404: refusal('No such alarm, or one outside the session’s scope.', 'NOT_FOUND', 'alarm not found'),
        409: refusal('The alarm already has its case, or its rule opens none (`createCase: off`).', 'CONFLICT', 'this alarm already has its case'),
        422: refusal('The case could not be placed (the rule’s category or area is not accepted).', 'VALIDATION', 'the case could not be opened'),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/rules',
    operation: {
      operationId: 'getAlarmRules',
      tags: ['alarms', 'admin'],
      summary: 'The alarm rules in force',
      security: SESSION,
      responses: { 200: answer('The rule set and its version (0: as shipped in `data/rules.json`).', AlarmRuleSet), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
    },
  },
  {
    method: 'put',
    path: '/api/v1/admin/rules',
    operation: {
      operationId: 'saveAlarmRules',
      tags: ['alarms', 'admin'],
      summary: 'Replace the alarm rules, applied at once',
      description: 'The whole set, saved as the next version if the live one is still at `version`, and applied without a restart: open alarms of removed or disabled rules are cleared. Audited with what was added, changed and removed.',
      security: SESSION,
      requestBody: jsonBody(AlarmRulesSave, {
        version: 0,
        rules: [{ id: 'pm25.district', name: { zh: 'PM2.5浓度超标', en: 'PM2.5 out of range' }, indicatorId: 'pm25', levels: ['district'], kind: 'threshold', direction: 'above', warn: 75, alarm: 115, clear: 55, forSec: 1800 }],
      }),
      responses: {
        200: answer('Saved and in force.', AlarmRuleSet),
        ...bodyAnswers('The rule set', { path: 'rules.0.clear', message: 'clear must be below the lowest threshold (hysteresis)' }),
        401: E.signIn,
        403: E.notAdmin,
        409: refusal('Someone saved the rules since `version`: reload them.', 'CONFLICT', 'the rules were saved by admin since you loaded them (version 3): reload'),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/audit',
    operation: {
      operationId: 'listAudit',
      tags: ['admin'],
      summary: 'The audit trail',
      security: SESSION,
      requestParams: { query: AuditQuery },
      responses: { 200: answer('Audit entries, newest first.', AuditList), 400: E.badQuery('the audit trail'), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/audit.csv',
    operation: {
      operationId: 'exportAudit',
      tags: ['admin'],
      summary: 'The audit trail as CSV',
      description: 'Up to 100,000 entries of the period (`limit` is ignored); the export is itself audited.',
      security: SESSION,
      requestParams: { query: AuditQuery },
      responses: { 200: csv('The audit trail.'), 400: E.badQuery('the export'), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
    },
  },
  // notifications out (admin)
  {
    method: 'get',
    path: '/api/v1/admin/notifications/channels',
    operation: {
      operationId: 'listNotificationChannels',
      tags: ['admin'],
      summary: 'Notification channels',
      description: 'Every channel, its URL masked (query values and token-like path parts) and its secret never shown.',
      security: SESSION,
      responses: { 200: answer('Every channel.', ChannelList), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/notifications/channels',
    operation: {
      operationId: 'createNotificationChannel',
      tags: ['admin'],
      summary: 'Add a notification channel (webhook, WeCom or DingTalk robot)',
      description:
        'A channel gets the notices of its area and every area below it, of the kinds it lists and at least its severity. ' +
        'A `webhook` POSTs JSON `{id, key, kind, severity, areaId, areaName, title, text, at, url}` with `X-OneScreen-Timestamp` (unix seconds) and ' +
        '`X-OneScreen-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: a receiver recomputes it over the raw body, compares in constant time, ' +
        'refuses timestamps more than a few minutes old, and deduplicates on `id`. `wecom` posts a markdown message to a WeCom group robot’s URL; ' +
        '`dingtalk` to a DingTalk custom robot’s, signed (加签) when a secret is given. Failed deliveries are retried with backoff.',
      security: SESSION,
      requestBody: jsonBody(ChannelCreate, { name: '区城运值班群', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa', areaId: '310110', minSeverity: 'warn', kinds: ['alarm', 'alarm_cleared', 'breach'], enabled: true }),
      responses: {
        201: answer('Created (its URL masked).', ChannelView),
        ...bodyAnswers('The channel', { path: 'url', message: 'must be an http: or https: URL' }),
        401: E.signIn,
        403: E.notAdmin,
        500: E.internal,
      },
    },
  },
  {
    method: 'patch',
    path: '/api/v1/admin/notifications/channels/{id}',
    operation: {
      operationId: 'updateNotificationChannel',
      tags: ['admin'],
      summary: 'Change a notification channel (enable, disable, retarget)',
      description: 'Only the fields sent change; leave out `url` and `secret` to keep them (they are never shown), send `secret: null` to remove the secret.',
      security: SESSION,
      requestParams: idParam('the channel’s id'),
      requestBody: jsonBody(ChannelUpdate, { enabled: false }),
      responses: {
        200: answer('The channel as it is now.', ChannelView),
        ...bodyAnswers('The change', { path: 'url', message: 'must be an http: or https: URL' }),
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such channel.', 'NOT_FOUND', 'channel not found'),
        500: E.internal,
      },
    },
  },
  {
    method: 'delete',
    path: '/api/v1/admin/notifications/channels/{id}',
    operation: {
      operationId: 'deleteNotificationChannel',
      tags: ['admin'],
      summary: 'Delete a notification channel (its deliveries stay in the log)',
      security: SESSION,
      requestParams: idParam('the channel’s id'),
      responses: {
        204: { description: 'Deleted.' },
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such channel.', 'NOT_FOUND', 'channel not found'),
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/notifications/channels/{id}/test',
    operation: {
      operationId: 'testNotificationChannel',
      tags: ['admin'],
      summary: 'Send a test notice to a channel',
      description: 'Queued at once (enabled or not, whatever its kinds); its delivery is in the log like any other, kind `test`.',
      security: SESSION,
      requestParams: idParam('the channel’s id'),
      responses: {
        202: answer('Queued: the delivery as it is now.', DeliveryView),
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such channel.', 'NOT_FOUND', 'channel not found'),
        413: E.tooLarge,
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/notifications/deliveries',
    operation: {
      operationId: 'listNotificationDeliveries',
      tags: ['admin'],
      summary: 'The delivery log',
      description: 'Deliveries newest first: pending (with the next attempt), delivered, or failed (with the last error and HTTP status). Kept 30 days.',
      security: SESSION,
      requestParams: { query: DeliveryQuery },
      responses: { 200: answer('Deliveries, newest first.', DeliveryList), 400: E.badQuery('the delivery log'), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
    },
  },
  {
    method: 'post',
    path: '/api/v1/admin/notifications/deliveries/{id}/retry',
    operation: {
      operationId: 'retryNotificationDelivery',
      tags: ['admin'],
      summary: 'Try a failed delivery again now',
      security: SESSION,
      requestParams: idParam('the delivery’s id'),
      responses: {
        202: answer('Queued again: the delivery as it is now.', DeliveryView),
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such delivery.', 'NOT_FOUND', 'delivery not found'),
        409: refusal('The delivery has not failed (it is pending or delivered).', 'CONFLICT', 'delivery 12 is delivered: only a failed delivery is tried again'),
        413: E.tooLarge,
        500: E.internal,
      },
    },
  },
  // wall displays' scenes
  {
    method: 'get',
    path: '/api/v1/admin/displays/{id}/config',
    operation: {
      operationId: 'getDisplayConfig',
      tags: ['displays'],
      summary: 'A display’s scenes, layout and paused rotation',
      description: 'A display never configured has the defaults: no scenes (the overview only) and `1920x1080`.',
      security: SESSION,
      requestParams: idParam('the display token’s id'),
      responses: {
        200: answer('The display’s configuration.', DisplayConfig),
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such display.', 'NOT_FOUND', 'display 7d3c… not found'),
        500: E.internal,
      },
    },
  },
  {
    method: 'put',
    path: '/api/v1/admin/displays/{id}/config',
    operation: {
      operationId: 'saveDisplayConfig',
      tags: ['displays'],
      summary: 'Save a display’s scenes and layout (pushed live to the screen)',
      description:
        'The whole playlist (at most 20 scenes of 10–3600 s; empty: the overview only) and the layout. `street` scenes name a street, `area` scenes a street or a grid, within the display’s own area. The display’s open walls get the new configuration over their socket (`display:config`) at once, on every node; the pause of its rotation is kept. The last save wins; each is audited.',
      security: SESSION,
      requestParams: idParam('the display token’s id'),
      requestBody: jsonBody(DisplayConfigSave, {
        scenes: [
          { kind: 'overview', durationSec: 60 },
          { kind: 'street', areaId: '310110019000', durationSec: 45 },
          { kind: 'alarms', durationSec: 30 },
        ],
        layout: '1920x1080',
      }),
      responses: {
        200: answer('Saved and pushed: the configuration as it is now.', DisplayConfig),
        ...bodyAnswers('The configuration', { path: 'scenes.1.areaId', message: 'area 310110001000 is outside the display’s area 310110019000' }),
        401: E.signIn,
        403: E.notAdmin,
        404: refusal('No such display.', 'NOT_FOUND', 'display 7d3c… not found'),
        409: refusal('The display is revoked.', 'CONFLICT', 'display 五角场大屏 is revoked'),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/displays',
    operation: {
      operationId: 'listDisplayConfigs',
      tags: ['displays'],
      summary: 'The wall displays within the session’s scope',
      description: 'Displays (not revoked) whose area the caller sees, with their scenes and the pause of their rotation: a street officer sees its street’s displays only. Officers and administrators.',
      security: SESSION,
      responses: {
        200: answer('The displays, oldest first.', DisplayConfigList),
        401: E.signIn,
        403: refusal('A wall display’s session may not list displays.', 'FORBIDDEN', 'your role may not do this'),
        500: E.internal,
      },
    },
  },
  {
    method: 'post',
    path: '/api/v1/displays/{id}/rotation',
    operation: {
      operationId: 'setDisplayRotation',
      tags: ['displays'],
      summary: 'Pause or resume a display’s scene rotation',
      description:
        '`pause` holds the wall on its current scene for `minutes` (null: until resumed); `resume` lets it rotate again. A critical alarm or case still pins a paused wall. The display’s walls get it at once (`display:config`); audited. A display outside the caller’s scope answers like an unknown one.',
      security: SESSION,
      requestParams: idParam('the display token’s id'),
      requestBody: jsonBody(RotationRequest, { action: 'pause', minutes: 15 }),
      responses: {
        200: answer('The display’s configuration with its pause as it is now.', DisplayConfig),
        ...bodyAnswers('The request', { path: 'minutes', message: 'Too big: expected number to be <=10080' }),
        401: E.signIn,
        403: refusal('A wall display’s session may not pause displays; or the request came from another origin.', 'FORBIDDEN', 'your role may not do this'),
        404: refusal('No such display, a revoked one, or one outside the session’s scope (alike; the attempt is audited).', 'NOT_FOUND', 'display 7d3c… not found'),
        500: E.internal,
      },
    },
  },
  // a wall that recovers by itself
  {
    method: 'post',
    path: '/api/v1/wall/reports',
    operation: {
      operationId: 'reportWallReload',
      tags: ['operations'],
      summary: 'A wall page reports that it reloads itself',
      description:
        'Sent by the wall page just before its watchdog (rendering stalled, memory past its bound) or a new server build makes it reload, or at its next start (`late`) when that did not get through. Any signed-in session may send it; a display session’s report is kept for that display (last reload, reason, count in /admin), whatever the body says. Counted in `/metrics` (`onescreen_wall_reports_total`, `onescreen_wall_reloads_total`). At most 6 reports a minute per session.',
      security: SESSION,
      requestBody: jsonBody(WallReport, { kind: 'reload', reason: 'stall', build: '3f9c2a1b7d4e', at: '2026-12-02T09:30:00+08:00', detail: { stallMs: 61000, uptimeMs: 86400000 } }),
      responses: {
        202: answer('Counted (and kept for the session’s display, when it is one).', WallReportAccepted),
        ...bodyAnswers('The report', { path: 'reason', message: 'Invalid option: expected one of "stall"|"memory"|"version"' }),
        401: E.signIn,
        403: E.crossOrigin,
        429: refusal('This session sent more than 6 reports in a minute.', 'RATE_LIMITED', 'too many reports from this session; try again in 42 s', { headers: retryAfter }),
        500: E.internal,
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/admin/displays/status',
    operation: {
      operationId: 'listDisplayStatus',
      tags: ['admin'],
      summary: 'Wall screens: last seen, build, reloads',
      description: 'For each display ever seen live: when (written at most once a minute while it is connected), the build its page runs (compare with `serverBuild`), and the reloads it reported with the last reason.',
      security: SESSION,
      responses: { 200: answer('The server’s build and each display’s status.', DisplayStatusList), 401: E.signIn, 403: E.notAdmin, 500: E.internal },
    },
  },
];
