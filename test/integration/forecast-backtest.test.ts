/**
 * The back-test command on a slice of the shipped Jing'an PM2.5 series (the last 20 days, five
 * daily origins): the JSON line's shape, naive persistence recounted independently, coverage a
 * fraction; and bad files refused with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'onescreen-backtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const H = 3_600_000;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/forecast-backtest.ts', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** the shipped file's last `days` days as `at,value` rows (its hours are China Standard Time) */
function shippedSlice(days: number) {
  const lines = readFileSync(join(root, 'data/pm25/jingan_pm25_hourly.csv'), 'utf8').trim().split('\n').slice(1);
  const pts = lines.map((l) => {
    const [y, m, d, h, v] = l.split(',').map(Number);
    return { hour: Date.UTC(y!, m! - 1, d!, h!) - 8 * H, value: v! };
  });
  const end = pts[pts.length - 1]!.hour + H;
  return pts.filter((p) => p.hour >= end - days * 24 * H);
}

describe('npm run forecast:backtest', () => {
  it('should print one JSON object last, with naive persistence recounted and coverage a fraction', () => {
    const pts = shippedSlice(20);
    const file = join(dir, 'slice.csv');
    writeFileSync(file, `at,value\n${pts.map((p) => `${new Date(p.hour).toISOString()},${p.value}`).join('\n')}\n`);
    const r = run(file, '--json', '--days', '5', '--step', '24', '--horizon', '12');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3); // the readable table comes first
    const j = JSON.parse(lines[lines.length - 1]!);
    expect(j).toMatchObject({
      model: { mae: expect.any(Number), coverage: expect.any(Number) },
      naive: { mae: expect.any(Number) },
      seasonalNaive: { mae: expect.any(Number) },
      horizon: 12,
      stepHours: 24,
      evalDays: 5,
    });
    expect(j.model.coverage).toBeGreaterThanOrEqual(0);
    expect(j.model.coverage).toBeLessThanOrEqual(1);
    expect(j.model.mae).toBeGreaterThan(0);
    // independent recount of naive persistence: the last observation before each origin,
    // origins with none in the 3 hours before them skipped
    const byHour = new Map(pts.map((p) => [p.hour, p.value]));
    const end = pts[pts.length - 1]!.hour + H;
    let sum = 0, n = 0, origins = 0;
    for (let o = end - 5 * 24 * H; o + 12 * H <= end; o += 24 * H) {
      origins++;
      let last: number | undefined;
      for (let t = o - H; t >= o - 4 * H && last === undefined; t -= H) last = byHour.get(t);
      if (last === undefined) continue;
      for (let k = 0; k < 12; k++) {
        const a = byHour.get(o + k * H);
        if (a === undefined) continue;
        sum += Math.abs(last - a);
        n++;
      }
    }
    expect(j.origins).toBe(origins);
    expect(j.scored).toBe(n);
    expect(j.naive.mae).toBeCloseTo(sum / n, 9);
  });

  it('should accept the shipped year,month,day,hour,pm25 layout', () => {
    const lines = readFileSync(join(root, 'data/pm25/jingan_pm25_hourly.csv'), 'utf8').trim().split('\n');
    const file = join(dir, 'shipped-tail.csv');
    writeFileSync(file, [lines[0], ...lines.slice(-24 * 8)].join('\n'));
    const r = run(file, '--json', '--days', '2', '--step', '24', '--horizon', '6');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.trim().split('\n').pop()!).scored).toBeGreaterThan(0);
  });

  it.each([
    ['missing columns', 'time,v\n2015-01-01T00:00:00Z,1\n', /columns/],
    ['an unparsable time', 'at,value\nyesterday,1\n', /unparsable time/],
    ['a value that is not a number', 'at,value\n2015-01-01T00:00:00Z,abc\n', /not a number/],
    ['too short a series', `at,value\n${Array.from({ length: 30 }, (_, i) => `${new Date(Date.UTC(2015, 0, 1, i)).toISOString()},${i}`).join('\n')}\n`, /too short/],
  ])('should refuse %s with exit code 2', (_name, text, message) => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, text);
    const r = run(file, '--json');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('should refuse a missing file and a bad option with exit code 2', () => {
    expect(run(join(dir, 'nope.csv')).code).toBe(2);
    expect(run(join(dir, 'slice.csv'), '--horizon', '99').code).toBe(2);
    expect(run().code).toBe(2);
  });
});
