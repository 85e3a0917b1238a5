/**
 * @module server/domain/areas
 * The area hierarchy as an in-memory tree: parents, children, ancestors, descendants, and the
 * placement of a WGS84 point into its grid. Pure: built from a validated FeatureCollection.
 */
import { bbox as turfBbox, booleanPointInPolygon, point } from '@turf/turf';
import { OVERLAY_KINDS, type AreaCollection, type AreaFeature, type AreaLevel, type AreaProperties, type OverlayKind } from '../../shared/index.ts';

type BBox = [number, number, number, number];

export interface AreaNode extends AreaProperties {
  bbox: BBox;
  children: string[];
}

export class AreaTree {
  readonly byId = new Map<string, AreaNode>();
  readonly features = new Map<string, AreaFeature>();
  readonly rootId: string;
  /** the district the wall is about (the first district in the collection) */
  readonly districtId: string;
  private readonly grids: AreaNode[] = [];
  /** grids by the cells of a coarse lattice their bbox touches: placement tests a handful, not all */
  private readonly cellIndex = new Map<string, AreaNode[]>();
  private static readonly CELL_DEG = 0.01;

  constructor(fc: AreaCollection) {
    for (const f of fc.features) {
      const p = f.properties;
      if (this.byId.has(p.id)) throw new Error(`duplicate area id ${p.id}`);
      this.byId.set(p.id, { ...p, bbox: turfBbox(f as never) as BBox, children: [] });
      this.features.set(p.id, f);
    }
    let root: string | undefined;
    for (const n of this.byId.values()) {
      if (n.parentId === null) {
        if (root) throw new Error(`two roots: ${root} and ${n.id}`);
        root = n.id;
      } else {
        const parent = this.byId.get(n.parentId);
        if (!parent) throw new Error(`area ${n.id} names unknown parent ${n.parentId}`);
        parent.children.push(n.id);
      }
      if (n.level === 'grid') this.grids.push(n);
    }
    if (!root) throw new Error('area collection has no root');
    this.rootId = root;
    const district = [...this.byId.values()].find((n) => n.level === 'district');
    if (!district) throw new Error('area collection has no district');
    this.districtId = district.id;
    const c = AreaTree.CELL_DEG;
    for (const g of this.grids) {
      const [x0, y0, x1, y1] = g.bbox;
      for (let i = Math.floor(x0 / c); i <= Math.floor(x1 / c); i++) {
        for (let j = Math.floor(y0 / c); j <= Math.floor(y1 / c); j++) {
          const key = `${i}:${j}`;
          const list = this.cellIndex.get(key);
          if (list) list.push(g);
          else this.cellIndex.set(key, [g]);
        }
      }
    }
  }

  /** the name of a 多格合一 overlay grid, as the first grid that belongs to it names it */
  overlayName(kind: OverlayKind, id: string): string | undefined {
    if (!this.overlayNameCache) {
      this.overlayNameCache = new Map();
      for (const g of this.grids) {
        for (const k of OVERLAY_KINDS) {
          const oid = g.overlays?.[k];
          const name = g.overlayNames?.[k];
          if (oid !== undefined && name !== undefined && !this.overlayNameCache.has(`${k}|${oid}`)) this.overlayNameCache.set(`${k}|${oid}`, name);
        }
      }
    }
    return this.overlayNameCache.get(`${kind}|${id}`);
  }
  private overlayNameCache: Map<string, string> | null = null;

  get(id: string): AreaNode | undefined {
    return this.byId.get(id);
  }

  level(id: string): AreaLevel | undefined {
    return this.byId.get(id)?.level;
  }

  /** the area itself and every ancestor up to the root, nearest first */
  lineage(id: string): AreaNode[] {
    const out: AreaNode[] = [];
    for (let n = this.byId.get(id); n; n = n.parentId ? this.byId.get(n.parentId) : undefined) out.push(n);
    return out;
  }

  /** the ancestor (or self) of the given level */
  ancestorAt(id: string, level: AreaLevel): AreaNode | undefined {
    return this.lineage(id).find((n) => n.level === level);
  }

  children(id: string): AreaNode[] {
    return (this.byId.get(id)?.children ?? []).map((c) => this.byId.get(c)!);
  }

  /** the area and every area below it (ids; none for an unknown id) */
  subtree(id: string): string[] {
    const out: string[] = [];
    const stack = this.byId.has(id) ? [id] : [];
    while (stack.length) {
      const at = stack.pop()!;
      out.push(at);
      stack.push(...this.byId.get(at)!.children);
    }
    return out;
  }

  /** true if `id` is `ancestorId` or lies below it */
  isWithin(id: string, ancestorId: string): boolean {
    return this.lineage(id).some((n) => n.id === ancestorId);
  }

  /** the grid that contains the point, or undefined if it lies outside every grid */
  locate(lng: number, lat: number): AreaNode | undefined {
    const pt = point([lng, lat]);
    const c = AreaTree.CELL_DEG;
    for (const g of this.cellIndex.get(`${Math.floor(lng / c)}:${Math.floor(lat / c)}`) ?? []) {
      const [x0, y0, x1, y1] = g.bbox;
      if (lng < x0 || lng > x1 || lat < y0 || lat > y1) continue;
      if (booleanPointInPolygon(pt, this.features.get(g.id)!.geometry as never)) return g;
    }
    return undefined;
  }

  gridIds(): string[] {
    return this.grids.map((g) => g.id);
  }

  /** areas by level, in collection order */
  ofLevel(level: AreaLevel): AreaNode[] {
    return [...this.byId.values()].filter((n) => n.level === level);
  }
}
