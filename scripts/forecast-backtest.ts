/**
 * `npm run forecast:backtest -- <file.csv> [--json] [--horizon 12] [--step 6] [--days 60] [--min 0] [--max 1000]`
 *
 * Rolling-origin back-test of the forecast model (server/domain/forecast) on an hourly CSV with
 * columns `at,value` (ISO time, value), or the shipped `year,month,day,hour,pm25` layout of
 * data/pm25/jingan_pm25_hourly.csv (times in China Standard Time, UTC+8, as in the UCI data
 * set). Prints MAE and the 80 % interval's coverage for the model, naive persistence and seasonal
 * naive; with `--json` the last line is one JSON object. Bad input exits with code 2.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backtest, DEFAULT_BACKTEST, HOUR_MS, type HourPoint } from '../server/domain/forecast/index.ts';

class InputError extends Error {}

/** parse the CSV into hourly points; throws InputError with the line at fault */
export function parseHourlyCsv(text: string): HourPoint[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const iso = col('at') >= 0 && col('value') >= 0;
  const ymdh = ['year', 'month', 'day', 'hour'].every((c) => col(c) >= 0) && col('pm25') >= 0;
  if (!iso && !ymdh) throw new InputError(`expected columns "at,value" (or "year,month,day,hour,pm25"), found "${lines[0]?.slice(0, 80) ?? ''}"`);
  const points: HourPoint[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const f = line.split(',').map((x) => x.trim().replace(/^"|"$/g, ''));
    let at: number;
    let raw: string;
    if (iso) {
      const t = f[col('at')] ?? '';
      at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t) ? Date.parse(t) : NaN;
      if (!Number.isFinite(at)) throw new InputError(`line ${i + 1}: unparsable time "${t.slice(0, 40)}" (ISO 8601 with a zone, e.g. 2015-12-01T08:00:00+08:00)`);
      raw = f[col('value')] ?? '';
    } else {
      const [y, m, d, h] = ['year', 'month', 'day', 'hour'].map((c) => Number(f[col(c)]));
      at = Date.UTC(y!, m! - 1, d!, h!) - 8 * HOUR_MS;
      if (![y, m, d, h].every(Number.isInteger) || !Number.isFinite(at) || m! < 1 || m! > 12 || d! < 1 || d! > 31 || h! < 0 || h! > 23) {
        throw new InputError(`line ${i + 1}: unparsable time "${f.slice(0, 4).join(',')}"`);
      }
      raw = f[col('pm25')] ?? '';
    }
    if (raw === '' || raw.toUpperCase() === 'NA') continue; // a missing hour
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new InputError(`line ${i + 1}: value "${raw.slice(0, 40)}" is not a number`);
    if (at % HOUR_MS !== 0) throw new InputError(`line ${i + 1}: ${new Date(at).toISOString()} is not on the hour (hourly values expected)`);
    points.push({ hour: at, value });
  }
  if (!points.length) throw new InputError('no values in the file');
  return points;
}

function main(argv: string[]): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        horizon: { type: 'string' },
        step: { type: 'string' },
        days: { type: 'string' },
        min: { type: 'string' },
        max: { type: 'string' },
      },
    });
  } catch (err) {
    console.error(`forecast:backtest: ${(err as Error).message}`);
    return 2;
  }
  const { values: o, positionals } = args;
  const usage = 'usage: npm run forecast:backtest -- <file.csv> [--json] [--horizon 1-24] [--step hours] [--days n] [--min v] [--max v]';
  if (positionals.length !== 1) {
    console.error(`forecast:backtest: one CSV file expected\n${usage}`);
    return 2;
  }
  const int = (s: string | undefined, def: number, lo: number, hi: number, name: string) => {
    if (s === undefined) return def;
    const n = Number(s);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new InputError(`--${name} must be an integer from ${lo} to ${hi}`);
    return n;
  };
  try {
    const horizon = int(o.horizon, DEFAULT_BACKTEST.horizon, 1, 24, 'horizon');
    const stepHours = int(o.step, DEFAULT_BACKTEST.stepHours, 1, 168, 'step');
    const evalDays = int(o.days, DEFAULT_BACKTEST.evalDays, 1, 3650, 'days');
    let text: string;
    try {
      text = readFileSync(positionals[0]!, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read ${positionals[0]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const points = parseHourlyCsv(text);
    const num = (s: string | undefined, def: number, name: string) => {
      if (s === undefined) return def;
      const n = Number(s);
      if (!Number.isFinite(n)) throw new InputError(`--${name} must be a number`);
      return n;
    };
    const dataMin = Math.min(...points.map((p) => p.value));
    const range: [number, number] = [num(o.min, Math.min(0, dataMin), 'min'), num(o.max, Number.POSITIVE_INFINITY, 'max')];
    if (!(range[0] < range[1])) throw new InputError('--min must be below --max');
    let r;
    try {
      r = backtest(points, { horizon, stepHours, evalDays, range });
    } catch (err) {
      if (err instanceof RangeError) throw new InputError(err.message);
      throw err;
    }
    const f = (n: number) => n.toFixed(2);
    const pct = (n: number) => `${(n * 100).toFixed(1)} %`;
    const rows = [
      ['method', 'MAE', 'coverage', 'MAE ÷ model'],
      [`model: ${r.model.name}`, f(r.model.mae), `${pct(r.model.coverage)} (nominal ${pct(r.model.interval)})`, '1.000'],
      ['naive (last value)', f(r.naive.mae), '', (r.naive.mae / r.model.mae).toFixed(3)],
      ['seasonal naive (same hour, day before)', f(r.seasonalNaive.mae), '', (r.seasonalNaive.mae / r.model.mae).toFixed(3)],
    ];
    const w = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
    console.log(`${positionals[0]}: ${points.length} hourly values, ${r.origins} origins every ${r.stepHours} h from ${r.from} to ${r.to} (last ${r.evalDays} days), horizon ${r.horizon} h, ${r.scored} forecast hours scored`);
    if (r.skippedOrigins) console.log(`${r.skippedOrigins} origins skipped (too little or stale history before them)`);
    if (r.model.fallbacks) console.log(`${r.model.fallbacks} origins used the persistence fallback`);
    for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(w[c]!)).join('  '));
    console.log(`model MAE ÷ naive ${r.ratios.naive.toFixed(3)}, ÷ seasonal naive ${r.ratios.seasonalNaive.toFixed(3)} (below 1: the model is better)`);
    if (o.json) console.log(JSON.stringify(r));
    return 0;
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`forecast:backtest: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
