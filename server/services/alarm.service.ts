/**
 * @module server/services/alarm.service
 * Watches the vital signs: readings and rolled-up values go through the rules
 * (domain/alarm-rules.ts), and what they decide becomes alarm records (one per episode), published
 * live and, per rule, turned into cases. Transitions are applied one at a time, in order, so two
 * evaluations never race on the same episode; the database keeps one open episode per (rule,
 * area) as well, so even a restart mid-way cannot open a second one.
 */
import { randomUUID } from 'node:crypto';
import { pointOnFeature } from '@turf/turf';
import {
  ALARM_SEVERITY_RANK,
  type Alarm,
  type AlarmRule,
  type AlarmRuleSet,
  type AlarmView,
  type EventCategory,
  type GridEvent,
  type IndicatorDefinition,
  type IndicatorValue,
  type LocalisedText,
  type Notice,
} from '../../shared/index.ts';
import { AlarmEvaluator, ruleProblems, type Transition } from '../domain/alarm-rules.ts';
import type { AreaTree } from '../domain/areas.ts';
import { thresholdsFor } from '../domain/indicators.ts';
import { firstAtOrBeyond } from '../domain/forecast/crossing.ts';
import { AppError } from '../errors.ts';
import type { AlarmFilter, Broadcaster, Clock, IngestKeyRecord, Logger, NewAlarmHistory, NewReading, Notifier, Store } from '../ports.ts';
import type { IngestService } from './ingest.service.ts';

/** When a forecast first crosses a threshold (趋势预判), for forecast rules. */
export interface ForecastSource {
  crossing(indicatorId: string, areaId: string, which: 'warn' | 'alarm', horizonHours: number): Promise<{ at: number; value: number; threshold: number } | null>;
}

export interface AlarmServiceDeps {
  store: Pick<Store, 'alarms' | 'cases' | 'readings'>;
  tree: AreaTree;
  clock: Clock;
  indicators: readonly IndicatorDefinition[];
  categories: readonly EventCategory[];
  /** the shipped rules (`data/rules.json`), used until an administrator saves a set */
  shippedRules: AlarmRule[];
  /** the live stream: every alarm change goes out through it */
  broadcaster: Pick<Broadcaster, 'publishAlarms'>;
  logger: Logger;
  /** opens cases in the closed loop (through the same path as any source) */
  ingest: Pick<IngestService, 'ingestEvents'>;
  forecasts?: ForecastSource;
  /** told of every alarm raised, escalated or cleared (metrics) */
  onChange?: (alarm: Alarm, what: 'raised' | 'escalated' | 'cleared') => void;
  /** notifications out: told of the same, as notices */
  notifier?: Notifier;
  /** told when a rule set was saved here (other nodes then load it) */
  rulesSaved?: () => void;
  newId?: () => string;
}

/** What the notifier is told of an alarm that was raised, escalated or cleared. */
export function alarmNotice(a: Alarm, what: 'raised' | 'escalated' | 'cleared', unit: LocalisedText | undefined, now: number): Notice {
  const value = a.value === null ? { zh: '', en: '' } : { zh: `，当前 ${a.value}${unit?.zh ?? ''}`, en: `, now ${a.value} ${unit?.en ?? ''}`.trimEnd() };
  const limit = a.threshold === null || a.kind === 'silence' ? { zh: '', en: '' } : { zh: `（阈值 ${a.threshold}）`, en: ` (threshold ${a.threshold})` };
  const verb = {
    raised: { zh: a.severity === 'alarm' ? '告警' : '预警', en: a.severity === 'alarm' ? 'Alarm' : 'Warning' },
    escalated: { zh: '升级为告警', en: 'Escalated to alarm' },
    cleared: { zh: '已解除', en: 'Cleared' },
  }[what];
  return {
    // with the version: an episode escalated a second time (after stepping back) is told again
    key: `alarm:${a.id}:${what}:${a.version}`,
    kind: what === 'cleared' ? 'alarm_cleared' : 'alarm',
    severity: a.severity,
    areaId: a.areaId,
    title: { zh: `${verb.zh}：${a.title.zh}`, en: `${verb.en}: ${a.title.en}` },
    text: { zh: `${a.title.zh}${value.zh}${limit.zh}，自 ${a.since} 起。`, en: `${a.title.en}${value.en}${limit.en}, since ${a.since}.` },
    at: now,
    path: `/console?alarm=${encodeURIComponent(a.id)}`,
  };
}

/**
 * Forecast rules' view of the forecasts: the first forecast hour at or beyond the area level's
 * `which` threshold within the horizon, with its value and the threshold.
 */
