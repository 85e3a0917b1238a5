/**
 * @module server/routes/read
 * Read-only API for screens: areas, basemap, indicators, categories, events. Every answer is cut
 * to the session's scope here, on the server; an area or event outside it answers exactly like
 * one that does not exist (and the attempt is audited).
 */
import { Hono, type Context } from 'hono';
import {
  CLOSED_STATUSES,
  EventQuery,
  EventStatus,
  type AreaCollection,
  type EventCategory,
  type EventsResponse,
  type IndicatorsResponse,
} from '../../shared/index.ts';
import { AREA_ROLES, canSee, canSeeCase, caseScope, visibleAreaIds, type Principal } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { maskPhone } from '../domain/layers.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import { clientIp, requireRole, requireSession, type SessionEnv } from '../middleware/session.ts';
import type { EventFilter, Store } from '../ports.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { IndicatorService } from '../services/indicator.service.ts';

export interface ReadDeps {
  store: Pick<Store, 'cases'>;
  tree: AreaTree;
  auth: AuthService;
  indicators: IndicatorService;
  categories: readonly EventCategory[];
  areas: AreaCollection;
  /** pre-serialised GeoJSON, served as is */
  basemapJson: string;
}

const OPEN = EventStatus.options.filter((s) => !CLOSED_STATUSES.includes(s));

export function readRoutes(d: ReadDeps) {
  // the areas a scope may see, serialised once per scope
  const areasJson = new Map<string, string>();
  const areasFor = (areaId: string) => {
    let json = areasJson.get(areaId);
    if (!json) {
      const ids = visibleAreaIds(d.tree, areaId);
      // a grid's 网格长 is reached through the centre: screens get the phone masked
      const features = d.areas.features
        .filter((f) => ids.has(f.properties.id))
        .map((f) => (f.properties.chief ? { ...f, properties: { ...f.properties, chief: { ...f.properties.chief, phone: maskPhone(f.properties.chief.phone) } } } : f));
      json = JSON.stringify({ type: 'FeatureCollection', features });
      areasJson.set(areaId, json);
    }
    return json;
  };

  /** a 404 for an area unknown or out of scope, exactly alike (an existing one is audited) */
  const refuseArea = async (c: Context<SessionEnv>, areaId: string): Promise<never> => {
    const p: Principal = c.var.principal;
    if (d.tree.get(areaId)) {
      await d.auth.audit({ actor: p.name, actorKind: p.kind, action: `GET ${c.req.path}`, target: areaId, outcome: 'denied', ip: clientIp(c), detail: 'area outside scope' });
    }
    throw notFound(`area ${areaId}`);
  };
  /** the area asked for (default: the session's own), or a 404 if it is unknown or out of scope */
  const scopedArea = async (c: Context<SessionEnv>, requested: string | undefined) => {
    const areaId = requested ?? c.var.principal.areaId;
    if (!canSee(d.tree, c.var.principal, areaId)) await refuseArea(c, areaId);
    return d.tree.get(areaId)!;
  };

  return new Hono<SessionEnv>()
    .use('*', requireSession(d.auth))
    .get('/areas', (c) => c.body(areasFor(c.var.principal.areaId), 200, { 'content-type': 'application/geo+json; charset=utf-8', 'cache-control': 'private, no-cache' }))
    .get('/basemap', (c) => c.body(d.basemapJson, 200, { 'content-type': 'application/geo+json; charset=utf-8', 'cache-control': 'private, max-age=3600' }))
    .get('/categories', (c) => c.json(d.categories))
    .get('/indicators', requireRole(d.auth, ...AREA_ROLES), async (c) => {
      const area = await scopedArea(c, c.req.query('areaId'));
      return c.json({ definitions: [...d.indicators.definitions], values: d.indicators.valuesFor(area.id) } satisfies IndicatorsResponse);
    })
    .get('/events', async (c) => {
      const q = EventQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      const p = c.var.principal;
      const scope = caseScope(d.tree, p, q.data.areaId) ?? (await refuseArea(c, q.data.areaId ?? p.areaId));
      // a unit's list is its own cases: it may not ask for another unit's
      if (p.role === 'unit' && q.data.unit !== undefined && q.data.unit !== p.unitId) {
        await d.auth.audit({ actor: p.name, actorKind: p.kind, action: 'GET /api/v1/events', target: q.data.unit, outcome: 'denied', ip: clientIp(c), detail: "another unit's cases" });
        throw new AppError('FORBIDDEN', 403, 'a unit sees only its own cases');
      }
      const f: EventFilter = { ...scope, limit: q.data.limit };
      if (q.data.status === 'open') f.statuses = OPEN;
      else if (q.data.status === 'closed') f.statuses = CLOSED_STATUSES;
      else if (q.data.status) f.statuses = [q.data.status];
      if (q.data.from) f.from = Date.parse(q.data.from);
      if (q.data.to) f.to = Date.parse(q.data.to);
      if (q.data.unit) f.unit ??= q.data.unit;
      if (q.data.duplicateOf) {
        // the merged reports of a case the caller may not see answer like those of no case
        const original = await d.store.cases.getEvent(q.data.duplicateOf);
        if (!original || !canSeeCase(d.tree, p, original)) return c.json({ events: [], total: 0 } satisfies EventsResponse);
        f.duplicateOf = q.data.duplicateOf;
      }
      // without clearance the scope already leaves every confidential case out
      if (q.data.confidential && f.confidential === undefined) f.confidential = q.data.confidential === 'only';
      const [events, total] = await Promise.all([d.store.cases.listEvents(f), d.store.cases.countEvents(f)]);
      return c.json({ events, total } satisfies EventsResponse);
    });
}
