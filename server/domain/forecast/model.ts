/**
 * @module server/domain/forecast/model
 * The forecasting model: the mean of two autoregressive models fitted by exact maximum
 * likelihood (the `arima` package, ctsa compiled to WebAssembly) to log(1 + value − range
 * minimum) over the trailing ten days of hourly values — ARIMA(2,0,0), which reverts to the
 * window's level, and ARIMA(2,1,0), which keeps the current level — averaged in log space.
 * Point forecasts are back-transformed (a median in value space, which is what MAE rewards);
 * the 80 % prediction interval is mean ± z₀.₉ · sd, sd the mean of the two models' h-step
 * root mean square errors, taken in log space and mapped back, so it widens with the horizon
 * and is skewed upwards like pollution episodes are. Values are clamped to the indicator's
 * plausible range.
 *
 * How it was chosen, without looking at the evaluation period: on the 60 days *before* the
 * README's evaluation period of the Jing'an PM2.5 series (hours −120 d … −60 d), seasonal
 * variants (SARIMA with s = 24, seasonal AR terms), ARIMA(p,1,q) with MA terms (some fits
 * diverge), AutoARIMA and other windows (4, 7, 14, 21 days) were compared. The stationary
 * AR(2) on a 10-day window was the best single model; averaging it with the differenced AR(2)
 * (a classic forecast combination) was better still at 6, 12 and 24 hours. The daily cycle of
 * PM2.5 is weak (seasonal naive is the worst baseline), so a seasonal term bought nothing.
 * Both fits together take about 20–40 ms.
 *
 * Pure in the sense of the house rules: no I/O, no clock; the WebAssembly module is compiled
 * once when this module is first imported (so import it in a worker, not on the event loop).
 */
import ARIMA from 'arima';

/** the prediction interval's coverage */
export const INTERVAL = 0.8;
/** standard normal quantile for a central 80 % interval (Φ⁻¹(0.9)) */
const Z = 1.2815515655446004;

export const MODEL_NAME = 'mean of ARIMA(2,0,0) and ARIMA(2,1,0) on log(1+x), 10-day window, 80% PI';

export interface ModelInput {
  /** consecutive hourly values, oldest first, without gaps (see prepareHistory) */
  values: readonly number[];
  horizon: number;
  /** the indicator's plausible [min, max] */
  range: readonly [number, number];
}

export interface ModelPoint {
  value: number;
  lower: number;
  upper: number;
}

export interface ModelOutput {
  model: string;
  points: ModelPoint[];
}

const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, v));

/**
 * Forecast `horizon` hours after the last value. A constant history forecasts itself with a
 * zero-width interval; a fit that fails or diverges falls back to persistence with an interval
 * from the history's own h-hour changes (named in `model`, never silently).
 */
export function forecastSeries({ values, horizon, range }: ModelInput): ModelOutput {
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be a positive integer, got ${horizon}`);
  if (values.length < 24) throw new RangeError(`at least 24 hourly values are needed, got ${values.length}`);
  const clamped = values.map((v) => clamp(v, range));
  const last = clamped[clamped.length - 1]!;
  const min = Math.min(...clamped);
  const max = Math.max(...clamped);
  if (max - min < 1e-9) {
    return { model: 'constant', points: Array.from({ length: horizon }, () => ({ value: last, lower: last, upper: last })) };
  }
  const lo = range[0];
  const x = clamped.map((v) => Math.log1p(v - lo));
  const back = (y: number) => clamp(Math.expm1(y) + lo, range);
  // a forecast further than this from anything possible is a diverged fit, not a forecast
  const yMax = Math.log1p(range[1] - lo);
  const fits = ORDERS.map((o) => fitOne(x, o, horizon, yMax)).filter((f): f is Fit => f !== null);
  if (!fits.length) return persistence(clamped, horizon, range);
  return {
    model: fits.length === ORDERS.length ? MODEL_NAME : `ARIMA(2,${fits[0]!.d},0) on log(1+x) (the other fit failed)`,
    points: Array.from({ length: horizon }, (_, i) => {
      const mean = fits.reduce((a, f) => a + f.pred[i]!, 0) / fits.length;
      // the two models' errors are strongly correlated: the mean of their standard deviations
      // (exact under perfect correlation, and never narrower than the better of them allows)
      const sd = fits.reduce((a, f) => a + Math.sqrt(f.mse[i]!), 0) / fits.length;
      return { value: back(mean), lower: back(mean - Z * sd), upper: back(mean + Z * sd) };
    }),
  };
}

interface Fit {
  d: number;
  pred: number[];
  mse: number[];
}

/** the two models averaged: a stationary AR(2) that reverts to the window's level, and an AR(2) on hourly changes that keeps the current level */
const ORDERS = [{ p: 2, d: 0, q: 0 }, { p: 2, d: 1, q: 0 }] as const;

function fitOne(x: readonly number[], order: (typeof ORDERS)[number], horizon: number, yMax: number): Fit | null {
  let model: InstanceType<typeof ARIMA> | undefined;
  try {
    model = new ARIMA({ ...order, verbose: false }).train([...x]);
    const [pred, mse] = model.predict(horizon);
    const ok = pred.length === horizon && pred.every((p, i) => Number.isFinite(p) && p >= -1 && p <= yMax + 1 && Number.isFinite(mse[i]) && mse[i]! >= 0);
    return ok ? { d: order.d, pred, mse } : null;
  } catch {
    return null;
  } finally {
    model?.destroy();
  }
}

/** last value, with the empirical 10th–90th percentile of the history's h-hour changes around it */
function persistence(values: readonly number[], horizon: number, range: readonly [number, number]): ModelOutput {
  const last = values[values.length - 1]!;
  const points: ModelPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const d: number[] = [];
    for (let i = h; i < values.length; i++) d.push(values[i]! - values[i - h]!);
    d.sort((a, b) => a - b);
    const q = (p: number) => (d.length ? d[Math.min(d.length - 1, Math.floor(p * d.length))]! : 0);
    points.push({ value: last, lower: clamp(last + q(0.1), range), upper: clamp(last + q(0.9), range) });
  }
  return { model: 'persistence (fallback)', points };
}
