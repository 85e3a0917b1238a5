/**
 * @module server/domain/events
 * Rules about grid events that do not depend on storage.
 */
import type { EventCategory } from '../../shared/index.ts';

/** The category list knows the code, or the event is shown as uncategorised. */
export function categoryOf(code: string, list: readonly EventCategory[]): EventCategory | undefined {
  return list.find((c) => c.code === code);
}
