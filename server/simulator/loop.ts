/**
 * @module server/simulator/loop
 * How the simulated centre works its cases: for each open case, after a realistic delay in its
 * stage, the next action — mostly along the loop, with occasional rejections at intake, returns
 * of a mis-dispatched case, failed verifications and slow handling that overruns its limit.
 * Real (not simulated) cases are never touched.
 * Pure: the decision for a case depends only on the case, the time and the seed.
 */
import type { GridEvent, StageLimits, TimeLimits, TransitionRequest } from '../../shared/index.ts';
import { limitsFor, suggestUnit } from '../domain/lifecycle.ts';
import { Rng } from './rng.ts';

/** a number in [0, 1) fixed for (seed, case, stage, salt) */
function draw(seed: number, id: string, stage: string, salt: string): number {
  let h = seed >>> 0;
  for (const ch of `${id}|${stage}|${salt}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return new Rng(h).next();
}

/**
 * Minutes the simulated centre takes in each status, as a fraction of that stage's limit:
 * `lo + (hi - lo) · u^skew` for a uniform u. A skew above 1 makes most cases quick and a few slow,
 * as in a real centre, where a day's handling limit is rarely used up: a street's on-time rate then
 * shows within an hour of a fresh start instead of the next day.
 */
const PACE: Record<string, [keyof StageLimits, number, number, number]> = {
  reported: ['accept', 0.1, 0.9, 1.5],
  accepted: ['dispatch', 0.1, 0.9, 1.5],
  dispatched: ['handle', 0.02, 1.25, 4], // about one case in eighteen overruns its handling limit
  handled: ['verify', 0.02, 0.6, 3],
};

export interface LoopContext {
  seed: number;
  now: number;
  limits: TimeLimits;
  rules: readonly { category: string; areaId?: string | undefined; unit: string }[];
  /** simulated minutes per real minute */
  speed: number;
}

/**
 * The next action on a case now, or null while it is still being worked on. Only simulated cases
 * are worked: a real case reported while the simulator runs is left to the real duty officers.
 */
export function nextAction(e: GridEvent, ctx: LoopContext): TransitionRequest | null {
  if (!e.simulated) return null;
  const stageStart = Date.parse(e.stageStartedAt);
  const key = `${e.status}@${e.stageStartedAt}`;
  const r = (salt: string) => draw(ctx.seed, e.id, key, salt);
  const version = e.version;
  if (e.status === 'verified') {
    if ((ctx.now - stageStart) * ctx.speed < (2 + r('wait') * 20) * 60_000) return null;
    return { action: 'archive', version, attachments: [], rating: r('rating') < 0.9 ? 'good' : 'bad', satisfaction: 3 + Math.floor(r('sat') * 3) };
  }
  const pace = PACE[e.status];
  if (!pace) return null;
  const [stage, lo, hi, skew] = pace;
  const limitMin = limitsFor(ctx.limits, e.category)[stage] * ctx.limits.severityFactor[e.severity] * e.limitFactor;
  // no stage waits longer than a day, whatever its limit
  const waitMin = Math.min(limitMin * (lo + (hi - lo) * r('wait') ** skew), 24 * 60);
  if ((ctx.now - stageStart) * ctx.speed < waitMin * 60_000) return null;
  switch (e.status) {
    case 'reported': {
      const x = r('intake');
      if (x < 0.03) return { action: 'reject', version, attachments: [], reason: 'invalid', note: '经核实不属实' };
      return { action: 'accept', version, attachments: [] };
    }
    case 'accepted': {
      const unit = suggestUnit(ctx.rules, e.category, e.streetId) ?? `st-${e.streetId}`;
      const co = e.category === 'fire_hazard' && r('co') < 0.5 ? [`st-${e.streetId}`] : [];
      return { action: 'dispatch', version, attachments: [], unit, coUnits: co.filter((u) => u !== unit) };
    }
    case 'dispatched':
      if (r('return') < 0.05 && e.leadUnit !== `st-${e.streetId}`) return { action: 'return', version, attachments: [], note: '非本单位职责，申请退单' };
      return { action: 'handle', version, attachments: [], note: '已到场处置完毕' };
    case 'handled':
      if (r('verify') < 0.08) return { action: 'rework', version, attachments: [], note: '核查未通过，需返工' };
      return { action: 'verify', version, attachments: [] };
    default:
      return null;
  }
}
