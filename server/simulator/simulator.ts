/**
 * @module server/simulator/simulator
 * The built-in simulator, on by default in `npm start`. It is an ordinary source: it holds its own
 * ingest key (marked simulated, so everything it posts is shown as simulated) and posts through
 * the same HTTP ingest path as real sensors and the 12345 hotline.
 */
import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EventIngestItem, GridEvent, IndicatorDefinition, ReadingIngestItem, ResponsibilityRule, TimeLimits } from '../../shared/index.ts';
import { hashPassword, type ScryptParams } from '../services/auth.service.ts';
import { nextAction } from './loop.ts';
import type { AreaTree } from '../domain/areas.ts';
import { startOfLocalDay, zoneOffsetMs } from '../domain/time.ts';
import { createIngestKey } from '../middleware/ingest-auth.ts';
import type { Logger, Store } from '../ports.ts';
import { Pm25Replay } from './pm25.ts';
import { CATEGORY_PROFILES, Scenario } from './scenario.ts';

export const PM25_FILE = fileURLToPath(new URL('../../data/pm25/jingan_pm25_hourly.csv', import.meta.url));

export interface SimulatorOptions {
  baseUrl: string;
  store: Pick<Store, 'cases' | 'identities' | 'keys'>;
  tree: AreaTree;
  indicators: readonly IndicatorDefinition[];
  seed: number;
  /** simulated time runs this many times faster for event and reading rates (1 = real time) */
  speed?: number;
  timeZone: string;
  logger: Logger;
  /** district-wide events per hour at peak activity 1.0 */
  eventsPerHour?: number;
  tickMs?: number;
  /** post the past day of events and PM2.5 when the store has none (fresh start) */
  backfill?: boolean;
  now?: () => number;
  /** work the cases through the closed loop (as the user `simulator`, a district officer) */
  loop?: { limits: TimeLimits; rules: readonly ResponsibilityRule[]; maxActionsPerTick?: number };
  /** the server's password hashing cost (its own user signs in like any other) */
  passwordHashing?: ScryptParams;
}

export const SIMULATOR_USER = 'simulator';

