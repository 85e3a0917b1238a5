/**
 * The rule editor's model (web/utils/rules-editor.ts): edits of the shipped rules turn into a
 * body the shared AlarmRulesSave schema accepts, bad edits into issues at their rows and fields,
 * and the server's answers (schema issues, or its own checks in one message) the same way.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AlarmRuleList, AlarmRulesSave } from '../../shared/index.ts';
import {
  EMPTY_NEW_RULE,
  editableRules,
  isDirty,
  issueOf,
  issuesFromMessage,
  issuesFromServer,
  issuesOfRow,
  newRuleIssues,
  removeRule,
  ruleFromForm,
  saveBody,
  setCaseCategory,
  setCreateCase,
  setEnabled,
  setNumber,
  type NewRuleForm,
} from '../../web/src/lib/utils/rules-editor.ts';

const shipped = AlarmRuleList.parse(JSON.parse(readFileSync(new URL('../../data/rules.json', import.meta.url), 'utf8')));
const idx = (id: string) => shipped.findIndex((r) => r.id === id);

describe('rules editor', () => {
  it('should save the shipped rules unchanged, and know when nothing changed', () => {
    const rules = editableRules(shipped);
    const r = saveBody(0, rules);
    expect(r.ok).toBe(true);
    expect(isDirty(shipped, rules)).toBe(false);
    // editing the copy never touches what was loaded
    setEnabled(rules, 0, false)[0]!.enabled = false;
    expect(shipped[0]!.enabled).toBe(true);
  });

  it('should turn switches, case settings and numbers into a valid save', () => {
    let rules = editableRules(shipped);
    const lift = idx('elevator_faults.street');
    const pm = idx('pm25.district');
    const silent = idx('pm25.silent');
    rules = setEnabled(rules, lift, false);
    rules = setNumber(rules, pm, 'warn', ' 80 ');
    rules = setNumber(rules, pm, 'forSec', '600');
    rules = setNumber(rules, silent, 'windowSec', '3600');
    rules = setCreateCase(rules, pm, 'manual', 'hazmat');
    expect(isDirty(shipped, rules)).toBe(true);
    const r = saveBody(4, rules);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const parsed = AlarmRulesSave.parse(r.body);
    expect(parsed.version).toBe(4);
    expect(parsed.rules[lift]!.enabled).toBe(false);
    expect(parsed.rules[pm]).toMatchObject({ warn: 80, forSec: 600, createCase: 'manual', case: { category: 'hazmat' } });
    expect(parsed.rules[silent]).toMatchObject({ kind: 'silence', windowSec: 3600 });
    // a number a kind does not have is not set
    expect(setNumber(rules, silent, 'clear', '3')[silent]).toEqual(rules[silent]);
  });

  it('should name bad edits at their rows and fields', () => {
    const pm = idx('pm25.district');
    const lift = idx('elevator_faults.street');
    let rules = editableRules(shipped);
    rules = setNumber(rules, pm, 'clear', '200'); // above warn: no hysteresis
    rules = setNumber(rules, lift, 'forSec', 'abc');
    const r = saveBody(0, rules);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(issuesOfRow(r.issues, pm).has('clear')).toBe(true);
    expect(issuesOfRow(r.issues, lift).has('forSec')).toBe(true);
    expect(r.issues.every((i) => i.index === pm || i.index === lift)).toBe(true);
    // an empty required number is an error, an empty optional one is removed
    const cleared = setNumber(editableRules(shipped), pm, 'clear', '');
    expect(saveBody(0, cleared).ok).toBe(false);
    const noWarn = setNumber(editableRules(shipped), pm, 'warn', '');
    expect('warn' in noWarn[pm]!).toBe(false);
    expect(saveBody(0, noWarn).ok).toBe(true);
    // a rule that opens cases without naming a category
    const noCat = setCreateCase(editableRules(shipped), pm, 'auto');
    const bad = saveBody(0, noCat);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(issuesOfRow(bad.issues, pm).has('case')).toBe(true);
    expect(saveBody(0, setCaseCategory(noCat, pm, 'hazmat')).ok).toBe(true);
    // removing the template of a rule that opens none is fine
    expect(saveBody(0, setCaseCategory(editableRules(shipped), lift, '')).ok).toBe(false);
    expect(saveBody(0, setCaseCategory(setCreateCase(editableRules(shipped), lift, 'off'), lift, '')).ok).toBe(true);
  });

  it('should refuse duplicate ids for the set as a whole, and delete rules', () => {
    const rules = editableRules(shipped);
    const dup = saveBody(0, [...rules, { ...rules[0]! }]);
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.issues.some((i) => i.index === null && /unique/.test(i.message))).toBe(true);
    const fewer = removeRule(rules, 0);
    expect(fewer).toHaveLength(rules.length - 1);
    expect(fewer[0]!.id).toBe(shipped[1]!.id);
    expect(saveBody(0, fewer).ok).toBe(true);
  });

  it('should build threshold and silence rules from the add form, naming what is missing', () => {
    const rules = editableRules(shipped);
    const form: NewRuleForm = {
      ...EMPTY_NEW_RULE,
      id: 'pm25.street.high',
      nameZh: '街道PM2.5超标',
      nameEn: 'Street PM2.5 high',
      indicatorId: 'pm25',
      levels: ['street'],
      warn: '75',
      alarm: '115',
      clear: '55',
      forSec: '900',
    };
    expect(newRuleIssues(rules, form)).toEqual([]);
    expect(ruleFromForm(form)).toMatchObject({ kind: 'threshold', direction: 'above', warn: 75, alarm: 115, clear: 55, forSec: 900, createCase: 'off' });
    const added = [...rules, ruleFromForm(form)];
    expect(saveBody(0, added).ok).toBe(true);

    const silence: NewRuleForm = { ...EMPTY_NEW_RULE, kind: 'silence', id: 'noise.silent', nameZh: '噪声数据中断', indicatorId: 'pm25', levels: ['district'], windowSec: '1800', severity: 'alarm', createCase: 'manual', caseCategory: 'hazmat' };
    expect(newRuleIssues(rules, silence)).toEqual([]);
    expect(ruleFromForm(silence)).toMatchObject({ kind: 'silence', windowSec: 1800, severity: 'alarm', name: { zh: '噪声数据中断', en: '噪声数据中断' }, case: { category: 'hazmat' } });

    // a taken id, a missing clear level, bad code, no levels
    const bad = newRuleIssues(rules, { ...form, id: 'pm25.district', clear: '' });
    expect(bad.map((i) => i.field)).toEqual(expect.arrayContaining(['id', 'clear']));
    const worse = newRuleIssues(rules, { ...form, id: 'Bad Id!', levels: [], warn: '', alarm: '' });
    expect(worse.map((i) => i.field.split('.')[0])).toEqual(expect.arrayContaining(['id', 'levels', 'warn']));
    // issues are numbered as the appended row
    expect(worse.every((i) => i.index === rules.length || i.index === null)).toBe(true);
  });

  it('should read the server’s issues and its one-message checks as rows', () => {
    expect(issueOf('rules.3.clear', 'too high')).toEqual({ index: 3, field: 'clear', message: 'too high' });
    expect(issueOf('rules.12', 'bad')).toEqual({ index: 12, field: '', message: 'bad' });
    expect(issueOf('version', 'bad')).toEqual({ index: null, field: '', message: 'bad' });
    expect(issuesFromServer([{ path: 'rules.0.name.zh', message: 'empty' }])).toEqual([{ index: 0, field: 'name.zh', message: 'empty' }]);
    expect(issuesOfRow(issuesFromServer([{ path: 'rules.0.name.zh', message: 'empty' }]), 0).get('name')).toBe('empty');
    expect(issuesFromMessage('rules[2] (x.y): unknown indicator no_such; rules[5] (a): unknown case category zz; something else')).toEqual([
      { index: 2, field: '', message: 'unknown indicator no_such' },
      { index: 5, field: '', message: 'unknown case category zz' },
      { index: null, field: '', message: 'something else' },
    ]);
  });
});
