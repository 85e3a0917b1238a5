/**
 * @module server/services/forecast-worker
 * One worker thread that fits forecast models, fed from a bounded queue, so a burst of forecast
 * requests neither blocks the event loop nor grows memory without limit. The worker starts on
 * first use, is restarted after a crash (the jobs it held fail, later ones run), and is
 * `unref`'d so it never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { ModelInput, ModelOutput } from '../domain/forecast/model.ts';

export type FitFn = (input: ModelInput) => Promise<ModelOutput>;

/** thrown when the queue is full: the caller answers "busy", it does not wait */
export class ForecastBusyError extends Error {}

export interface ForecastWorker {
  fit: FitFn;
  /** jobs sent to the worker or waiting for it */
  readonly pending: number;
  stop(): Promise<void>;
}

interface Job {
  id: number;
  input: ModelInput;
  resolve(o: ModelOutput): void;
  reject(e: Error): void;
}

export function createForecastWorker(opts: { maxQueued?: number; timeoutMs?: number } = {}): ForecastWorker {
  const maxQueued = opts.maxQueued ?? 64;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const queue: Job[] = [];
  let worker: Worker | undefined;
  let running: Job | undefined;
  let timer: NodeJS.Timeout | undefined;
  let nextId = 1;
  let stopped = false;

  function fail(err: Error) {
    const job = running;
    running = undefined;
    if (timer) clearTimeout(timer);
    job?.reject(err);
  }

  function spawn(): Worker {
    // execArgv: [] — the entry registers tsx itself; inheriting `--import tsx` would load it twice
    const w = new Worker(new URL('./forecast.worker.mjs', import.meta.url), { execArgv: [] });
    w.unref();
    w.on('message', (msg: { id: number; ok: boolean; output?: ModelOutput; error?: string }) => {
      const job = running;
      if (!job || job.id !== msg.id) return;
      running = undefined;
      if (timer) clearTimeout(timer);
      if (msg.ok) job.resolve(msg.output!);
      else job.reject(new Error(msg.error ?? 'forecast failed'));
      pump();
    });
    // an uncaught error is followed by 'exit': each fails the running job only while `w` is the
    // current worker, so a replacement's job is never failed by its predecessor's exit
    w.on('error', (err) => {
      if (worker !== w) return;
      worker = undefined;
      fail(err);
      pump();
    });
    w.on('exit', () => {
      if (worker !== w) return;
      worker = undefined;
      fail(new Error('the forecast worker stopped'));
      pump();
    });
    return w;
  }

  function pump() {
    if (stopped || running || !queue.length) return;
    worker ??= spawn();
    running = queue.shift()!;
    const w = worker;
    timer = setTimeout(() => void w.terminate(), timeoutMs);
    timer.unref();
    w.postMessage({ id: running.id, input: running.input });
  }

  return {
    fit(input) {
      if (stopped) return Promise.reject(new Error('the forecast worker is stopped'));
      if (queue.length >= maxQueued) return Promise.reject(new ForecastBusyError('too many forecasts waiting'));
      return new Promise<ModelOutput>((resolve, reject) => {
        queue.push({ id: nextId++, input, resolve, reject });
        pump();
      });
    },
    get pending() {
      return queue.length + (running ? 1 : 0);
    },
    async stop() {
      stopped = true;
      for (const j of queue.splice(0)) j.reject(new Error('the forecast worker is stopped'));
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
      fail(new Error('the forecast worker is stopped'));
    },
  };
}
