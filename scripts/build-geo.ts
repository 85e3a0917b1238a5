/**
 * @module build-geo
 *
 * Builds the geography OneScreen ships, reproducibly, from the read-only
 * source data in `../shared/data` (override with `--shared <dir>`):
 *
 * - `data/geo/areas.geojson`: city → district → street → grid hierarchy.
 *   City and district are real (Vonng/adcode, Amap geometry). Streets are
 *   APPROXIMATE: Voronoi cells of the seed points in `data/streets.config.json`
 *   clipped to the real district polygon. Grids are APPROXIMATE: a ~400 m
 *   square lattice cut by the streets, with slivers merged into a neighbour.
 * - `data/geo/basemap.geojson`: context layers (sea, other districts, rivers).
 * - `data/pm25/jingan_pm25_hourly.csv`: PM2.5 series replayed by the simulator.
 *
 * Output is deterministic: same input gives the same bytes (coordinates are
 * rounded to 6 decimals, features are sorted, no timestamps).
 *
 * Run: `npm run geo` (or `npm run geo -- --shared /path/to/shared/data`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as turf from '@turf/turf';
import type {
  Feature,
  FeatureCollection,
  Geometry,
  LineString,
  MultiLineString,
  MultiPolygon,
  Polygon,
  Position,
} from 'geojson';
import { validateAreas, type AreaProperties } from './lib/areas-validate.ts';
import { gridOverlays, type Committee, type OverlayGrid } from './lib/grid-overlays.ts';
import { GRID_ATTRIBUTE_KEYS } from '../shared/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Grid cell side in metres (the lattice is square in ground distance). */
const GRID_SIDE_M = 400;
/** Pieces smaller than this fraction of a full cell are merged into a neighbour. */
const SLIVER_FRACTION = 0.15;
/** Coordinate precision of every written file (6 decimals ≈ 0.1 m). */
const DECIMALS = 6;
/** Tolerance (degrees) for "this vertex lies on that segment" / "on this grid line". */
const EPS = 1e-9;
const M_PER_DEG_LAT = 111_320;

type Poly = Position[][]; // one polygon: outer ring + holes
type BBox = [number, number, number, number];
type Area = Polygon | MultiPolygon;

interface StreetConfig {
  id: string;
  name: string;
  nameEn: string;
  seed: [number, number];
  seedNote?: string;
}

// ---------------------------------------------------------------- helpers

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** [lng, lat] of a position (positions here always have both). */
const xy = (p: Position | undefined): [number, number] => [p![0]!, p![1]!];

const round = (v: number): number => {
  const f = 10 ** DECIMALS;
  const r = Math.round(v * f) / f;
  return r === 0 ? 0 : r; // no "-0"
};

/** The polygons of a Polygon/MultiPolygon as a flat list. */
function polysOf(g: Area): Poly[] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

/** A Polygon for one part, a MultiPolygon for several, null for none. */
function areaFromPolys(polys: Poly[]): Area | null {
  if (polys.length === 0) return null;
  if (polys.length === 1) return { type: 'Polygon', coordinates: polys[0]! };
  return { type: 'MultiPolygon', coordinates: polys };
}

function intersectAreas(a: Area, b: Area): Area | null {
  const r = turf.intersect(turf.featureCollection([turf.feature(a), turf.feature(b)]));
  return r ? (r.geometry as Area) : null;
}

function unionAreas(areas: Area[]): Area | null {
  if (areas.length === 1) return areas[0]!;
  const r = turf.union(turf.featureCollection(areas.map((a) => turf.feature(a))));
  return r ? (r.geometry as Area) : null;
}

const areaM2 = (g: Area | Poly): number =>
  turf.area(Array.isArray(g) ? { type: 'Polygon', coordinates: g } : g);

const bboxesOverlap = (a: BBox, b: BBox): boolean =>
  a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

const bboxOf = (g: Area): BBox => turf.bbox(g) as BBox;

