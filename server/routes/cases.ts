/**
 * @module server/routes/cases
 * The closed loop over HTTP: `GET /api/v1/events/:id` (the case with its timeline and what the
 * caller may do), `POST /api/v1/events/:id/transitions`, and `GET /api/v1/units`.
 */
import { Hono, type Context } from 'hono';
import { GROUPING_NAMES, StatsQuery, TransitionRequest, type StatsGrouping, type CaseView, type EventStatus, type PersonalData, type StatsResponse, type UnitList } from '../../shared/index.ts';
import { caseScope, hasClearance } from '../domain/access.ts';
import type { AreaTree } from '../domain/areas.ts';
import type { CaseHistory, StatsRow } from '../domain/stats.ts';
import { startOfLocalDay } from '../domain/time.ts';
import { AppError, issuesOf, notFound } from '../errors.ts';
import type { Clock, Store } from '../ports.ts';
import { csvDocument } from './csv.ts';
import { clientIp, requireSession, sameOrigin, type SessionEnv } from '../middleware/session.ts';
import type { AuthService } from '../services/auth.service.ts';
import type { CaseService } from '../services/case.service.ts';
import type { StatsService } from '../services/stats.service.ts';
import { parseJsonBody } from './body.ts';

/** the longest period statistics are computed for (a year's report, with room to spare) */
export const MAX_STATS_SPAN_DAYS = 400;

export interface CaseRouteDeps {
  auth: AuthService;
  cases: CaseService;
  store: Pick<Store, 'cases'>;
  tree: AreaTree;
  clock: Clock;
  timeZone: string;
  /** the statistics, shared between walls asking alike */
  statistics: StatsService;
  /** a road's or key area's name, for the report's rows (路长制, 重点区域) */
  layerName?: (kind: 'road' | 'keyArea', id: string) => string | undefined;
}

