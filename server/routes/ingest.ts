/**
 * @module server/routes/ingest
 * `POST /api/v1/events` and `POST /api/v1/readings`: JSON batches of up to 1,000 items. A batch
 * that fails the schema is refused whole (400, every bad field named); a well-formed batch is
 * answered only after it is committed, with a result per item.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { EventBatch, ReadingBatch } from '../../shared/index.ts';
import { AppError, issuesOf } from '../errors.ts';
import { ingestAuth, type IngestEnv } from '../middleware/ingest-auth.ts';
import type { Store } from '../ports.ts';
import type { IngestService } from '../services/ingest.service.ts';

async function parseBody<T>(req: Request, schema: z.ZodType<T>): Promise<T> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'send the batch as application/json');
  }
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new AppError('VALIDATION', 400, 'the body is not valid JSON');
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new AppError('VALIDATION', 400, 'the batch was refused: fix the fields listed in issues', issuesOf(r.error));
  return r.data;
}

export function ingestRoutes(deps: { store: Store; ingest: IngestService; maxBytes: number }) {
  const limit = bodyLimit({
    maxSize: deps.maxBytes,
    onError: () => {
      throw new AppError('PAYLOAD_TOO_LARGE', 413, `the body is larger than ${deps.maxBytes} bytes; split the batch`);
    },
  });
  const auth = ingestAuth(deps.store);
  return new Hono<IngestEnv>()
    .post('/events', auth, limit, async (c) => {
      const batch = await parseBody(c.req.raw, EventBatch);
      const res = await deps.ingest.ingestEvents(batch.events, c.var.ingestKey);
      return c.json(res, 200);
    })
    .post('/readings', auth, limit, async (c) => {
      const batch = await parseBody(c.req.raw, ReadingBatch);
      const res = await deps.ingest.ingestReadings(batch.readings, c.var.ingestKey);
      return c.json(res, 200);
    });
}