/**
 * Inserts into every ring segment the vertices of the other polygons that lie
 * on it (T-junctions). After this, polygons that share a border share the
 * same vertex sequence along it, so rounding moves both sides identically and
 * cannot create overlaps or gaps.
 */
function nodeAreas(areas: Area[]): Area[] {
  const CELL = 0.002;
  const index = new Map<string, Position[]>();
  const key = (x: number, y: number) => `${Math.floor(x / CELL)},${Math.floor(y / CELL)}`;
  for (const g of areas)
    for (const poly of polysOf(g))
      for (const ring of poly)
        for (const p of ring) {
          const k = key(...xy(p));
          const list = index.get(k);
          if (list) list.push(p);
          else index.set(k, [p]);
        }

  const nodeRing = (ring: Position[]): Position[] => {
    const out: Position[] = [];
    for (let i = 0; i < ring.length - 1; i++) {
      const a = ring[i]!;
      const [ax, ay] = xy(a);
      const [bx, by] = xy(ring[i + 1]);
      out.push(a);
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      if (len2 === 0) continue;
      const len = Math.sqrt(len2);
      const found = new Map<string, { t: number; p: Position }>();
      const x0 = Math.floor((Math.min(ax, bx) - EPS) / CELL);
      const x1 = Math.floor((Math.max(ax, bx) + EPS) / CELL);
      const y0 = Math.floor((Math.min(ay, by) - EPS) / CELL);
      const y1 = Math.floor((Math.max(ay, by) + EPS) / CELL);
      for (let cx = x0; cx <= x1; cx++)
        for (let cy = y0; cy <= y1; cy++)
          for (const p of index.get(`${cx},${cy}`) ?? []) {
            const [px, py] = xy(p);
            const t = ((px - ax) * dx + (py - ay) * dy) / len2;
            if (t * len <= EPS || (1 - t) * len <= EPS) continue; // at/behind an endpoint
            const dist = Math.abs((px - ax) * dy - (py - ay) * dx) / len;
            if (dist > EPS) continue;
            found.set(`${px},${py}`, { t, p });
          }
      [...found.values()].sort((u, v) => u.t - v.t).forEach((f) => out.push(f.p));
    }
    out.push(ring[ring.length - 1]!);
    return out;
  };

  return areas.map((g) => areaFromPolys(polysOf(g).map((poly) => poly.map(nodeRing)))!);
}

/** Rounds coordinates, drops repeated points and degenerate rings/parts, fixes winding. */
function roundArea(g: Area): Area | null {
  const polys: Poly[] = [];
  for (const poly of polysOf(g)) {
    const rings: Position[][] = [];
    for (const ring of poly) {
      const out: Position[] = [];
      for (const p of ring) {
        const [x, y] = xy(p);
        const q = [round(x), round(y)];
        const last = out[out.length - 1];
        if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
      }
      const ok = out.length >= 4 && areaM2([out]) > 0;
      if (ok) rings.push(out);
      else if (rings.length === 0) break; // outer ring degenerate: drop the whole part
    }
    if (rings.length > 0) polys.push(rings);
  }
  const area = areaFromPolys(polys);
  return area ? (turf.rewind(area) as Area) : null;
}

function roundLine(g: LineString | MultiLineString): LineString | MultiLineString {
  const r = (line: Position[]) => line.map((p) => xy(p).map(round));
  return g.type === 'LineString'
    ? { type: 'LineString', coordinates: r(g.coordinates) }
    : { type: 'MultiLineString', coordinates: g.coordinates.map(r) };
}

