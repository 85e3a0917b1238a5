/**
 * @module web/utils/poll
 * A map layer's (or panel's) data, asked for now and then every `everyMs`: each answer goes to
 * `ondata`; a lost session (401) to `onsessionlost`; other failures are logged and the next round
 * tries again. Returns the stop function (for a Svelte `$effect`'s cleanup), which also aborts
 * the request in flight.
 * @example $effect(() => poll((s) => fetchTasks({ areaId }, s), 60_000, (r) => (tasks = r.tasks), onsessionlost, 'tasks'));
 */
import { isUnauthorized } from '../api/http.ts';

export function poll<T>(fetcher: (signal: AbortSignal) => Promise<T>, everyMs: number, ondata: (data: T) => void, onsessionlost: (() => void) | undefined, what: string): () => void {
  const abort = new AbortController();
  const load = () =>
    fetcher(abort.signal)
      .then(ondata)
      .catch((err: unknown) => {
        if (abort.signal.aborted) return;
        if (isUnauthorized(err)) onsessionlost?.();
        else console.warn(`[onescreen] ${what} failed`, err);
      });
  void load();
  const timer = setInterval(load, everyMs);
  return () => {
    abort.abort();
    clearInterval(timer);
  };
}