export function forecastSource(
  forecasts: { forecast(indicatorId: string, areaId: string, horizonHours: number): Promise<{ points: { at: string; value: number }[] }> },
  indicators: readonly IndicatorDefinition[],
  tree: AreaTree,
): ForecastSource {
  const defs = new Map(indicators.map((d) => [d.id, d]));
  return {
    async crossing(indicatorId, areaId, which, horizonHours) {
      const def = defs.get(indicatorId);
      const level = tree.level(areaId);
      if (!def || !level || def.source !== 'readings' || !def.levels.includes(level)) return null;
      const f = await forecasts.forecast(indicatorId, areaId, horizonHours);
      const p = firstAtOrBeyond(def, level, f.points, which);
      return p ? { at: Date.parse(p.at), value: Math.round(p.value * 10) / 10, threshold: thresholdsFor(def, level)[which] } : null;
    },
  };
}

/** the source of the cases alarms open; their externalId is the alarm's id */
export const ALARM_SOURCE = 'alarm';
const FORECAST_EVERY_MS = 5 * 60_000;

export function createAlarmService(deps: AlarmServiceDeps) {
  const { store, tree, clock, logger } = deps;
  const newId = deps.newId ?? randomUUID;
  const defs = new Map(deps.indicators.map((d) => [d.id, d]));
  const evaluator = new AlarmEvaluator([], {
    levelOf: (id) => tree.level(id),
    staleMs: (id) => (defs.get(id)?.staleAfterSec ?? 3600) * 1000,
  });
  let ruleSet: AlarmRuleSet = { version: 0, rules: deps.shippedRules, savedAt: null, savedBy: null };
  /** per indicator, when each area last received a reading of it, itself or below it (server time) */
  const lastReceived = new Map<string, Map<string, number>>();
  let chain: Promise<unknown> = Promise.resolve();
  let lastForecast = 0;

  /** run `fn` after everything queued before it; failures are logged, never break the queue */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn);
    // a refusal (an AppError: stale version, already acknowledged, bad rules) is the caller's answer, not a failure
    chain = run.catch((err: unknown) => {
      if (!(err instanceof AppError)) logger.error({ err }, 'alarm evaluation failed');
    });
    return run;
  }

  function areaName(id: string) {
    const a = tree.get(id);
    return a ? { zh: a.name, en: a.nameEn ?? a.name } : { zh: id, en: id };
  }

  const history = (at: number, kind: NewAlarmHistory['kind'], severity: Alarm['severity'], value: number | null, by: string | null = null, note: string | null = null): NewAlarmHistory => ({
    at, kind, severity, value, by, note,
  });

  async function apply(ts: Transition[]): Promise<void> {
    for (const t of ts) {
      try {
        await applyOne(t);
      } catch (err) {
        logger.error({ err, rule: t.rule.id, area: t.areaId }, 'alarm transition not stored');
        // a raise that was not stored must be raised again while the condition lasts
        if (t.type === 'raise') evaluator.forget(t.rule.id, t.areaId);
      }
    }
  }

  async function applyOne(t: Transition): Promise<void> {
    const now = clock.now();
    if (t.type === 'raise') {
      // decided before a rule change that came first in the queue: the rule (or its episode) is gone
      if (!evaluator.isOpen(t.rule.id, t.areaId)) return;
      const name = areaName(t.areaId);
      const street = tree.level(t.areaId) === 'district' ? null : (tree.ancestorAt(t.areaId, 'street')?.id ?? null);
      const district = tree.ancestorAt(t.areaId, 'district')?.id ?? tree.districtId;
      const inserted = await store.alarms.insert(
        {
          id: newId(),
          ruleId: t.rule.id,
          kind: t.rule.kind,
          indicatorId: t.rule.indicatorId,
          areaId: t.areaId,
          streetId: street,
          districtId: district,
          severity: t.severity,
          state: 'raised',
          title: { zh: `${name.zh} ${t.rule.name.zh}`, en: `${name.en}: ${t.rule.name.en}` },
          value: t.value,
          threshold: t.threshold,
          since: t.since,
          raisedAt: now,
          lastAt: t.at,
          acknowledgedBy: null,
          ackNote: null,
          caseId: null,
          createCase: t.rule.createCase,
          simulated: t.simulated,
        },
        history(now, 'raised', t.severity, t.value),
      );
      if (!inserted) {
        // the store already holds this episode open (the evaluator had not been told): update it
        const open = await store.alarms.findOpen(t.rule.id, t.areaId);
        if (open) await changed(await store.alarms.update(open.id, { severity: t.severity, value: t.value, threshold: t.threshold, lastAt: t.at }, null), null);
        return;
      }
      await changed(inserted, 'raised');
      return;
    }
    const open = await store.alarms.findOpen(t.rule.id, t.areaId);
    if (!open) return;
    if (t.type === 'update') {
      const entry = t.change ? history(now, t.change, t.severity, t.value) : null;
      const a = await store.alarms.update(open.id, { severity: t.severity, value: t.value, threshold: t.threshold, lastAt: Math.max(t.at, Date.parse(open.lastAt)) }, entry);
      await changed(a, t.change === 'escalated' ? 'escalated' : null);
      return;
    }
    const note = t.reason === 'rule_removed' ? 'the rule was removed or disabled' : null;
    const a = await store.alarms.update(open.id, { state: 'cleared', clearedAt: now, value: t.value ?? open.value, lastAt: Math.max(t.at, Date.parse(open.lastAt)) }, history(now, 'cleared', open.severity, t.value, null, note));
    await changed(a, 'cleared');
  }

  async function changed(a: Alarm | null, what: 'raised' | 'escalated' | 'cleared' | null): Promise<void> {
    if (!a) return;
    deps.broadcaster.publishAlarms([a]);
    if (what) {
      deps.onChange?.(a, what);
      deps.notifier?.notify(alarmNotice(a, what, defs.get(a.indicatorId)?.unit, clock.now()));
    }
    if ((what === 'raised' || what === 'escalated') && a.createCase === 'auto' && !a.caseId) {
      const rule = evaluator.rule(a.ruleId);
      if (rule?.case && ALARM_SEVERITY_RANK[a.severity] >= ALARM_SEVERITY_RANK[rule.case.minSeverity]) {
        await openCaseFor(a, rule, null, '').catch((err) => logger.error({ err, alarm: a.id }, 'automatic case not opened'));
      }
    }
  }

  /** a point inside an area, to place its cases (cached: areas do not move) */
  const anchors = new Map<string, [number, number]>();
  function anchorOf(areaId: string): [number, number] {
    let p = anchors.get(areaId);
    if (!p) {
      const f = tree.features.get(areaId);
      if (!f) throw new AppError('NOT_FOUND', 404, `unknown area ${areaId}`);
      const c = pointOnFeature(f as never).geometry.coordinates as [number, number];
      p = [Math.round(c[0] * 1e6) / 1e6, Math.round(c[1] * 1e6) / 1e6];
      anchors.set(areaId, p);
    }
    return p;
  }

  async function openCaseFor(a: Alarm, rule: AlarmRule | undefined, by: string | null, note: string): Promise<{ alarm: Alarm; event: GridEvent }> {
    const template = rule?.case;
    if (!template) throw new AppError('CONFLICT', 409, `the rule of this alarm names no case category (createCase: ${a.createCase})`);
    const [lng, lat] = anchorOf(a.areaId);
    const key: IngestKeyRecord = { id: 'alarms', name: ALARM_SOURCE, sources: [ALARM_SOURCE], simulated: a.simulated, createdAt: 0, revokedAt: null };
    const def = defs.get(a.indicatorId);
    const valueText = a.value === null ? '' : `（${a.value}${def?.unit.zh ?? ''}）`;
    const r = await deps.ingest.ingestEvents(
      [
        {
          source: ALARM_SOURCE,
          externalId: a.id,
          category: template.category,
          title: `${a.title.zh}${valueText}`.slice(0, 200),
          description: [`体征告警 ${a.ruleId}：${a.title.zh}${valueText}，自 ${new Date(a.since).toISOString()} 起。`, note].filter(Boolean).join('\n').slice(0, 2000),
          lng,
          lat,
          occurredAt: new Date(Math.min(Date.parse(a.since), clock.now())).toISOString(),
          severity: template.severity,
        },
      ],
      key,
    );
    const res = r.results[0]!;
    if (res.status === 'rejected') throw new AppError('VALIDATION', 422, `the case could not be opened: ${res.error.message}`);
    const at = clock.now();
    // created or not (a parallel request opened it first), the alarm links the one case
    const linked = (await store.alarms.update(a.id, { caseId: res.id }, a.caseId ? null : history(at, 'case_opened', a.severity, a.value, by, note || null))) ?? a;
    deps.broadcaster.publishAlarms([linked]);
    const event = (await store.cases.getEvent(res.id))!;
    return { alarm: linked, event };
  }

  async function loadRules(rules: AlarmRule[], at?: number): Promise<void> {
    await apply(evaluator.setRules(rules, at));
  }

  return {
    ruleSet: () => ruleSet,

    /** the rules in force (the saved set, else the shipped one), and the open episodes */
    async init(): Promise<void> {
      const saved = await store.alarms.latestRuleSet();
      if (saved) ruleSet = { version: saved.version, rules: saved.rules, savedAt: new Date(saved.savedAt).toISOString(), savedBy: saved.savedBy };
      evaluator.setRules(ruleSet.rules);
      const open = await store.alarms.open();
      evaluator.restore(open.map((a) => ({ ruleId: a.ruleId, areaId: a.areaId, severity: a.severity })));
      // episodes of rules no longer in force are cleared now
      const now = clock.now();
      for (const a of open) {
        if (evaluator.isOpen(a.ruleId, a.areaId)) continue;
        const c = await store.alarms.update(a.id, { state: 'cleared', clearedAt: now }, history(now, 'cleared', a.severity, a.value, null, 'the rule was removed or disabled'));
        if (c) deps.broadcaster.publishAlarms([c]);
      }
      // the store keeps when a reading was taken, not when it arrived: every source that has
      // reported counts as heard at start, so a restart never raises 数据中断 by itself (a source
      // that stays silent is flagged one window later)
      for (const r of await store.readings.latestReadings()) noteReceived(r.indicatorId, r.areaId, now);
    },

    /** readings just committed: judged on their own timestamps */
    readingsStored(rows: readonly NewReading[]): void {
      // grouped by indicator, then area: nested maps, no string keys per reading (this runs at ingest rates)
      const groups = new Map<string, Map<string, NewReading[]>>();
      for (const r of rows) {
        let byArea = groups.get(r.indicatorId);
        if (!byArea) groups.set(r.indicatorId, (byArea = new Map()));
        const g = byArea.get(r.areaId);
        if (g) g.push(r);
        else byArea.set(r.areaId, [r]);
      }
      const ts: Transition[] = [];
      for (const [indicatorId, byArea] of groups) {
        const watched = evaluator.watches(indicatorId);
        for (const [areaId, g] of byArea) {
          let received = -Infinity;
          for (const r of g) if (r.receivedAt > received) received = r.receivedAt;
          noteReceived(indicatorId, areaId, received);
          if (watched) ts.push(...evaluator.observe(indicatorId, areaId, g.map((r) => ({ at: r.at, value: r.value, simulated: r.simulated }))));
        }
      }
      if (ts.length) void serial(() => apply(ts));
    },

    /** rolled-up values that changed (readings and derived counts alike) */
    valuesChanged(values: readonly IndicatorValue[]): void {
      const ts: Transition[] = [];
      for (const v of values) {
        if (v.value === null || v.at === null || v.status === 'stale' || v.status === 'nodata') continue;
        ts.push(...evaluator.observeCurrent(v.indicatorId, v.areaId, { at: Date.parse(v.at), value: v.value, simulated: v.simulated }));
      }
      if (ts.length) void serial(() => apply(ts));
    },

    /** the clock's part: held values, silent sources, forecasts */
    async tick(): Promise<void> {
      await serial(async () => {
        const now = clock.now();
        const ts = evaluator.hold(now);
        for (const r of evaluator.rulesOf('silence')) {
          for (const level of r.levels) {
            for (const area of tree.ofLevel(level)) {
              const last = lastReceived.get(r.indicatorId)?.get(area.id);
              if (last !== undefined) ts.push(...evaluator.silence(r, area.id, last, now));
            }
          }
        }
        await apply(ts);
      });
      const now = clock.now();
      if (!deps.forecasts || now - lastForecast < FORECAST_EVERY_MS) return;
      lastForecast = now;
      await checkForecasts();
    },

    /** judge the forecast rules now (the tick does it every 5 minutes) */
    checkForecasts: () => checkForecasts(),

    async list(f: AlarmFilter): Promise<{ alarms: Alarm[]; total: number }> {
      const [alarms, total] = await Promise.all([store.alarms.list(f), store.alarms.count(f)]);
      return { alarms, total };
    },

    async view(id: string): Promise<AlarmView | null> {
      const a = await store.alarms.get(id);
      return a ? { ...a, history: await store.alarms.history(id) } : null;
    },

    /** 确认: at the version the officer saw, once */
    acknowledge(a: Alarm, version: number, note: string, by: string): Promise<Alarm> {
      return serial(async () => {
        if (a.acknowledgedAt) throw new AppError('CONFLICT', 409, `already acknowledged by ${a.acknowledgedBy}`);
        const now = clock.now();
        const updated = await store.alarms.update(
          a.id,
          { state: a.state === 'cleared' ? 'cleared' : 'acknowledged', acknowledgedAt: now, acknowledgedBy: by, ackNote: note || null },
          history(now, 'acknowledged', a.severity, a.value, by, note || null),
          version,
        );
        if (!updated) throw new AppError('CONFLICT', 409, 'the alarm changed since you saw it: reload and try again');
        deps.broadcaster.publishAlarms([updated]);
        return updated;
      });
    },

    /** open the episode's case by hand (manual or auto rules); one per episode */
    openCase(a: Alarm, by: string, note: string): Promise<{ alarm: Alarm; event: GridEvent }> {
      return serial(async () => {
        const fresh = (await store.alarms.get(a.id)) ?? a;
        if (fresh.caseId) throw new AppError('CONFLICT', 409, `this alarm already has its case ${fresh.caseId}`);
        if (fresh.createCase === 'off') throw new AppError('CONFLICT', 409, 'the rule of this alarm does not open cases (createCase: off)');
        const rule = evaluator.rule(fresh.ruleId) ?? ruleSet.rules.find((r) => r.id === fresh.ruleId);
        return openCaseFor(fresh, rule, by, note);
      });
    },

    /**
     * Save a new rule set if the live one is still at `version`, and apply it at once. Returns
     * the new set; refuses rules that name unknown indicators or categories.
     */
    saveRules(version: number, rules: AlarmRule[], by: string): Promise<AlarmRuleSet> {
      return serial(async () => {
        const problems = ruleProblems(rules, deps.indicators, deps.categories);
        if (problems.length) throw new AppError('VALIDATION', 400, problems.slice(0, 10).join('; '));
        if (version !== ruleSet.version) throw new AppError('CONFLICT', 409, `the rules were saved by ${ruleSet.savedBy ?? 'someone'} since you loaded them (version ${ruleSet.version}): reload`);
        const now = clock.now();
        if (!(await store.alarms.saveRuleSet(version + 1, rules, now, by))) throw new AppError('CONFLICT', 409, 'someone saved the rules at the same moment: reload');
        ruleSet = { version: version + 1, rules, savedAt: new Date(now).toISOString(), savedBy: by };
        await loadRules(rules, now);
        deps.rulesSaved?.();
        return ruleSet;
      });
    },

    /**
     * Several nodes: another node saved a rule set. Take it from the store; `evaluate` on the node
     * that judges (the leaseholder) applies it (clearing what it no longer watches), elsewhere it is
     * only shown.
     */
    syncRules(evaluate: boolean): Promise<void> {
      return serial(async () => {
        const saved = await store.alarms.latestRuleSet();
        if (!saved || saved.version <= ruleSet.version) return;
        ruleSet = { version: saved.version, rules: saved.rules, savedAt: new Date(saved.savedAt).toISOString(), savedBy: saved.savedBy };
        if (evaluate) await loadRules(saved.rules, saved.savedAt);
        else evaluator.setRules(saved.rules, saved.savedAt);
      });
    },

    /** wait for queued evaluations (tests, shutdown) */
    idle(): Promise<void> {
      return serial(async () => undefined);
    },
  };

  async function checkForecasts(): Promise<void> {
    if (!deps.forecasts) return;
    // fits run in a worker and may take a second: the queue waits only for the verdicts
    for (const r of evaluator.rulesOf('forecast')) {
      for (const level of r.levels) {
        for (const area of tree.ofLevel(level)) {
          const crossing = await deps.forecasts.crossing(r.indicatorId, area.id, r.crosses, r.horizonHours).catch((err: unknown) => {
            logger.warn({ err, rule: r.id }, 'forecast unavailable');
            return undefined;
          });
          if (crossing === undefined) continue;
          await serial(async () => {
            // the rules may have changed while the model ran: judge only by the rule in force
            const live = evaluator.rule(r.id);
            if (live?.kind === 'forecast' && JSON.stringify(live) === JSON.stringify(r)) await apply(evaluator.forecast(live, area.id, crossing, clock.now()));
          });
        }
      }
    }
  }

  function noteReceived(indicatorId: string, areaId: string, at: number) {
    let m = lastReceived.get(indicatorId);
    if (!m) lastReceived.set(indicatorId, (m = new Map()));
    for (const a of tree.lineage(areaId)) {
      if ((m.get(a.id) ?? -Infinity) >= at) break; // the areas above already have it
      m.set(a.id, at);
    }
  }
}
export type AlarmService = ReturnType<typeof createAlarmService>;
