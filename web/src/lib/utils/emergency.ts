/**
 * @module web/utils/emergency
 * What the wall shows in wartime (平战结合), as pure functions: the open cases within the
 * incident's reach (the most severe first, then the nearest), the elapsed time as a clock
 * (`01:23:45`), and the words for grades and classes.
 *
 * @example
 * casesInReach(openEvents, incident)  // [{ event, metres: 420 }, …]
 * elapsedClock(90 * 60_000 + 5000)    // '01:30:05'
 */
import { distance } from '@turf/turf';
import type { EmergencyClass, EmergencyGrade, GridEvent, Incident, LocalisedText, ResourceKind, Severity } from '../../../../shared/index.ts';

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export function casesInReach(events: readonly GridEvent[], incident: Pick<Incident, 'lng' | 'lat' | 'radiusM'>): { event: GridEvent; metres: number }[] {
  return events
    .map((event) => ({ event, metres: Math.round(distance([incident.lng, incident.lat], [event.lng, event.lat], { units: 'meters' })) }))
    .filter((c) => c.metres <= incident.radiusM)
    .sort((a, b) => SEVERITY_RANK[a.event.severity] - SEVERITY_RANK[b.event.severity] || a.metres - b.metres || a.event.id.localeCompare(b.event.id));
}

/** `hh:mm:ss` since the start (days counted in the hours) */
export function elapsedClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

export const GRADE_NAMES: Record<EmergencyGrade, LocalisedText> = {
  I: { zh: 'Ⅰ级响应', en: 'Level I' },
  II: { zh: 'Ⅱ级响应', en: 'Level II' },
  III: { zh: 'Ⅲ级响应', en: 'Level III' },
  IV: { zh: 'Ⅳ级响应', en: 'Level IV' },
};

export const CLASS_NAMES: Record<EmergencyClass, LocalisedText> = {
  natural: { zh: '自然灾害', en: 'Natural disaster' },
  accident: { zh: '事故灾难', en: 'Accident' },
  health: { zh: '公共卫生事件', en: 'Public health' },
  security: { zh: '社会安全事件', en: 'Public security' },
};

/** the grade's colour: Ⅰ red, Ⅱ orange, Ⅲ yellow, Ⅳ blue (the national warning colours) */
export const GRADE_COLOURS: Record<EmergencyGrade, string> = { I: '#ff3b3b', II: '#ff8a1f', III: '#f5d90a', IV: '#3d8bff' };

/** how far from an incident its resources are shown: twice its reach, and at least 2 km beyond it */
export const resourceRange = (radiusM: number): number => Math.max(2 * radiusM, radiusM + 2000);

/** the registry's resources near an incident, the nearest first, with their distance */
export function resourcesNear<R extends { id: string; lng: number; lat: number }>(list: readonly R[], incident: Pick<Incident, 'lng' | 'lat' | 'radiusM'>): { resource: R; metres: number }[] {
  const range = resourceRange(incident.radiusM);
  return list
    .map((resource) => ({ resource, metres: Math.round(distance([incident.lng, incident.lat], [resource.lng, resource.lat], { units: 'meters' })) }))
    .filter((r) => r.metres <= range)
    .sort((a, b) => a.metres - b.metres || a.resource.id.localeCompare(b.resource.id));
}

export const RESOURCE_GLYPHS: Record<ResourceKind, LocalisedText> = { team: { zh: '队', en: 'T' }, supply: { zh: '物', en: 'S' }, shelter: { zh: '避', en: 'H' } };
