/**
 * @module web/utils/rules-editor
 * The pure model behind the rule editor in `/admin`: the rules as loaded, edits to them (the
 * switches, the case category and the key numbers of each kind), new threshold and silence
 * rules from a small form, deletions, and the body of the save — checked with the shared
 * {@link AlarmRulesSave} schema first, its problems mapped to rows and fields, as the server's
 * answers are. No I/O.
 *
 * @example
 * let rules = editableRules(set.rules);
 * rules = setNumber(rules, 3, 'warn', '4');
 * const r = saveBody(set.version, rules); // { ok: true, body } | { ok: false, issues }
 */
import type { z } from 'zod';
import { AlarmRulesSave, type AlarmRule, type AlarmRuleKind, type AreaLevel, type CreateCase, type ValidationIssue } from '../../../../shared/index.ts';

/** A rule as the editor holds it: the schema's input (defaults may be missing). */
export type RuleInput = z.input<typeof AlarmRulesSave>['rules'][number];

/** The numbers each kind shows and edits inline; `optional` ones may be left empty. */
export const NUMBER_FIELDS: Record<AlarmRuleKind, readonly { key: string; optional?: boolean }[]> = {
  threshold: [{ key: 'warn', optional: true }, { key: 'alarm', optional: true }, { key: 'clear' }, { key: 'forSec' }, { key: 'clearForSec', optional: true }],
  rate: [{ key: 'changePct' }, { key: 'windowSec' }],
  silence: [{ key: 'windowSec' }],
  forecast: [{ key: 'horizonHours' }],
};

export type NumberField = 'warn' | 'alarm' | 'clear' | 'forSec' | 'clearForSec' | 'changePct' | 'windowSec' | 'horizonHours';

/** One problem of the rule set: the row (null: the whole set) and the field, as the schema or server names them. */
export interface RuleIssue {
  index: number | null;
  /** the field inside the rule (`clear`, `case`, `name.zh`), or '' for the rule as a whole */
  field: string;
  message: string;
}

/** A deep copy of the loaded rules, for editing. */
export function editableRules(rules: readonly AlarmRule[] | readonly RuleInput[]): RuleInput[] {
  return structuredClone(rules as RuleInput[]);
}

function replaceAt(rules: readonly RuleInput[], index: number, next: RuleInput): RuleInput[] {
  return rules.map((r, i) => (i === index ? next : r));
}

/**
 * Sets a key number from what was typed: empty clears an optional one (and is an error for the
 * others: the schema says so), anything not a number is kept as NaN so the schema names it.
 */
export function setNumber(rules: readonly RuleInput[], index: number, field: NumberField, text: string): RuleInput[] {
  const r = rules[index];
  if (!r) return [...rules];
  const known = NUMBER_FIELDS[r.kind].find((f) => f.key === field);
  if (!known) return [...rules];
  const t = text.trim();
  const next = { ...r } as Record<string, unknown>;
  if (t === '') {
    if (known.optional) delete next[field];
    else next[field] = Number.NaN;
  } else next[field] = Number(t);
  return replaceAt(rules, index, next as RuleInput);
}

export function setEnabled(rules: readonly RuleInput[], index: number, enabled: boolean): RuleInput[] {
  const r = rules[index];
  return r ? replaceAt(rules, index, { ...r, enabled }) : [...rules];
}

/** Sets `createCase`; a rule that opens cases needs `case.category` (kept, or `category` when given). */
export function setCreateCase(rules: readonly RuleInput[], index: number, createCase: CreateCase, category?: string): RuleInput[] {
  const r = rules[index];
  if (!r) return [...rules];
  const next: RuleInput = { ...r, createCase };
  if (createCase !== 'off' && category) next.case = { ...(r.case ?? {}), category };
  return replaceAt(rules, index, next);
}

/** Sets the case category of a rule (removes the template when empty and the rule opens none). */
export function setCaseCategory(rules: readonly RuleInput[], index: number, category: string): RuleInput[] {
  const r = rules[index];
  if (!r) return [...rules];
  const next: RuleInput = { ...r };
  if (category) next.case = { ...(r.case ?? {}), category };
  else delete next.case;
  return replaceAt(rules, index, next);
}

export function removeRule(rules: readonly RuleInput[], index: number): RuleInput[] {
  return rules.filter((_, i) => i !== index);
}

/** What the add form asks for. Numbers come as typed. */
export interface NewRuleForm {
  kind: 'threshold' | 'silence';
  id: string;
  nameZh: string;
  nameEn: string;
  indicatorId: string;
  levels: AreaLevel[];
  direction: 'above' | 'below';
  warn: string;
  alarm: string;
  clear: string;
  forSec: string;
  windowSec: string;
  severity: 'warn' | 'alarm';
  createCase: CreateCase;
  caseCategory: string;
}

