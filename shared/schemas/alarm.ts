/**
 * @module shared/schemas/alarm
 * Alarm rules (告警规则) and the alarms they raise (DOMAIN.md R3.2: 「关键体征的实时准确监测与智能预警」).
 * Rules are data (`data/rules.json`, then edited by administrators in `/admin`); an alarm is one
 * episode of one rule in one area: raised, perhaps acknowledged, cleared, with its history kept.
 */
import { z } from 'zod';
import { AreaLevel } from './area.ts';
import { Code, IsoDateTime, LocalisedText } from './common.ts';
import { Severity } from './event.ts';

/** How bad an alarm is: 预警 (warn) or 告警 (alarm). */
export const AlarmSeverity = z.enum(['warn', 'alarm']);
export type AlarmSeverity = z.infer<typeof AlarmSeverity>;
export const ALARM_SEVERITY_RANK: Record<AlarmSeverity, number> = { warn: 1, alarm: 2 };

/** What an episode does to the closed loop: open a case by itself, offer it to an officer, or never. */
export const CreateCase = z.enum(['auto', 'manual', 'off']);
export type CreateCase = z.infer<typeof CreateCase>;

/** The case an alarm opens: its category, its severity, and from which alarm severity `auto` opens it. */
export const AlarmCaseTemplate = z.strictObject({
  category: Code,
  severity: Severity.default('high'),
  /** with `createCase: auto`, the case is opened once the episode reaches this severity */
  minSeverity: AlarmSeverity.default('alarm'),
});

const seconds = z.number().int().min(0).max(30 * 86_400);

const RuleBase = {
  id: Code,
  name: z.strictObject({ zh: z.string().trim().min(1).max(100), en: z.string().trim().min(1).max(100) }),
  indicatorId: Code,
  /** the area levels whose values the rule watches (each area of these levels on its own) */
  levels: z.array(AreaLevel).min(1).max(4),
  enabled: z.boolean().default(true),
  createCase: CreateCase.default('off'),
  case: AlarmCaseTemplate.optional(),
};

/**
 * A level rule with hysteresis and a minimum duration. With `direction: above`, an episode opens
 * once the value has stayed at or above `warn` (or `alarm`) for `forSec` seconds of the readings'
 * own time, and closes only when the value has stayed below `clear` for `clearForSec` — a value
 * oscillating between `clear` and `warn`, or a noisy count that dips for a moment, never opens and
 * closes alarms over and over. `below` mirrors it.
 */
export const ThresholdRule = z.strictObject({
  ...RuleBase,
  kind: z.literal('threshold'),
  direction: z.enum(['above', 'below']),
  warn: z.number().finite().optional(),
  alarm: z.number().finite().optional(),
  clear: z.number().finite(),
  forSec: seconds.default(0),
  /** the value must stay past `clear` this long before the episode closes (no flapping on noisy counts) */
  clearForSec: seconds.default(0),
});

/** A rate-of-change rule: the value moved by `changePct` % or more within `windowSec` (e.g. PM2.5 up 50 % in an hour). */
export const RateRule = z.strictObject({
  ...RuleBase,
  kind: z.literal('rate'),
  direction: z.enum(['rise', 'fall']),
  windowSec: z.number().int().min(60).max(7 * 86_400),
  changePct: z.number().positive().max(10_000),
  /** the change must fall back under this % to clear (hysteresis; default half of `changePct`) */
  clearPct: z.number().min(0).max(10_000).optional(),
  /** changes from a base smaller than this are noise and ignored (e.g. 2 → 4 is +100 %) */
  minBase: z.number().min(0).default(0),
  severity: AlarmSeverity.default('warn'),
});

/** 数据中断: an area's indicator that received no reading for `windowSec` (by the server's clock). */
export const SilenceRule = z.strictObject({
  ...RuleBase,
  kind: z.literal('silence'),
  windowSec: z.number().int().min(60).max(30 * 86_400),
  severity: AlarmSeverity.default('warn'),
});

