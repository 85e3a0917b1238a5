/**
 * @module shared/schemas/ingest
 * Ingest batches and their per-item results.
 */
import { z } from 'zod';
import { EventIngestItem } from './event.ts';
import { ReadingIngestItem } from './reading.ts';

export const MAX_BATCH_ITEMS = 1000;

export const EventBatch = z.strictObject({ events: z.array(EventIngestItem).min(1).max(MAX_BATCH_ITEMS) }).meta({ id: 'EventBatch' });
export type EventBatch = z.infer<typeof EventBatch>;
export const ReadingBatch = z.strictObject({ readings: z.array(ReadingIngestItem).min(1).max(MAX_BATCH_ITEMS) }).meta({ id: 'ReadingBatch' });
export type ReadingBatch = z.infer<typeof ReadingBatch>;

/** Codes of the errors the API answers with (`{ error: { code, message, issues? } }`). */
export const ErrorCode = z.enum([
  'VALIDATION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'CONFLICT',
  'INVALID_TRANSITION',
  'OUTSIDE_AREA',
  'UNKNOWN_AREA',
  'UNKNOWN_INDICATOR',
  'LEVEL_NOT_APPLICABLE',
  'OUT_OF_RANGE',
  /** an ingest key posted an item under a source code it is not bound to */
  'SOURCE_NOT_ALLOWED',
  /** enrolling a display in a browser where a person is signed in, without `replace: true` */
  'SESSION_EXISTS',
  /** the path exists but not with this method (`Allow` names the ones it takes) */
  'METHOD_NOT_ALLOWED',
  /** the server cannot serve now (readiness: the database does not answer) */
  'UNAVAILABLE',
  'INTERNAL',
]).meta({ id: 'ErrorCode', description: 'The code of a refusal or failure.' });
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ItemError = z.object({ code: ErrorCode, message: z.string() }).meta({ id: 'ItemError', description: 'Why one item of a batch was rejected.' });
export type ItemError = z.infer<typeof ItemError>;

const ItemIndex = z.number().int().min(0).meta({ description: 'the position of the item in the posted batch' });
const Rejected = z.object({ index: ItemIndex, status: z.literal('rejected'), error: ItemError });

/** The result of one posted event: stored now, already stored (same `source` and `externalId`), or rejected. */
export const EventItemResult = z
  .discriminatedUnion('status', [z.object({ index: ItemIndex, status: z.enum(['created', 'duplicate']), id: z.string(), gridId: z.string() }), Rejected])
  .meta({ id: 'EventItemResult', description: 'The result of one posted event: `created`, `duplicate` (the existing id) or `rejected`.' });
export type EventItemResult = z.infer<typeof EventItemResult>;

/** The result of one posted reading: accepted for an area, or rejected. */
export const ReadingItemResult = z
  .discriminatedUnion('status', [z.object({ index: ItemIndex, status: z.literal('accepted'), areaId: z.string() }), Rejected])
  .meta({ id: 'ReadingItemResult', description: 'The result of one posted reading: `accepted` for an area, or `rejected`.' });
export type ReadingItemResult = z.infer<typeof ReadingItemResult>;

const batchResponse = <R extends z.ZodType>(item: R) =>
  z.object({ accepted: z.number().int().min(0), rejected: z.number().int().min(0), results: z.array(item) });

/** The answer to `POST /api/v1/events`, sent once the batch is committed: one result per item, in order. */
export const EventBatchResponse = batchResponse(EventItemResult).meta({
  id: 'EventBatchResponse',
  description: 'Sent once the batch is committed to disk: one result per posted event, in order.',
});
export type EventBatchResponse = z.infer<typeof EventBatchResponse>;

/** The answer to `POST /api/v1/readings`, sent once the batch is committed. */
export const ReadingBatchResponse = batchResponse(ReadingItemResult).meta({
  id: 'ReadingBatchResponse',
  description: 'Sent once the batch is committed to disk: one result per posted reading, in order.',
});
export type ReadingBatchResponse = z.infer<typeof ReadingBatchResponse>;

/** One bad field of a refused request: its path (e.g. `events.3.lat`) and the reason. */
export const ValidationIssue = z.object({ path: z.string(), message: z.string() }).meta({
  id: 'ValidationIssue',
  description: 'One bad field of a refused request: its path (e.g. `events.3.lat`, `(body)` for the whole body) and the reason.',
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

/** Every refusal and failure of the API answers with this body. */
export const ErrorBody = z
  .object({ error: z.object({ code: ErrorCode, message: z.string(), issues: z.array(ValidationIssue).optional() }) })
  .meta({
    id: 'ErrorBody',
    description: 'Every refusal and failure answers with this body; `issues` names each bad field of a `VALIDATION` refusal. An unexpected failure answers `INTERNAL` with the plain message `internal error`.',
    example: { error: { code: 'VALIDATION', message: 'the batch was refused: fix the fields listed in issues', issues: [{ path: 'events.3.lat', message: 'Too big: expected number to be <=90' }] } },
  });
export type ErrorBody = z.infer<typeof ErrorBody>;
