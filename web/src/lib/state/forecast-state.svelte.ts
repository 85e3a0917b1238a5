/**
 * @module web/state/forecast-state
 * The forecast the wall's trend chart draws (趋势预判): fetched when the area changes and every
 * {@link FORECAST_POLL_MS} (the server computes a new one at most every 10 minutes). No forecast
 * (too little history, an error) is simply nothing to draw: the chart shows the real values only.
 */
import { fetchForecast, type ForecastResponse } from '../api/forecast.ts';

export const FORECAST_POLL_MS = 10 * 60_000;
export const FORECAST_HORIZON_H = 12;

export class ForecastState {
  /** the forecast of the area followed, with points; null when there is none */
  forecast = $state.raw<ForecastResponse | null>(null);

  #indicatorId: string;
  #areaId = '';
  #abort: AbortController | null = null;
  #poll: ReturnType<typeof setInterval> | null = null;

  constructor(indicatorId: string) {
    this.#indicatorId = indicatorId;
  }

  /** Follows an area: drops the previous area's forecast and fetches at once. */
  watch(areaId: string): void {
    if (areaId === this.#areaId) return;
    this.#stop();
    this.#areaId = areaId;
    this.forecast = null;
    this.#poll = setInterval(() => void this.#refresh(), FORECAST_POLL_MS);
    void this.#refresh();
  }

  destroy(): void {
    this.#stop();
    this.#areaId = '';
  }

  #stop(): void {
    this.#abort?.abort();
    this.#abort = null;
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
  }

  async #refresh(): Promise<void> {
    this.#abort?.abort();
    const areaId = this.#areaId;
    const abort = (this.#abort = new AbortController());
    try {
      const f = await fetchForecast(this.#indicatorId, areaId, FORECAST_HORIZON_H, abort.signal);
      if (abort.signal.aborted || areaId !== this.#areaId) return;
      this.forecast = f.points.length ? f : null;
    } catch (err) {
      if (abort.signal.aborted) return;
      // nothing drawn rather than an error on the wall; the stream reports a lost session
      this.forecast = null;
      console.warn('[onescreen] forecast failed', (err as Error).message);
    }
  }
}
