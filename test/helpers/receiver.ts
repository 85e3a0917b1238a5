/**
 * @module test/helpers/receiver
 * A local HTTP receiver for notification tests (node:http on 127.0.0.1, an ephemeral port): it
 * records every request with its raw body and answers from a script, one answer per request,
 * repeating the last one when the script runs out.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  /** path and query, as sent */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** never answer (the connection stays open until the receiver closes) */
  hang?: boolean;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: Received[];
  /** the answers to give next, in order (the last one repeats) */
  script(...answers: Answer[]): void;
  close(): Promise<void>;
}

export async function startReceiver(port = 0, ...answers: Answer[]): Promise<Receiver> {
  const requests: Received[] = [];
  let queue: Answer[] = answers.length ? answers : [{ status: 200, body: '' }];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = queue.length > 1 ? queue.shift()! : queue[0]!;
      if (a.hang) return;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    requests,
    script(...next) {
      queue = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