export const EMPTY_NEW_RULE: NewRuleForm = {
  kind: 'threshold',
  id: '',
  nameZh: '',
  nameEn: '',
  indicatorId: '',
  levels: ['street'],
  direction: 'above',
  warn: '',
  alarm: '',
  clear: '',
  forSec: '0',
  windowSec: '3600',
  severity: 'warn',
  createCase: 'off',
  caseCategory: '',
};

const numOrNaN = (t: string) => (t.trim() === '' ? Number.NaN : Number(t.trim()));

/** The rule the add form describes (checked with the rest when saving). */
export function ruleFromForm(f: NewRuleForm): RuleInput {
  const base = {
    id: f.id.trim(),
    name: { zh: f.nameZh.trim(), en: f.nameEn.trim() || f.nameZh.trim() },
    indicatorId: f.indicatorId,
    levels: [...f.levels],
    enabled: true,
    createCase: f.createCase,
    ...(f.createCase !== 'off' || f.caseCategory ? { case: { category: f.caseCategory } } : {}),
  };
  if (f.kind === 'silence') return { ...base, kind: 'silence', windowSec: numOrNaN(f.windowSec), severity: f.severity };
  const r: RuleInput = { ...base, kind: 'threshold', direction: f.direction, clear: numOrNaN(f.clear), forSec: numOrNaN(f.forSec || '0') };
  if (f.warn.trim() !== '') r.warn = numOrNaN(f.warn);
  if (f.alarm.trim() !== '') r.alarm = numOrNaN(f.alarm);
  return r;
}

/**
 * The problems of one new rule on its own and next to the others (a taken id), numbered as if it
 * were appended; empty when it can join the list.
 */
export function newRuleIssues(rules: readonly RuleInput[], f: NewRuleForm): RuleIssue[] {
  const r = saveBody(0, [...rules, ruleFromForm(f)]);
  const own = r.ok ? [] : r.issues.filter((i) => i.index === rules.length || i.index === null);
  if (rules.some((x) => x.id === f.id.trim())) own.unshift({ index: rules.length, field: 'id', message: 'this id is taken' });
  return own;
}

/** `rules.3.clear` → row 3, field `clear`; `rules` or `(body)` → the whole set. */
export function issueOf(path: string, message: string): RuleIssue {
  const m = /^rules\.(\d+)(?:\.(.*))?$/.exec(path);
  if (m) return { index: Number(m[1]), field: m[2] ?? '', message };
  return { index: null, field: '', message };
}

/** The server's validation issues as rows and fields. */
export function issuesFromServer(issues: readonly ValidationIssue[]): RuleIssue[] {
  return issues.map((i) => issueOf(i.path, i.message));
}

/**
 * The server's own checks answer one message, `rules[2] (id): unknown indicator x; rules[5] …`:
 * each part with the row it names.
 */
export function issuesFromMessage(message: string): RuleIssue[] {
  return message
    .split('; ')
    .filter(Boolean)
    .map((part) => {
      const m = /^rules\[(\d+)\](?: \([^)]*\))?: (.*)$/.exec(part);
      return m ? { index: Number(m[1]), field: '', message: m[2]! } : { index: null, field: '', message: part };
    });
}

/** The body of `PUT /api/v1/admin/rules`, or the problems the shared schema finds in it. */
export function saveBody(version: number, rules: readonly RuleInput[]): { ok: true; body: z.input<typeof AlarmRulesSave> } | { ok: false; issues: RuleIssue[] } {
  const body = { version, rules: rules as RuleInput[] };
  const r = AlarmRulesSave.safeParse(body);
  if (r.success) return { ok: true, body };
  return { ok: false, issues: r.error.issues.map((i) => issueOf(i.path.map(String).join('.'), i.message)) };
}

/** Whether the edited rules differ from the loaded ones. */
export function isDirty(loaded: readonly RuleInput[], edited: readonly RuleInput[]): boolean {
  return JSON.stringify(loaded) !== JSON.stringify(edited);
}

/** The issues of one row, by field ('' for the row as a whole). */
export function issuesOfRow(issues: readonly RuleIssue[], index: number): Map<string, string> {
  const m = new Map<string, string>();
  for (const i of issues) {
    if (i.index !== index) continue;
    const key = i.field.split('.')[0] ?? '';
    m.set(key, m.has(key) ? `${m.get(key)}; ${i.message}` : i.message);
  }
  return m;
}
