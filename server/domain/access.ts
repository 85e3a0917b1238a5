/**
 * @module server/domain/access
 * Who may see what. A principal sees its area and everything below it; the areas above it are
 * context (drawn as an outline) but carry none of their data. Pure functions of the area tree.
 */
import type { AreaLevel, Role } from '../../shared/index.ts';
import type { AreaTree } from './areas.ts';

export interface Principal {
  kind: 'user' | 'display';
  /** user id or display-token id */
  id: string;
  /** username or display name */
  name: string;
  role: Role;
  areaId: string;
  sessionHash: string;
  expiresAt: number;
}

/** true if the principal may see data of `areaId` (its own area or one below it) */
export function canSee(tree: AreaTree, p: Pick<Principal, 'areaId'>, areaId: string): boolean {
  return tree.get(areaId) !== undefined && tree.isWithin(areaId, p.areaId);
}

/** the areas whose geometry a principal receives: its scope, and its ancestors as context */
export function visibleAreaIds(tree: AreaTree, areaId: string): Set<string> {
  const out = new Set<string>();
  for (const n of tree.lineage(areaId)) out.add(n.id);
  const stack = [areaId];
  while (stack.length) {
    const id = stack.pop()!;
    out.add(id);
    stack.push(...tree.get(id)!.children);
  }
  return out;
}

/** Which area levels each role may be bound to. */
export const ROLE_AREA_LEVELS: Record<Role, readonly AreaLevel[]> = {
  admin: ['district'],
  district: ['district'],
  street: ['street'],
  wall: ['district', 'street'],
};

/** The area a new identity is bound to, or an error message. Admins and district officers default to the district. */
export function bindArea(tree: AreaTree, role: Role, areaId: string | undefined): { areaId: string } | { error: string } {
  const id = areaId ?? (role === 'admin' || role === 'district' ? tree.districtId : undefined);
  if (!id) return { error: `a ${role} must be bound to an area (--area <id>)` };
  const level = tree.level(id);
  if (!level) return { error: `unknown area ${id}` };
  if (!ROLE_AREA_LEVELS[role].includes(level)) return { error: `a ${role} is bound to a ${ROLE_AREA_LEVELS[role].join(' or ')}, not to a ${level}` };
  return { areaId: id };
}