/** One feature per line: stable bytes and readable diffs. */
function writeFeatureCollection(path: string, features: Feature[]): number {
  const body = features.map((f) => JSON.stringify(f)).join(',\n');
  const text = `{"type":"FeatureCollection","features":[\n${body}\n]}\n`;
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

function areaFeature(props: AreaProperties, geometry: Area): Feature<Area, AreaProperties> {
  // Fixed key order so the bytes do not depend on how props were built.
  const p: AreaProperties = {
    id: props.id,
    level: props.level,
    parentId: props.parentId,
    name: props.name,
    nameEn: props.nameEn,
    approximate: props.approximate,
  };
  if (props.seq !== undefined) p.seq = props.seq;
  for (const k of GRID_ATTRIBUTE_KEYS) if (props[k] !== undefined) Object.assign(p, { [k]: props[k] });
  return { type: 'Feature', properties: p, geometry };
}

// ---------------------------------------------------------------- streets

function buildStreets(district: Area, streets: StreetConfig[]): Area[] {
  const [w, s, e, n] = turf.bbox(district);
  const pad = 0.02;
  const seeds = turf.featureCollection(streets.map((st) => turf.point(st.seed)));
  const cells = turf.voronoi(seeds, { bbox: [w - pad, s - pad, e + pad, n + pad] });
  return streets.map((st, i) => {
    const cell = cells.features[i];
    if (!cell) throw new Error(`street ${st.id}: no Voronoi cell (duplicate seed?)`);
    const clipped = intersectAreas(cell.geometry, district);
    if (!clipped) throw new Error(`street ${st.id}: Voronoi cell does not meet the district`);
    return clipped;
  });
}

// ---------------------------------------------------------------- grids

interface Piece {
  street: number;
  col: number;
  row: number; // 0 = northernmost
  poly: Poly;
  area: number;
}

interface Lattice {
  xs: number[]; // west → east line longitudes
  ys: number[]; // north → south line latitudes
  fullCellM2: number;
}

/** Closed ring of the lattice cell between the given lines. */
const cellRing = (w: number, e: number, n: number, s: number): Position[] => [
  [w, s],
  [e, s],
  [e, n],
  [w, n],
  [w, s],
];

function makeLattice(district: Area): Lattice {
  const [w, s, e, n] = bboxOf(district);
  const midLat = (s + n) / 2;
  const dLat = round(GRID_SIDE_M / M_PER_DEG_LAT);
  const dLng = round(GRID_SIDE_M / (M_PER_DEG_LAT * Math.cos((midLat * Math.PI) / 180)));
  // Anchor on a 0.001° lattice so the grid does not shift with tiny boundary edits.
  const x0 = Math.floor(w * 1000) / 1000;
  const y0 = Math.ceil(n * 1000) / 1000;
  const xs = [x0];
  while (xs[xs.length - 1]! < e) xs.push(round(x0 + xs.length * dLng));
  const ys = [y0];
  while (ys[ys.length - 1]! > s) ys.push(round(y0 - ys.length * dLat));
  const mid = Math.floor(xs.length / 2);
  const midRow = Math.floor(ys.length / 2);
  const fullCellM2 = areaM2([cellRing(xs[mid]!, xs[mid + 1]!, ys[midRow]!, ys[midRow + 1]!)]);
  return { xs, ys, fullCellM2 };
}

/** Square ∩ street for every lattice cell; each polygon part is one piece. */
function cutPieces(streets: Area[], lat: Lattice): Piece[] {
  const pieces: Piece[] = [];
  const sboxes = streets.map(bboxOf);
  for (let row = 0; row < lat.ys.length - 1; row++) {
    for (let col = 0; col < lat.xs.length - 1; col++) {
      const [w, e, n, s] = [lat.xs[col]!, lat.xs[col + 1]!, lat.ys[row]!, lat.ys[row + 1]!];
      const square: Polygon = { type: 'Polygon', coordinates: [cellRing(w, e, n, s)] };
      streets.forEach((street, si) => {
        if (!bboxesOverlap([w, s, e, n], sboxes[si]!)) return;
        const cut = intersectAreas(square, street);
        if (!cut) return;
        for (const poly of polysOf(cut)) {
          const area = areaM2(poly);
          if (area > 0) pieces.push({ street: si, col, row, poly, area });
        }
      });
    }
  }
  return pieces;
}

/** Total length (m) of the parts of `x = c` (or `y = c`) that both polygons use as an edge. */
function sharedLineLength(a: Poly, b: Poly, axis: 0 | 1, c: number): number {
  const intervals = (poly: Poly): [number, number][] => {
    const out: [number, number][] = [];
    for (const ring of poly)
      for (let i = 0; i < ring.length - 1; i++) {
        const p = xy(ring[i]);
        const q = xy(ring[i + 1]);
        if (Math.abs(p[axis] - c) < EPS && Math.abs(q[axis] - c) < EPS) {
          const o = axis === 0 ? 1 : 0;
          out.push([Math.min(p[o], q[o]), Math.max(p[o], q[o])]);
        }
      }
    return out;
  };
  const ia = intervals(a);
  const ib = intervals(b);
  let deg = 0;
  for (const [a0, a1] of ia)
    for (const [b0, b1] of ib) deg += Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  // axis 0 = vertical line: the interval is in latitude; axis 1: in longitude.
  const mPerDeg = axis === 0 ? M_PER_DEG_LAT : M_PER_DEG_LAT * Math.cos((c * Math.PI) / 180);
  return deg * mPerDeg;
}

interface Group {
  street: number;
  pieces: number[];
  area: number;
  borders: Map<number, number>; // neighbour group (same street) → shared border, m
}

interface MergeReport {
  merged: number;
  isolatedMerged: number;
}

/**
 * Merges pieces smaller than SLIVER_FRACTION of a full cell into the
 * same-street neighbour they share the longest border with (ties: the larger
 * neighbour). A small piece with no same-street neighbour (a detached bit of
 * the street) joins the nearest grid of its street, which gives a MultiPolygon.
 */
function mergeSlivers(pieces: Piece[], lat: Lattice): { groups: Group[]; report: MergeReport } {
  const groups: (Group | null)[] = pieces.map((p) => ({
    street: p.street,
    pieces: [],
    area: p.area,
    borders: new Map(),
  }));
  pieces.forEach((_, i) => groups[i]!.pieces.push(i));

  // Borders between same-street pieces in edge-adjacent cells.
  const byCell = new Map<string, number[]>();
  pieces.forEach((p, i) => {
    const k = `${p.col},${p.row}`;
    byCell.set(k, [...(byCell.get(k) ?? []), i]);
  });
  pieces.forEach((p, i) => {
    const east = byCell.get(`${p.col + 1},${p.row}`) ?? [];
    const south = byCell.get(`${p.col},${p.row + 1}`) ?? [];
    for (const [list, axis, c] of [
      [east, 0, lat.xs[p.col + 1]],
      [south, 1, lat.ys[p.row + 1]],
    ] as const) {
      for (const j of list) {
        const q = pieces[j]!;
        if (q.street !== p.street || c === undefined) continue;
        const len = sharedLineLength(p.poly, q.poly, axis, c);
        if (len > 0) {
          groups[i]!.borders.set(j, len);
          groups[j]!.borders.set(i, len);
        }
      }
    }
  });

  const threshold = SLIVER_FRACTION * lat.fullCellM2;
  const report: MergeReport = { merged: 0, isolatedMerged: 0 };
  const mergeInto = (from: number, to: number) => {
    const a = groups[from]!;
    const b = groups[to]!;
    b.pieces.push(...a.pieces);
    b.area += a.area;
    for (const [k, len] of a.borders) {
      if (k === to) continue;
      b.borders.set(k, (b.borders.get(k) ?? 0) + len);
      const g = groups[k]!;
      g.borders.delete(from);
      g.borders.set(to, (g.borders.get(to) ?? 0) + len);
    }
    b.borders.delete(from);
    groups[from] = null;
  };

  const centre = (g: Group): Position => {
    let x = 0;
    let y = 0;
    for (const i of g.pieces) {
      const piece = pieces[i]!;
      const [cx, cy] = xy(turf.centroid({ type: 'Polygon', coordinates: piece.poly }).geometry.coordinates);
      x += cx * piece.area;
      y += cy * piece.area;
    }
    return [x / g.area, y / g.area];
  };

  for (;;) {
    let best = -1;
    groups.forEach((g, i) => {
      if (g && g.area < threshold && (best < 0 || g.area < groups[best]!.area)) {
        // Only a candidate if its street has some other grid to join.
        if (groups.some((h, j) => h && j !== i && h.street === g.street)) best = i;
      }
    });
    if (best < 0) break;
    const g = groups[best]!;
    // Longest shared border (1 mm counts as a tie), then the larger grid, then the lower index.
    const neighbours = [...g.borders]
      .map(([k, len]) => ({ k, len, area: groups[k]!.area }))
      .sort((u, v) => (Math.abs(u.len - v.len) > 1e-3 ? v.len - u.len : v.area - u.area || u.k - v.k));
    let target = neighbours[0]?.k ?? -1;
    if (target < 0) {
      // Detached bit: join the nearest grid of the same street.
      const c = centre(g);
      let bestD = Infinity;
      groups.forEach((h, j) => {
        if (!h || j === best || h.street !== g.street) return;
        const d = turf.distance(c, centre(h));
        if (d < bestD) {
          bestD = d;
          target = j;
        }
      });
      report.isolatedMerged++;
    }
    mergeInto(best, target);
    report.merged++;
  }
  return { groups: groups.filter((g): g is Group => g !== null), report };
}

// ---------------------------------------------------------------- main

function firstGeometry(fc: FeatureCollection<Area>, what: string): Area {
  const g = fc.features[0]?.geometry;
  if (!g) throw new Error(`${what}: the file has no feature`);
  return g;
}

function parseArgs(argv: string[]): { shared: string } {
  let shared = resolve(ROOT, '../shared/data');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--shared' && next) {
      shared = resolve(next);
      i++;
    } else if (arg.startsWith('--shared=')) shared = resolve(arg.slice('--shared='.length));
    else {
      console.error(`unknown argument: ${arg}\nusage: npm run geo [-- --shared <dir>]`);
      process.exit(2);
    }
  }
  return { shared };
}

