/**
 * @module server/routes/body
 * JSON bodies checked against a shared schema: 415 for anything but JSON, 400 naming every bad field.
 */
import type { z } from 'zod';
import { AppError, issuesOf } from '../errors.ts';

export async function parseJsonBody<T>(req: Request, schema: z.ZodType<T>, refused = 'the request was refused: fix the fields listed in issues'): Promise<T> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'send the body as application/json');
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    throw new AppError('VALIDATION', 400, 'the body is not valid JSON');
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new AppError('VALIDATION', 400, refused, issuesOf(r.error));
  return r.data;
}
