/**
 * @module server/services/forecast.worker
 * Runs in a `node:worker_threads` worker: fits the forecast model (WebAssembly, ~15–50 ms of
 * CPU a fit) off the server's event loop. One message in, one out: `{ id, input }` →
 * `{ id, ok: true, output }` or `{ id, ok: false, error }`.
 */
import { parentPort } from 'node:worker_threads';
import { forecastSeries, type ModelInput } from '../domain/forecast/model.ts';

parentPort!.on('message', (msg: { id: number; input: ModelInput }) => {
  try {
    parentPort!.postMessage({ id: msg.id, ok: true, output: forecastSeries(msg.input) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, ok: false, error: (err as Error).message });
  }
});
