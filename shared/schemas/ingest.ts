/**
 * @module shared/schemas/ingest
 * Ingest batches and their per-item results.
 */
import { z } from 'zod';
import { EventIngestItem } from './event.ts';
import { ReadingIngestItem } from './reading.ts';

export const MAX_BATCH_ITEMS = 1000;

export const EventBatch = z.strictObject({ events: z.array(EventIngestItem).min(1).max(MAX_BATCH_ITEMS) });
export type EventBatch = z.infer<typeof EventBatch>;
export const ReadingBatch = z.strictObject({ readings: z.array(ReadingIngestItem).min(1).max(MAX_BATCH_ITEMS) });
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
  /** the server cannot serve now (readiness: the database does not answer) */
  'UNAVAILABLE',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ItemError = z.object({ code: ErrorCode, message: z.string() });
export type ItemError = z.infer<typeof ItemError>;

export type EventItemResult =
  | { index: number; status: 'created' | 'duplicate'; id: string; gridId: string }
  | { index: number; status: 'rejected'; error: ItemError };
export type ReadingItemResult =
  | { index: number; status: 'accepted'; areaId: string }
  | { index: number; status: 'rejected'; error: ItemError };

export interface BatchResponse<R> {
  accepted: number;
  rejected: number;
  results: R[];
}

/** One bad field of a refused batch: its path (e.g. `events.3.lat`) and the reason. */
export interface ValidationIssue {
  path: string;
  message: string;
}
export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: ValidationIssue[] };
}
