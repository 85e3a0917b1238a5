/**
 * @module server/routes/read
 * Read-only API for screens: areas, basemap, indicators, categories, events.
 */
import { Hono } from 'hono';
import { CLOSED_STATUSES, EventQuery, EventStatus, type EventCategory } from '../../shared/index.ts';
import type { AreaTree } from '../domain/areas.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import type { EventFilter, Store } from '../ports.ts';
import type { IndicatorService } from '../services/indicator.service.ts';

export interface ReadDeps {
  store: Store;
  tree: AreaTree;
  indicators: IndicatorService;
  categories: readonly EventCategory[];
  /** pre-serialised GeoJSON, served as is */
  areasJson: string;
  basemapJson: string;
}

const OPEN = EventStatus.options.filter((s) => !CLOSED_STATUSES.includes(s));

export function readRoutes(d: ReadDeps) {
  const areaOrThrow = (id: string | undefined) => {
    const areaId = id ?? d.tree.districtId;
    const node = d.tree.get(areaId);
    if (!node) throw notFound(`area ${areaId}`);
    return node;
  };
  return new Hono()
    .get('/areas', (c) => c.body(d.areasJson, 200, { 'content-type': 'application/geo+json; charset=utf-8', 'cache-control': 'no-cache' }))
    .get('/basemap', (c) => c.body(d.basemapJson, 200, { 'content-type': 'application/geo+json; charset=utf-8', 'cache-control': 'max-age=3600' }))
    .get('/categories', (c) => c.json(d.categories))
    .get('/indicators', (c) => {
      const area = areaOrThrow(c.req.query('areaId'));
      return c.json({ definitions: d.indicators.definitions, values: d.indicators.valuesFor(area.id) });
    })
    .get('/events', async (c) => {
      const q = EventQuery.safeParse(c.req.query());
      if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
      const area = areaOrThrow(q.data.areaId);
      const f: EventFilter = { areaId: area.id, areaLevel: area.level, limit: q.data.limit };
      if (q.data.status === 'open') f.statuses = OPEN;
      else if (q.data.status === 'closed') f.statuses = CLOSED_STATUSES;
      else if (q.data.status) f.statuses = [q.data.status];
      if (q.data.from) f.from = Date.parse(q.data.from);
      if (q.data.to) f.to = Date.parse(q.data.to);
      const [events, total] = await Promise.all([d.store.listEvents(f), d.store.countEvents(f)]);
      return c.json({ events, total });
    })
    .get('/events/:id', async (c) => {
      const ev = await d.store.getEvent(c.req.param('id'));
      if (!ev) throw notFound('event');
      return c.json(ev);
    });
}
