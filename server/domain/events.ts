/**
 * @module server/domain/events
 * Rules about grid events that do not depend on storage.
 */
import type { EventCategory, Severity } from '../../shared/index.ts';

/**
 * How long an open case may stay open before it counts as overdue, by severity. These are the
 * defaults until per-category time limits land with the closed loop; the sources give no numbers
 * (DOMAIN.md R2.10), only 「限时解决」 and 「第一时间」.
 */
export const OVERDUE_AFTER_MS: Record<Severity, number> = {
  critical: 2 * 3_600_000,
  high: 8 * 3_600_000,
  medium: 24 * 3_600_000,
  low: 72 * 3_600_000,
};

/** The category list knows the code, or the event is shown as uncategorised. */
export function categoryOf(code: string, list: readonly EventCategory[]): EventCategory | undefined {
  return list.find((c) => c.code === code);
}