export async function startSimulator(o: SimulatorOptions) {
  const now = o.now ?? Date.now;
  const speed = o.speed ?? 1;
  const tickMs = o.tickMs ?? 5000;
  const rate = (o.eventsPerHour ?? 30) * speed;
  const scenario = new Scenario(o.tree, o.indicators, o.seed);
  const pm25 = Pm25Replay.fromFile(PM25_FILE);
  const prefix = `sim${o.seed.toString(36)}`;

  // a fresh key each start; the previous run's simulator keys (flagged simulated) are revoked
  for (const k of await o.store.keys.listIngestKeys()) {
    if (k.simulated && k.revokedAt === null) await o.store.keys.revokeIngestKey(k.id, now());
  }
  // bound to the source codes it simulates, like any well-configured source
  const sources = CATEGORY_PROFILES.flatMap((c) => c.sources);
  const { key } = await createIngestKey(o.store, 'simulator', { sources, simulated: true, now: now() });

  async function post(path: 'events' | 'readings', items: (EventIngestItem | ReadingIngestItem)[]) {
    for (let i = 0; i < items.length; i += 500) {
      const chunk = items.slice(i, i + 500);
      const res = await fetch(`${o.baseUrl}/api/v1/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ [path]: chunk }),
      });
      if (!res.ok) throw new Error(`simulator: POST ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
  }

  // the simulated duty officer: a district user whose password lives only in this process
  let cookie = '';
  const password = randomBytes(24).toString('base64url');
  async function signIn() {
    const res = await fetch(`${o.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: SIMULATOR_USER, password }),
    });
    if (!res.ok) throw new Error(`simulator: sign-in answered ${res.status}`);
    cookie = /onescreen_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0] ?? '';
  }
  if (o.loop) {
    const existing = await o.store.identities.findUserByUsername(SIMULATOR_USER);
    if (existing) await o.store.identities.setUserPassword(existing.id, await hashPassword(password, o.passwordHashing));
    else {
      await o.store.identities.createUser({ id: randomUUID(), username: SIMULATOR_USER, role: 'district', areaId: o.tree.districtId, unitId: null, streets: [], cleared: false, passwordHash: await hashPassword(password, o.passwordHashing), createdAt: now(), disabledAt: null });
    }
  }

  async function workCases() {
    if (!o.loop) return;
    if (!cookie) await signIn();
    const list = await fetch(`${o.baseUrl}/api/v1/events?status=open&limit=1000`, { headers: { cookie } });
    if (list.status === 401) return void (cookie = ''); // the session expired: sign in next tick
    if (!list.ok) throw new Error(`simulator: listing cases answered ${list.status}`);
    const { events } = (await list.json()) as { events: GridEvent[] };
    let acted = 0;
    for (const e of events.reverse()) {
      if (acted >= (o.loop.maxActionsPerTick ?? 40)) break;
      const req = nextAction(e, { seed: o.seed, now: now(), limits: o.loop.limits, rules: o.loop.rules, speed });
      if (!req) continue;
      const res = await fetch(`${o.baseUrl}/api/v1/events/${e.id}/transitions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify(req),
      });
      if (res.status === 401) return void (cookie = '');
      acted++; // a 409 (someone else acted) is fine: the case is looked at again next tick
    }
  }

  const localHour = (t: number) => new Date(t + zoneOffsetMs(t, o.timeZone)).getUTCHours();
  const pmAt = (t: number) => pm25.at(t, zoneOffsetMs(t, o.timeZone));

  // a fresh store gets yesterday and today so far, so the wall's day charts are not empty
  const t0 = now();
  if (o.backfill !== false) await backfill().catch((err) => o.logger.warn({ err: (err as Error).message }, 'simulator backfill failed'));
  async function backfill() {
    const yesterday = startOfLocalDay(startOfLocalDay(t0, o.timeZone) - 1, o.timeZone);
    if ((await o.store.cases.countEvents({ from: yesterday })) === 0) {
      await post('events', scenario.events(yesterday, t0, rate / speed, localHour, `${prefix}b`));
      // PM2.5: hourly for the ten days before (so the trend chart's forecast has its history
      // from the start), then every 10 minutes for the last day
      const pm: ReadingIngestItem[] = [];
      for (let t = t0 - 10 * 24 * 3_600_000; t < t0 - 24 * 3_600_000; t += 3_600_000) {
        pm.push({ indicator: 'pm25', value: pmAt(t), at: new Date(t).toISOString(), areaId: o.tree.districtId });
      }
      for (let t = t0 - 24 * 3_600_000; t < t0; t += 600_000) {
        pm.push({ indicator: 'pm25', value: pmAt(t), at: new Date(t).toISOString(), areaId: o.tree.districtId });
      }
      await post('readings', pm);
    }
  }

  let last = t0;
  let ticks = 0;
  let busy = false;
  async function tick() {
    if (busy) return;
    busy = true;
    try {
      const t = now();
      const events = scenario.events(last, t, rate, localHour, prefix);
      last = t;
      if (events.length) await post('events', events);
      const activity = 1 + (0.5 * (Math.min(1.5, speed) - 1)); // keep readings plausible when sped up
      const readings = scenario.readings(t, activity * (0.6 + 0.4 * (Math.sin((localHour(t) - 6) / 24 * 2 * Math.PI) + 1)), 8, ticks % 12 === 0);
      readings.push({ indicator: 'pm25', value: pmAt(t), at: new Date(t).toISOString(), areaId: o.tree.districtId });
      await post('readings', readings);
      await workCases();
      ticks++;
    } catch (err) {
      o.logger.warn({ err: (err as Error).message }, 'simulator tick failed');
    } finally {
      busy = false;
    }
  }
  await tick();
  const timer = setInterval(() => void tick(), tickMs);
  o.logger.info({ seed: o.seed, speed }, 'simulator started');
  return {
    key,
    tick,
    async stop() {
      clearInterval(timer);
      while (busy) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