export function caseRoutes({ auth, cases, store, tree, clock, timeZone, statistics, layerName }: CaseRouteDeps) {
  /** a case's group(s) in a grouping of the statistics */
  const groupOf = (kind: StatsGrouping) => (c: CaseHistory): string | readonly string[] | null | undefined =>
    kind === 'road' ? c.roadId : kind === 'keyArea' ? c.keyAreaIds : c.gridId === undefined ? undefined : tree.get(c.gridId)?.overlays?.[kind];
  /** a group's name in a report */
  const groupName = (kind: StatsGrouping, key: string): string | undefined =>
    kind === 'road' || kind === 'keyArea' ? layerName?.(kind, key) : tree.overlayName(kind, key);
  /**
   * Statistics of the session's area (or one below it) for a period, default today. A unit gets
   * every unit's row of its area (its standing against the others), no street's, and the funnel
   * of its own open cases.
   */
  async function stats(c: Context<SessionEnv>): Promise<StatsResponse> {
    const q = StatsQuery.safeParse(c.req.query());
    if (!q.success) throw new AppError('VALIDATION', 400, 'bad query', issuesOf(q.error));
    const p = c.var.principal;
    const scope = caseScope(tree, p, q.data.areaId);
    if (!scope) throw notFound(`area ${q.data.areaId ?? p.areaId}`);
    // counts of one grid would point at a confidential case's place: without clearance, streets and up only
    if (scope.areaLevel === 'grid' && !hasClearance(p)) throw new AppError('VALIDATION', 400, 'areaId: statistics are by street or district');
    const areaId = scope.areaId;
    const area = { id: areaId, level: tree.level(areaId)! };
    const now = clock.now();
    const from = q.data.from ? Date.parse(q.data.from) : startOfLocalDay(now, timeZone);
    const to = q.data.to ? Date.parse(q.data.to) : now + 1;
    if (to <= from) throw new AppError('VALIDATION', 400, 'to must be after from');
    if (to - from > MAX_STATS_SPAN_DAYS * 86_400_000) throw new AppError('VALIDATION', 400, `a period may span at most ${MAX_STATS_SPAN_DAYS} days`);
    const kind = q.data.by;
    const by = kind ? { kind, withConfidential: hasClearance(p), groupOf: groupOf(kind) } : undefined;
    const s = await statistics.stats(area, from, q.data.to ? to : null, by);
    if (scope.unit === undefined) return s;
    // the rows count every street of the area: an account limited to several streets gets none of
    // them (the rows of a set of streets are not kept), only the funnel of its own cases
    const rows = scope.streets ? { byUnit: [] } : {};
    // a drill's cases are in no statistic (as in the area's funnel)
    const own = (status: EventStatus) => store.cases.countEvents({ ...scope, statuses: [status], drill: false });
    const [reported, accepted, dispatched, handled, verified] = await Promise.all((['reported', 'accepted', 'dispatched', 'handled', 'verified'] as const).map(own));
    return { ...s, ...rows, byStreet: [], ...(s.byGroup ? { byGroup: [] } : {}), funnel: { reported: reported!, accepted: accepted!, dispatched: dispatched!, handled: handled!, verified: verified! } };
  }

  return new Hono<SessionEnv>()
    .use('*', sameOrigin, requireSession(auth))
    .get('/units', (c) => c.json(cases.units satisfies UnitList))
    .get('/stats', async (c) => c.json(await stats(c)))
    .get('/stats.csv', async (c) => {
      const s = await stats(c);
      const unitName = new Map(cases.units.map((u) => [u.id, u.name.zh]));
      const pct = (x: number | null) => (x === null ? '' : (x * 100).toFixed(1));
      const min = (x: number | null) => (x === null ? '' : x.toFixed(1));
      const row = (kind: string, name: string, r: StatsRow) => [
        kind, name, r.received, r.closed, pct(r.onTimeRate), min(r.avgStageMinutes.accept), min(r.avgStageMinutes.dispatch),
        min(r.avgStageMinutes.handle), min(r.avgStageMinutes.verify), r.breaches, r.returns, r.good, r.bad, r.satisfaction === null ? '' : r.satisfaction.toFixed(2),
      ];
      const header = ['类型 kind', '名称 name', '受理 received', '办结 closed', '按时办结率% on-time', '受理用时(分) accept min', '派遣用时(分) dispatch min',
        '处置用时(分) handle min', '核查用时(分) verify min', '超时 breaches', '退单 returns', '好评 good', '差评 bad', '满意度 satisfaction'];
      const rows = [
        ...s.byStreet.map((r) => row('街道 street', tree.get(r.key)?.name ?? r.key, r)),
        ...s.byUnit.map((r) => row('单位 unit', unitName.get(r.key) ?? r.key, r)),
        ...(s.by ? (s.byGroup ?? []).map((r) => row(GROUPING_NAMES[s.by!], groupName(s.by!, r.key) ?? r.key, r)) : []),
      ];
      await auth.audit({ actor: c.var.principal.name, actorKind: c.var.principal.kind, action: 'report.export', target: s.areaId, outcome: 'ok', ip: clientIp(c), detail: `${s.from}–${s.to}` });
      // a byte-order mark so spreadsheet programs read the Chinese as UTF-8
      return c.body(`\uFEFF${csvDocument(header, rows)}`, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="onescreen-report-${s.from.slice(0, 10)}.csv"`,
      });
    })
    .get('/events/:id', async (c) => {
      return c.json(await cases.view(c.var.principal, c.req.param('id'), clientIp(c)) satisfies CaseView);
    })
    .post('/events/:id/personal', async (c) => {
      return c.json((await cases.personal(c.var.principal, c.req.param('id'), clientIp(c))) satisfies PersonalData, 200, { 'cache-control': 'no-store' });
    })
    .post('/events/:id/transitions', async (c) => {
      const req = await parseJsonBody(c.req.raw, TransitionRequest);
      return c.json(await cases.transition(c.var.principal, c.req.param('id'), req, clientIp(c)) satisfies CaseView);
    });
}