function main(): void {
  const { shared } = parseArgs(process.argv.slice(2));
  const src = (p: string) => join(shared, p);
  const outGeo = join(ROOT, 'data/geo');
  const outPm = join(ROOT, 'data/pm25');
  mkdirSync(outGeo, { recursive: true });
  mkdirSync(outPm, { recursive: true });

  const config = readJson<{ districtId: string; population: { total: number }; streets: StreetConfig[] }>(join(ROOT, 'data/streets.config.json'));
  const outline = readJson<FeatureCollection<Area>>(src('boundaries/shanghai_outline_wgs84.geojson'));
  const districts = readJson<FeatureCollection<Area, { adcode: number; name: string }>>(
    src('boundaries/shanghai_districts_wgs84.geojson'),
  );
  const yangpuFc = readJson<FeatureCollection<Area>>(src('boundaries/yangpu_district_wgs84.geojson'));
  const sea = readJson<FeatureCollection<Area>>(src('basemap/shanghai_sea_osm_wgs84.geojson'));
  const rivers = readJson<FeatureCollection<LineString | MultiLineString>>(
    src('basemap/naturalearth_rivers_east_china.geojson'),
  );

  // --- city and district (real geometry)
  const city = turf.simplify(turf.feature(firstGeometry(outline, 'outline')), {
    tolerance: 0.001,
    highQuality: true,
  }).geometry as Area;
  const district = firstGeometry(yangpuFc, 'district');

  // --- streets (approximate)
  const streetGeoms = buildStreets(district, config.streets);

  // --- grids (approximate)
  const lattice = makeLattice(district);
  const pieces = cutPieces(streetGeoms, lattice);
  const { groups, report } = mergeSlivers(pieces, lattice);

  const gridGeoms = groups.map((g) => {
    const u = unionAreas(g.pieces.map((i) => ({ type: 'Polygon', coordinates: pieces[i]!.poly }) as Polygon));
    if (!u) throw new Error('empty grid after union');
    return u;
  });

  // Make shared borders share vertices, then round.
  const streetsNoded = nodeAreas(streetGeoms);
  const gridsNoded = nodeAreas(gridGeoms);

  const features: Feature<Area, AreaProperties>[] = [];
  features.push(
    areaFeature(
      { id: '310000', level: 'city', parentId: null, name: '上海市', nameEn: 'Shanghai', approximate: false },
      roundArea(city)!,
    ),
  );
  features.push(
    areaFeature(
      { id: config.districtId, level: 'district', parentId: '310000', name: '杨浦区', nameEn: 'Yangpu District', approximate: false },
      roundArea(district)!,
    ),
  );
  config.streets.forEach((st, si) => {
    features.push(
      areaFeature(
        { id: st.id, level: 'street', parentId: config.districtId, name: st.name, nameEn: st.nameEn, approximate: true },
        roundArea(streetsNoded[si]!)!,
      ),
    );
  });

  const rowOf = (lat: number) => {
    let r = 0;
    while (r < lattice.ys.length - 2 && lat < lattice.ys[r + 1]!) r++;
    return r;
  };
  const colOf = (lng: number) => {
    let c = 0;
    while (c < lattice.xs.length - 2 && lng >= lattice.xs[c + 1]!) c++;
    return c;
  };
  // the residents' committees (居委) with a seat point, for the 综治 overlay
  const committees: Committee[] = readFileSync(src('reference/shanghai_townships_villages_2016.csv'), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(','))
    .filter((c) => c[5] === config.districtId && c[3] !== 'town' && c[11] && c[12])
    .map((c) => ({ code: c[0]!, parent: c[1]!, name: c[2]!, lng: Number(c[11]), lat: Number(c[12]) }));
  const stats: { name: string; km2: number; grids: number }[] = [];
  const gridRecords: { props: AreaProperties; geom: Area; overlay: OverlayGrid }[] = [];
  config.streets.forEach((st, si) => {
    const mine = groups
      .map((g, gi) => ({ g, gi }))
      .filter(({ g }) => g.street === si)
      .map(({ gi }) => {
        const geom = roundArea(gridsNoded[gi]!);
        if (!geom) throw new Error(`grid of ${st.id} vanished when rounded`);
        const [lng, lat] = xy(turf.centroid(geom).geometry.coordinates);
        return { geom, lng, lat, row: rowOf(lat) };
      })
      // north → south by lattice row, then west → east
      .sort((a, b) => a.row - b.row || a.lng - b.lng || b.lat - a.lat);
    mine.forEach((m, k) => {
      const seq = k + 1;
      const id = `${st.id}-g${String(seq).padStart(3, '0')}`;
      gridRecords.push({
        props: { id, level: 'grid', parentId: st.id, name: `${st.name} 第${seq}网格`, nameEn: `${st.nameEn} grid ${seq}`, approximate: true, seq },
        geom: m.geom,
        overlay: { id, streetId: st.id, streetName: st.name, lng: m.lng, lat: m.lat, col: colOf(m.lng), row: m.row, areaM2: areaM2(m.geom) },
      });
    });
    stats.push({ name: `${st.name} (${st.nameEn})`, km2: areaM2(streetGeoms[si]!) / 1e6, grids: mine.length });
  });

  // 多格合一: each grid's 城运, 警务 and 综治 memberships, zone type and population (approximate)
  const attributes = gridOverlays(gridRecords.map((g) => g.overlay), committees, config.population.total);
  for (const g of gridRecords) features.push(areaFeature({ ...g.props, ...attributes.get(g.props.id) }, g.geom));

  // Self-check with the same validator the importer uses.
  const check = validateAreas(turf.featureCollection(features));
  if (!check.ok) {
    console.error(check.errors.join('\n'));
    throw new Error('generated areas failed validation');
  }
  const areasBytes = writeFeatureCollection(join(outGeo, 'areas.geojson'), features);

  // --- basemap
  const seaBbox = turf.bbox(sea) as [number, number, number, number];
  const base: Feature<Geometry, { layer: string; id?: string; name?: string }>[] = [];
  for (const f of sea.features) {
    const g = roundArea(f.geometry);
    if (g) base.push({ type: 'Feature', properties: { layer: 'sea' }, geometry: g });
  }
  const others = districts.features
    .filter((f) => String(f.properties.adcode) !== config.districtId)
    .sort((a, b) => a.properties.adcode - b.properties.adcode);
  for (const f of others) {
    const simple = turf.simplify(turf.feature(f.geometry), { tolerance: 0.0005, highQuality: true });
    const g = roundArea(simple.geometry as Area);
    if (g)
      base.push({
        type: 'Feature',
        properties: { layer: 'districts', id: String(f.properties.adcode), name: f.properties.name },
        geometry: g,
      });
  }
  for (const f of rivers.features) {
    const clipped = turf.bboxClip(f, seaBbox).geometry as LineString | MultiLineString;
    const parts = clipped.type === 'LineString' ? [clipped.coordinates] : clipped.coordinates;
    const kept = parts.filter((p) => p.length >= 2);
    if (kept.length === 0) continue;
    const g: LineString | MultiLineString =
      kept.length === 1 ? { type: 'LineString', coordinates: kept[0]! } : { type: 'MultiLineString', coordinates: kept };
    base.push({ type: 'Feature', properties: { layer: 'river' }, geometry: roundLine(g) });
  }
  const baseBytes = writeFeatureCollection(join(outGeo, 'basemap.geojson'), base);

  // --- PM2.5 (PM_Jingan)
  const lines = readFileSync(src('sensors/shanghai_pm25_hourly_3stations_2013-2015.csv'), 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`sensor CSV: no column ${name}`);
    return i;
  };
  const [cy, cm, cd, ch, cp] = [col('year'), col('month'), col('day'), col('hour'), col('PM_Jingan')];
  const rows = ['year,month,day,hour,pm25'];
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const c = line.split(',');
    const v = c[cp]?.trim();
    if (!v || v === 'NA' || !Number.isFinite(Number(v))) continue;
    rows.push([c[cy], c[cm], c[cd], c[ch], v].map((s) => (s ?? '').trim()).join(','));
  }
  const pmText = rows.join('\n') + '\n';
  writeFileSync(join(outPm, 'jingan_pm25_hourly.csv'), pmText);

  // --- report
  const grids = features.filter((f) => f.properties.level === 'grid');
  console.log(`source: ${shared}`);
  console.log(
    `lattice ${lattice.xs.length - 1}×${lattice.ys.length - 1} cells of ${GRID_SIDE_M} m ` +
      `(full cell ${(lattice.fullCellM2 / 1e6).toFixed(4)} km²); ${pieces.length} pieces, ` +
      `${report.merged} slivers merged (${report.isolatedMerged} detached)`,
  );
  for (const s of stats) console.log(`  ${s.name.padEnd(34)} ${s.km2.toFixed(2).padStart(6)} km²  ${s.grids} grids`);
  console.log(`district ${(areaM2(district) / 1e6).toFixed(2)} km², ${grids.length} grids`);
  if (!base.some((f) => f.properties.layer === 'river'))
    console.warn('note: no source river lies inside the sea bbox, so the basemap has no "river" features');
  console.log(`wrote data/geo/areas.geojson (${areasBytes} B), data/geo/basemap.geojson (${baseBytes} B), ` +
    `data/pm25/jingan_pm25_hourly.csv (${rows.length - 1} rows, ${Buffer.byteLength(pmText)} B)`);
}

main();