/** 趋势预判: the forecast crosses the indicator's alarm (or warn) threshold within `horizonHours`. */
export const ForecastRule = z.strictObject({
  ...RuleBase,
  kind: z.literal('forecast'),
  horizonHours: z.number().int().min(1).max(24),
  /** which threshold of the registry the forecast must cross */
  crosses: AlarmSeverity.default('alarm'),
  severity: AlarmSeverity.default('warn'),
});

export const AlarmRule = z
  .discriminatedUnion('kind', [ThresholdRule, RateRule, SilenceRule, ForecastRule])
  .superRefine((r, ctx) => {
    if (r.createCase !== 'off' && !r.case) ctx.addIssue({ code: 'custom', path: ['case'], message: 'a rule that opens cases names the case category (case.category)' });
    if (r.kind === 'rate' && r.clearPct !== undefined && r.clearPct >= r.changePct) {
      ctx.addIssue({ code: 'custom', path: ['clearPct'], message: 'clearPct must be below changePct (hysteresis)' });
    }
    if (r.kind !== 'threshold') return;
    if (r.warn === undefined && r.alarm === undefined) ctx.addIssue({ code: 'custom', path: ['warn'], message: 'a threshold rule needs warn, alarm or both' });
    const up = r.direction === 'above';
    const beyond = (a: number, b: number) => (up ? a >= b : a <= b);
    if (r.warn !== undefined && r.alarm !== undefined && !beyond(r.alarm, r.warn)) {
      ctx.addIssue({ code: 'custom', path: ['alarm'], message: `alarm must be ${up ? 'at or above' : 'at or below'} warn` });
    }
    const first = r.warn ?? r.alarm!;
    if (first !== undefined && beyond(r.clear, first) && r.clear !== first) {
      ctx.addIssue({ code: 'custom', path: ['clear'], message: `clear must be ${up ? 'below' : 'above'} the lowest threshold (hysteresis)` });
    }
    if (first !== undefined && r.clear === first) ctx.addIssue({ code: 'custom', path: ['clear'], message: 'clear must differ from the threshold (hysteresis)' });
  })
  .meta({
    id: 'AlarmRule',
    // as the server answers it, every default is filled in: a component of its own
    outputId: 'AlarmRuleInForce',
    description: 'An alarm rule: a threshold with hysteresis and a minimum duration, a rate of change, a silence (数据中断) or a forecast crossing.',
  });
export type AlarmRule = z.infer<typeof AlarmRule>;
export type ThresholdRule = z.infer<typeof ThresholdRule>;
export type RateRule = z.infer<typeof RateRule>;
export type SilenceRule = z.infer<typeof SilenceRule>;
export type ForecastRule = z.infer<typeof ForecastRule>;
export type AlarmRuleKind = AlarmRule['kind'];

export const AlarmRuleList = z
  .array(AlarmRule)
  .max(500)
  .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, { message: 'rule ids must be unique' })
  .meta({ id: 'AlarmRuleList', description: 'The whole rule set (`data/rules.json` as shipped).' });

/** The rule set as kept by the server: every save makes a new version. */
export const AlarmRuleSet = z
  .object({
    version: z.number().int().min(0),
    rules: z.array(AlarmRule),
    savedAt: IsoDateTime.nullable(),
    savedBy: z.string().nullable(),
  })
  .meta({ id: 'AlarmRuleSet', description: 'The live rule set and its version (0: the shipped `data/rules.json`, never edited).' });
export type AlarmRuleSet = z.infer<typeof AlarmRuleSet>;

/** `PUT /api/v1/admin/rules`: the new rule set, saved only if the live one is still at `version`. */
export const AlarmRulesSave = z
  .strictObject({ version: z.number().int().min(0), rules: AlarmRuleList })
  .meta({ id: 'AlarmRulesSave', description: 'A new rule set, applied live; refused (409) when someone saved another since `version`.' });
export type AlarmRulesSave = z.infer<typeof AlarmRulesSave>;

/** raised → (acknowledged) → cleared */
export const AlarmState = z.enum(['raised', 'acknowledged', 'cleared']);
export type AlarmState = z.infer<typeof AlarmState>;

