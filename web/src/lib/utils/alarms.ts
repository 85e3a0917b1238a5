/**
 * @module web/utils/alarms
 * Pure helpers of the console's alarm list: merging the live active alarms with the cleared
 * ones fetched on demand, what an officer may do on an alarm, and how a value reads.
 * No I/O, no clock.
 */
import { compareAlarms, type Alarm, type IndicatorDefinition, type Role } from '../../../../shared/index.ts';
import { formatValue } from './format.ts';

/** Who acknowledges alarms and opens their cases: duty officers (admins and walls only look). */
export const canActOnAlarms = (role: Role | null | undefined): boolean => role === 'district' || role === 'street';

/** What the officer may do on an alarm now (the server decides in the end). */
export function alarmActions(a: Alarm, role: Role | null | undefined): { acknowledge: boolean; openCase: boolean } {
  const officer = canActOnAlarms(role);
  return {
    acknowledge: officer && !a.acknowledgedAt,
    openCase: officer && a.createCase !== 'off' && !a.caseId,
  };
}

/** The newer of two versions of one alarm. */
const newer = (a: Alarm, b: Alarm) => (a.version >= b.version ? a : b);

/**
 * The list the console shows: the live active alarms and, when asked, the cleared ones fetched
 * (an alarm in both counts once, in its newest version), in {@link compareAlarms} order.
 */
export function alarmList(active: readonly Alarm[], cleared: readonly Alarm[], showCleared: boolean): Alarm[] {
  const byId = new Map<string, Alarm>();
  for (const a of active) byId.set(a.id, a);
  for (const c of cleared) {
    const held = byId.get(c.id);
    byId.set(c.id, held ? newer(held, c) : c);
  }
  const activeIds = new Set(active.map((a) => a.id));
  return [...byId.values()]
    // an alarm that left the live list has cleared: its cleared version may not be fetched yet
    .filter((a) => (a.state === 'cleared' ? showCleared : activeIds.has(a.id)))
    .sort(compareAlarms);
}

/** The cleared list after a live change: a cleared alarm goes in (or is updated), newest first. */
export function noteCleared(cleared: readonly Alarm[], a: Alarm, cap = 200): Alarm[] {
  if (a.state !== 'cleared') return cleared.filter((c) => c.id !== a.id || c.version > a.version);
  const held = cleared.find((c) => c.id === a.id);
  if (held && held.version > a.version) return [...cleared];
  return [a, ...cleared.filter((c) => c.id !== a.id)].sort(compareAlarms).slice(0, cap);
}

/** A value with the indicator's decimals and unit (`—` for none, e.g. a silent source). */
export function alarmValueText(v: number | null, def: IndicatorDefinition | undefined, lang: 'zh' | 'en'): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const n = def ? formatValue(v, def.decimals, lang) : String(v);
  const unit = def ? def.unit[lang] || def.unit.zh : '';
  return unit ? `${n} ${unit}` : n;
}

