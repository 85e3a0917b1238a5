/**
 * @module server/logger
 * Structured JSON logs through pino.
 */
import { pino } from 'pino';
import type { Logger } from './ports.ts';

export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'onescreen' }, timestamp: pino.stdTimeFunctions.isoTime });
}
