/**
 * @module web/state/catalog
 * The slowly changing reference data of the wall, loaded once over REST (with retry): the
 * centre's name, the area hierarchy and geometry, the basemap, indicator definitions, event
 * categories and the units cases go to. The wall's root is the session's area; the server sends only that area, what lies
 * below it and its ancestors (as context), so a street centre never sees its neighbours.
 */
import type { FeatureCollection } from 'geojson';
import type { AreaFeature, EventCategory, IndicatorDefinition, Unit } from '../../../../shared/index.ts';
import { fetchUnits } from '../api/cases.ts';
import { setClockWarnAt } from '../utils/queue.ts';
import { setWallTimeZone } from './time-zone.svelte.ts';
import { scopeGeometry } from '../utils/scope.ts';
import {
  fetchAreas,
  fetchBasemap,
  fetchCategories,
  fetchCentreInfo,
  fetchIndicators,
  withRetry,
  type CentreInfo,
} from '../api/http.ts';

const HEALTH_REFRESH_MS = 60_000;

export class Catalog {
  centre = $state.raw<CentreInfo | null>(null);
  areas = $state.raw<AreaFeature[]>([]);
  basemap = $state.raw<FeatureCollection | null>(null);
  definitions = $state.raw<IndicatorDefinition[]>([]);
  categories = $state.raw<EventCategory[]>([]);
  /** the units cases are dispatched to (departments, task forces, street centres) */
  units = $state.raw<Unit[]>([]);
  loaded = $state(false);

  /** the session's area: the wall shows it and everything below it */
  readonly rootAreaId: string;
  byId = $derived(new Map(this.areas.map((a) => [a.properties.id, a])));
  root = $derived.by(() => this.byId.get(this.rootAreaId));
  /** what the map draws for the root: its streets and grids, and the outlines around it */
  geometry = $derived.by(() => scopeGeometry(this.areas, this.rootAreaId));
  streets = $derived(this.geometry.streets);
  grids = $derived(this.geometry.grids);
  definitionsById = $derived(new Map(this.definitions.map((d) => [d.id, d])));
  categoriesByCode = $derived(new Map(this.categories.map((c) => [c.code, c])));
  unitsById = $derived(new Map(this.units.map((u) => [u.id, u])));

  #abort = new AbortController();
  #healthTimer: ReturnType<typeof setInterval> | null = null;

  readonly #indicators: boolean;

  /** `indicators: false` for a unit's session, which is given no area's indicators */
  constructor(rootAreaId: string, opts: { indicators?: boolean } = {}) {
    this.rootAreaId = rootAreaId;
    this.#indicators = opts.indicators ?? true;
  }

  /**
   * Loads everything; resolves once the health answer and the areas are in. Rejects with an
   * `HttpError` 401 when the session is gone (retrying cannot help then).
   * @param oncentre called as soon as the health answer is in (the live stream may start then)
   */
  async load(oncentre?: () => void): Promise<void> {
    const signal = this.#abort.signal;
    this.centre = await withRetry(() => fetchCentreInfo(signal), signal);
    setClockWarnAt(this.centre.clockWarnAt);
    setWallTimeZone(this.centre.timeZone);
    oncentre?.();
    const root = this.rootAreaId;
    await Promise.all([
      withRetry(() => fetchAreas(signal), signal).then((a) => (this.areas = a)),
      withRetry(() => fetchBasemap(signal), signal).then((b) => (this.basemap = b)),
      this.#indicators ? withRetry(() => fetchIndicators(root, signal), signal).then((r) => (this.definitions = r.definitions)) : undefined,
      withRetry(() => fetchCategories(signal), signal).then((c) => (this.categories = c)),
      withRetry(() => fetchUnits(signal), signal).then((u) => (this.units = u)),
    ]);
    this.loaded = true;
    // The simulator can be switched on or off while the wall runs (and a restarted server may
    // run with another TIME_ZONE).
    this.#healthTimer = setInterval(() => {
      fetchCentreInfo(signal)
        .then((c) => {
          this.centre = c;
          setClockWarnAt(c.clockWarnAt);
          setWallTimeZone(c.timeZone);
        })
        .catch(() => {});
    }, HEALTH_REFRESH_MS);
  }

  /** Stops loading and polling. */
  destroy(): void {
    this.#abort.abort();
    if (this.#healthTimer) clearInterval(this.#healthTimer);
  }

  /** Children of an area (streets of a district, grids of a street). */
  childrenOf(areaId: string): AreaFeature[] {
    return this.areas.filter((a) => a.properties.parentId === areaId);
  }
}