export const AlarmHistoryKind = z.enum(['raised', 'escalated', 'deescalated', 'acknowledged', 'case_opened', 'cleared']);
export const AlarmHistoryEntry = z
  .object({
    at: IsoDateTime,
    kind: AlarmHistoryKind,
    severity: AlarmSeverity,
    value: z.number().nullable(),
    /** the person, for acknowledgements and cases opened by hand */
    by: z.string().nullable(),
    note: z.string().nullable(),
  })
  .meta({ id: 'AlarmHistoryEntry' });
export type AlarmHistoryEntry = z.infer<typeof AlarmHistoryEntry>;

export const Alarm = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    kind: z.enum(['threshold', 'rate', 'silence', 'forecast']),
    indicatorId: z.string(),
    areaId: z.string(),
    /** the street (or district) the area lies in, for scoping */
    streetId: z.string().nullable(),
    severity: AlarmSeverity,
    state: AlarmState,
    title: LocalisedText,
    /** the value that last fed the episode (null for silence) */
    value: z.number().nullable(),
    /** the threshold it was judged against */
    threshold: z.number().nullable(),
    /** when the condition began (reading time), when it was raised, last confirmed, and cleared */
    since: IsoDateTime,
    raisedAt: IsoDateTime,
    lastAt: IsoDateTime,
    clearedAt: IsoDateTime.nullable(),
    acknowledgedAt: IsoDateTime.nullable(),
    acknowledgedBy: z.string().nullable(),
    ackNote: z.string().nullable(),
    /** the case this episode opened, if any */
    caseId: z.string().nullable(),
    createCase: CreateCase,
    /** raised from simulated readings */
    simulated: z.boolean(),
    version: z.number().int().positive(),
  })
  .meta({ id: 'Alarm', description: 'One episode of one rule in one area (one alarm per episode: a rule that keeps firing updates it).' });
export type Alarm = z.infer<typeof Alarm>;

export const AlarmView = Alarm.extend({ history: z.array(AlarmHistoryEntry) }).meta({ id: 'AlarmView', description: 'An alarm with its history.' });
export type AlarmView = z.infer<typeof AlarmView>;

export const AlarmQuery = z.strictObject({
  areaId: z.string().min(1).max(64).optional().meta({ description: "the area (default: the session's own); alarms of the area and below it" }),
  status: z.enum(['active', 'cleared', 'all']).default('active').meta({ description: '`active`: raised or acknowledged, not yet cleared' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type AlarmQuery = z.infer<typeof AlarmQuery>;

export const AlarmsResponse = z
  .object({ alarms: z.array(Alarm), total: z.number().int().min(0) })
  .meta({ id: 'AlarmsResponse', description: 'Alarms, the most severe and oldest active first, then the newest cleared.' });
export type AlarmsResponse = z.infer<typeof AlarmsResponse>;

export const AlarmAckRequest = z
  .strictObject({ version: z.number().int().positive(), note: z.string().trim().max(500).default('') })
  .meta({ id: 'AlarmAckRequest', description: 'Acknowledge an alarm at the version the officer saw, with an optional note.' });
export type AlarmAckRequest = z.infer<typeof AlarmAckRequest>;

export const AlarmCaseRequest = z
  .strictObject({ note: z.string().trim().max(500).default('') })
  .meta({ id: 'AlarmCaseRequest', description: 'Open a case from an alarm (at most one per episode).' });
export type AlarmCaseRequest = z.infer<typeof AlarmCaseRequest>;

/** Order of the alarm panel: active before cleared, then severity, then age (oldest first). */
export function compareAlarms(a: Alarm, b: Alarm): number {
  const active = (x: Alarm) => (x.state === 'cleared' ? 1 : 0);
  return (
    active(a) - active(b) ||
    ALARM_SEVERITY_RANK[b.severity] - ALARM_SEVERITY_RANK[a.severity] ||
    (a.state === 'cleared' ? Date.parse(b.clearedAt!) - Date.parse(a.clearedAt!) : Date.parse(a.raisedAt) - Date.parse(b.raisedAt)) ||
    a.id.localeCompare(b.id)
  );
}
