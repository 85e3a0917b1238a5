/**
 * @module server/routes/analytics
 * The 12345 hotline analysis over HTTP: `GET /api/v1/analytics/hotline` (JSON) and
 * `GET /api/v1/analytics/hotline.csv` (the same figures for a spreadsheet). Scoped like every
 * read: the session's area or one below it; another area answers like one that does not exist,
 * and the attempt is audited.
 */
import { Hono, type Context } from 'hono';
import { HOTLINE_MAX_SPAN_DAYS, HotlineQuery, type EventCategory, type HotlineAnalysis, type HotlineRepeat } from '../../shared/index.ts';
import { AREA_ROLES, canSee } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import { hotlineAnalysis, hotlineWindows } from '../domain/hotline.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import { clientIp, requireRole, requireSession, type SessionEnv } from '../middleware/session.ts';
import type { Clock, Store } from '../ports.ts';
import type { AuthService } from '../services/auth.service.ts';
import { csvDocument } from './csv.ts';

/** the source code of 12345 hotline events */
export const HOTLINE_SOURCE = '12345';
/** at most this many of the period's newest cases are clustered into spots */
export const HOTLINE_MAX_POINTS = 10_000;
const DEFAULT_SPAN_MS = 24 * 3_600_000;

export interface AnalyticsDeps {
  auth: AuthService;
  store: Pick<Store, 'cases'>;
  tree: AreaTree;
  clock: Clock;
  timeZone: string;
  categories: readonly EventCategory[];
}

export function analyticsRoutes(d: AnalyticsDeps) {
  async function analysis(c: Context<SessionEnv>, route: string): Promise<HotlineAnalysis> {
    const q = HotlineQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
    const p = c.var.principal;
    const areaId = q.data.areaId ?? p.areaId;
    if (!canSee(d.tree, p, areaId)) {
      if (d.tree.get(areaId)) {
        await d.auth.audit({ actor: p.name, actorKind: p.kind, action: `GET ${route}`, target: areaId, outcome: 'denied', ip: clientIp(c), detail: 'area outside scope' });
      }
      throw notFound(`area ${areaId}`);
    }
    const to = q.data.to ? Date.parse(q.data.to) : d.clock.now();
    const from = q.data.from ? Date.parse(q.data.from) : to - DEFAULT_SPAN_MS;
    if (to <= from) throw new AppError('VALIDATION', 400, 'to must be after from', [{ path: 'to', message: 'must be after from' }]);
    if (to - from > HOTLINE_MAX_SPAN_DAYS * 86_400_000) {
      throw new AppError('VALIDATION', 400, `a period may span at most ${HOTLINE_MAX_SPAN_DAYS} days`, [{ path: 'from', message: `at most ${HOTLINE_MAX_SPAN_DAYS} days before to` }]);
    }
    const w = hotlineWindows(from, to, d.timeZone);
    const counts = await d.store.cases.hotlineCounts({ source: HOTLINE_SOURCE, ...w, area: { id: areaId, level: d.tree.level(areaId)! }, maxPoints: HOTLINE_MAX_POINTS });
    return hotlineAnalysis(areaId, w, counts);
  }

  const categoryName = new Map(d.categories.map((x) => [x.code, x.name.zh]));
  const areaName = (id: string) => d.tree.get(id)?.name ?? id;
  const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);

  return new Hono<SessionEnv>()
    .use('*', requireSession(d.auth))
    .use('/analytics/*', requireRole(d.auth, ...AREA_ROLES))
    .get('/analytics/hotline', async (c) => c.json(await analysis(c, '/api/v1/analytics/hotline')))
    .get('/analytics/hotline.csv', async (c) => {
      const a = await analysis(c, '/api/v1/analytics/hotline.csv');
      const byCategory = csvDocument(
        ['类别 category', '代码 code', '本期 count', '上周同期 baseline', '变化 change', '变化% change %', '上升指数 rise score'],
        [
          ...a.byCategory.map((r) => [categoryName.get(r.category) ?? r.category, r.category, r.count, r.baseline, r.change, pct(r.changePct), Math.round(r.score * 100) / 100]),
          ['合计 total', '', a.total.count, a.total.baseline, a.total.change, pct(a.total.changePct), ''],
        ],
      );
      const repeat = (kind: string, r: HotlineRepeat) => [
        kind, areaName(r.streetId), areaName(r.gridId), Math.round(r.lng * 1e6) / 1e6, Math.round(r.lat * 1e6) / 1e6, r.count,
        r.categories.map((x) => categoryName.get(x) ?? x).join('、'), r.sampleTitle, r.caseIds.join(' '),
      ];
      const repeats = csvDocument(
        ['类型 kind', '街道 street', '网格 grid', '经度 lng', '纬度 lat', '件数 count', '类别 categories', '最近诉求 latest title', '案件编号 case ids'],
        [...a.repeats.byPlace.map((r) => repeat(`地点 place (${a.repeats.radiusM} m)`, r)), ...a.repeats.byGrid.map((r) => repeat('网格 grid', r))],
      );
      const p = c.var.principal;
      await d.auth.audit({ actor: p.name, actorKind: p.kind, action: 'hotline.export', target: a.areaId, outcome: 'ok', ip: clientIp(c), detail: `${a.from}–${a.to}` });
      // a byte-order mark so spreadsheet programs read the Chinese as UTF-8; two tables, a blank line between
      return c.body(`\uFEFF${byCategory}\r\n${repeats}`, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="onescreen-12345-${a.from.slice(0, 10)}.csv"`,
      });
    });
}
