/**
 * @module bench/lib/load
 * The load generator: a paced schedule of batches (batch i is due at t0 + i·size/rate) shared by a
 * few concurrent workers over keep-alive HTTP/1.1 connections. A worker that falls behind sends the
 * next batch at once, so at most `workers` batches are in flight: when the target saturates, the
 * achieved rate falls below the target rate instead of queueing without bound. No new batch starts
 * after the step's duration; the achieved rate is items accepted / (last answer − t0). With
 * `rate: Infinity` the workers post back to back (each sends its next batch as soon as its answer is
 * in): the saturated load.
 */
import { Agent, request } from 'node:http';

export const nowMs = () => performance.timeOrigin + performance.now();

export interface PostResult {
  status: number;
  ms: number;
  body: any;
  error?: string;
}

export function httpClient(baseUrl: string, maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const url = new URL(baseUrl);
  const post = (path: string, body: string, headers: Record<string, string>, sentAt: number, retried = false): Promise<PostResult> =>
    new Promise((resolve) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ms = nowMs() - sentAt;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, ms, body: parsed });
          });
          res.on('error', (err) => resolve({ status: 0, ms: nowMs() - sentAt, body: undefined, error: err.message }));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        // a kept-alive connection the server closed as idle just as we reused it: the request was
        // never read, so it is sent again once on a new connection (as Node's docs advise for
        // `request.reusedSocket`); the time counts from the first send
        if (req.reusedSocket && err.code === 'ECONNRESET' && !retried) return void resolve(post(path, body, headers, sentAt, true));
        resolve({ status: 0, ms: nowMs() - sentAt, body: undefined, error: err.message });
      });
      req.end(body);
    });
  return {
    post,
    close() {
      agent.destroy();
    },
  };
}

export interface Batch {
  body: string;
  items: number;
  /** the send time stamped into the batch */
  sentAt: number;
  /** the grid each event should land in (by the server's own placement code, run locally) */
  grids?: string[];
  /** the step-wide number of the batch's first item (item k is number first + k) */
  first?: number;
}

export interface StepRun {
  batches: number;
  sentItems: number;
  results: { sentAt: number; items: number; grids?: string[]; first?: number; res: PostResult }[];
  t0: number;
  lastAnswer: number;
  /** batches that started later than their due time by more than one interval */
  lateStarts: number;
}

/**
 * Run one paced step. `make(i, sentAt)` builds batch i stamped with its send time;
 * `send(batch)` posts it.
 */
export async function runPaced(opts: {
  rate: number;
  batchSize: number;
  seconds: number;
  workers: number;
  make: (i: number, sentAt: number) => Batch;
  send: (b: Batch) => Promise<PostResult>;
}): Promise<StepRun> {
  const interval = (opts.batchSize / opts.rate) * 1000;
  const total = Math.max(1, Math.round((opts.rate * opts.seconds) / opts.batchSize));
  const t0 = nowMs() + 5;
  const deadline = t0 + opts.seconds * 1000;
  const results: StepRun['results'] = [];
  let next = 0;
  let sentItems = 0;
  let lateStarts = 0;
  let lastAnswer = t0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const due = t0 + i * interval;
      const wait = due - nowMs();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const start = nowMs();
      if (start >= deadline && i > 0) return;
      if (start - due > interval) lateStarts++;
      const b = opts.make(i, start);
      sentItems += b.items;
      const res = await opts.send(b);
      lastAnswer = Math.max(lastAnswer, b.sentAt + res.ms);
      results.push({ sentAt: b.sentAt, items: b.items, grids: b.grids, first: b.first, res });
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, worker));
  return { batches: results.length, sentItems, results, t0, lastAnswer, lateStarts };
}
