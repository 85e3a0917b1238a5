/**
 * @module server/domain/access
 * Who may see what. Two kinds of scope:
 * - an area (块): admins, district and street officers and walls see their area and everything
 *   below it; the areas above it are context (drawn as an outline) but carry none of their data;
 * - a unit (条): a department or work team sees exactly the cases it leads or co-handles within
 *   its area (the district, one street, or several streets listed on the account), and no area's data at all — no indicators, alarms,
 *   statistics by street, or other cases. {@link canSee} answers false for it, so every check of
 *   an area denies a unit by default; its cases pass {@link canSeeCase} only.
 * Pure functions of the area tree.
 */
import { involves, type AreaLevel, type Role, type Unit } from '../../shared/index.ts';
import type { AreaTree } from './areas.ts';

export interface Principal {
  kind: 'user' | 'display';
  /** user id or display-token id */
  id: string;
  /** username or display name */
  name: string;
  role: Role;
  areaId: string;
  /** a unit's session: the unit it works for (set exactly when `role` is `unit`) */
  unitId?: string | undefined;
  /** a unit account limited to several streets: its area is the district, its cases those of these streets */
  streets?: readonly string[] | undefined;
  /** a street or unit account cleared for confidential cases (see {@link hasClearance}) */
  cleared?: boolean | undefined;
  sessionHash: string;
  expiresAt: number;
}

type Scoped = Pick<Principal, 'areaId' | 'role' | 'unitId' | 'cleared' | 'streets'>;

/** true if a unit account limited to streets may see a place (its street is one of them); always true for any other */
function inStreets(tree: AreaTree, p: Scoped, areaId: string): boolean {
  if (!p.streets?.length) return true;
  const street = tree.lineage(areaId).find((a) => a.level === 'street');
  return street !== undefined && p.streets.includes(street.id);
}

/**
 * Whether a principal may see confidential (涉密/敏感) cases: admins and district officers always;
 * a street or unit account when cleared by the administrator; a wall display never.
 */
export function hasClearance(p: Pick<Principal, 'role' | 'cleared'>): boolean {
  if (p.role === 'admin' || p.role === 'district') return true;
  if (p.role === 'wall') return false;
  return p.cleared === true;
}

/**
 * true if the principal may see data of the area `areaId` (its own area or one below it). Never
 * for a unit: its scope is its cases ({@link canSeeCase}), not an area.
 */
export function canSee(tree: AreaTree, p: Scoped, areaId: string): boolean {
  return p.role !== 'unit' && tree.get(areaId) !== undefined && tree.isWithin(areaId, p.areaId);
}

/**
 * true if the principal may see this case: an area scope sees the cases of its area; a unit those
 * it leads or co-handles (now: a case it returned, or was taken off, is no longer its) within its area.
 */
export function canSeeCase(tree: AreaTree, p: Scoped, c: { gridId: string; leadUnit: string | null; coUnits: readonly string[]; confidential: boolean }): boolean {
  if (c.confidential && !hasClearance(p)) return false;
  if (p.role !== 'unit') return canSee(tree, p, c.gridId);
  return p.unitId !== undefined && involves(c, p.unitId) && tree.get(c.gridId) !== undefined && tree.isWithin(c.gridId, p.areaId) && inStreets(tree, p, c.gridId);
}

/**
 * What a list of cases is cut to for a principal asking about an area (default its own): the area,
 * and for a unit also its unit (the cases it leads or co-handles). Null when the area is unknown
 * or outside the principal's scope.
 */
export function caseScope(tree: AreaTree, p: Scoped, requested?: string): { areaId: string; areaLevel: AreaLevel; unit?: string; streets?: readonly string[]; confidential?: false } | null {
  const areaId = requested ?? p.areaId;
  const level = tree.level(areaId);
  if (!level || !tree.isWithin(areaId, p.areaId)) return null;
  // without clearance, confidential cases are left out of every list
  const hidden = hasClearance(p) ? {} : { confidential: false as const };
  if (p.role !== 'unit') return { areaId, areaLevel: level, ...hidden };
  // a unit's channels are its district's and its streets' (LiveHub): not a grid's
  if (level !== 'district' && level !== 'street') return null;
  if (p.unitId === undefined) return null;
  // limited to several streets: one of them, or the district cut to them
  if (p.streets?.length) {
    if (level === 'street') return p.streets.includes(areaId) ? { areaId, areaLevel: level, unit: p.unitId, ...hidden } : null;
    return { areaId, areaLevel: level, unit: p.unitId, streets: p.streets, ...hidden };
  }
  return { areaId, areaLevel: level, unit: p.unitId, ...hidden };
}

/** the roles whose scope is an area: every route that answers an area's data admits only these */
export const AREA_ROLES = ['admin', 'district', 'street', 'wall'] as const satisfies readonly Role[];

/** the areas whose geometry a principal receives: its scope, and its ancestors as context */
export function visibleAreaIds(tree: AreaTree, areaId: string): Set<string> {
  return new Set([...tree.lineage(areaId).map((n) => n.id), ...tree.subtree(areaId)]);
}

/** Which area levels each role may be bound to. */
export const ROLE_AREA_LEVELS: Record<Role, readonly AreaLevel[]> = {
  admin: ['district'],
  district: ['district'],
  street: ['street'],
  wall: ['district', 'street'],
  unit: ['district', 'street'],
};

/** The area a new identity is bound to, or an error message. Admins, district officers and units default to the district. */
export function bindArea(tree: AreaTree, role: Role, areaId: string | undefined): { areaId: string } | { error: string } {
  const id = areaId ?? (role === 'admin' || role === 'district' || role === 'unit' ? tree.districtId : undefined);
  if (!id) return { error: `a ${role} must be bound to an area (--area <id>)` };
  const level = tree.level(id);
  if (!level) return { error: `unknown area ${id}` };
  if (!ROLE_AREA_LEVELS[role].includes(level)) return { error: `a ${role} is bound to a ${ROLE_AREA_LEVELS[role].join(' or ')}, not to a ${level}` };
  return { areaId: id };
}

/**
 * The unit and area a new identity is bound to, or an error message: a `unit` account names a
 * known unit (a street's own unit works in its street only, so that is its area), and may be
 * limited to several streets instead of one area (its area is then the district); no other role
 * has a unit, nor a list of streets.
 */
export function bindIdentity(
  tree: AreaTree,
  units: ReadonlyMap<string, Unit>,
  role: Role,
  areaId: string | undefined,
  unitId: string | undefined,
  streets: readonly string[] = [],
): { areaId: string; unitId: string | null; streets: string[] } | { error: string } {
  if (role !== 'unit') {
    if (unitId !== undefined) return { error: `only a unit account works for a unit (this is a ${role})` };
    if (streets.length) return { error: `only a unit account is limited to several streets (this is a ${role})` };
    const bound = bindArea(tree, role, areaId);
    return 'error' in bound ? bound : { areaId: bound.areaId, unitId: null, streets: [] };
  }
  if (unitId === undefined) return { error: 'a unit account names its unit (--unit <id>)' };
  const unit = units.get(unitId);
  if (!unit) return { error: `unknown unit ${unitId}` };
  if (streets.length) {
    if (areaId !== undefined) return { error: 'a unit account has one area or several streets, not both' };
    if (unit.kind === 'street') return { error: `${unit.name.en} works only in ${unit.streetId ?? 'its street'}` };
    const list = [...new Set(streets)].sort();
    if (list.length < 2) return { error: 'several streets are at least two (one street: --area)' };
    const wrong = list.find((s) => tree.level(s) !== 'street');
    if (wrong !== undefined) return { error: `${wrong} is not a street of the district` };
    return { areaId: tree.districtId, unitId, streets: list };
  }
  if (unit.kind === 'street' && unit.streetId) {
    if (areaId !== undefined && !tree.isWithin(unit.streetId, areaId) && areaId !== unit.streetId) return { error: `${unit.name.en} works only in ${unit.streetId}` };
    areaId = unit.streetId;
  }
  const bound = bindArea(tree, role, areaId);
  return 'error' in bound ? bound : { areaId: bound.areaId, unitId, streets: [] };
}
