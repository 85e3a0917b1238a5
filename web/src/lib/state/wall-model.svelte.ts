/**
 * @module web/state/wall-model
 * The wall's view-model: everything the operations wall at `/` shows, derived with runes from
 * its dependencies, and what the operator (or a scene) can do to it. `App.svelte` is only the
 * layout that reads it; its `$effect`s only sync imperative libraries (the map, the charts).
 *
 * Constructed with its dependencies, so it runs in `test/web` without a browser:
 * - `catalog` (reference data), `wall` (language, drilled-into street, open detail, a one-second
 *   clock, the viewport scale), `loop` (closed-loop figures), `forecast` (the PM2.5 forecast);
 * - `source`: a {@link LiveSource} the data comes from, normally the live socket ({@link LiveState}).
 *
 * Seams for other features:
 * - **Replay**: {@link WallModel.useSource} hands the wall another {@link LiveSource} (e.g. one
 *   built from historical snapshots whose `serverNow()` is the replayed time); every panel then
 *   draws that source, and `useSource(live)` goes back to live. The previous source is left
 *   running (its owner decides whether to disconnect it).
 * - **Scenes**: the view is {@link WallModel.scopeId}, set with {@link WallModel.setView}
 *   (`null` = the session's root area, or a street id; a street centre cannot leave its street);
 *   {@link WallModel.selectEvent} opens a case's detail (a pinned, highlighted item).
 * - **Subscriptions**: the model follows the source's `event`, `snapshot`, `connection` and
 *   `refused` changes through `subscribe`; other features subscribe to the same source directly.
 *
 * Data age (§2): every panel's data has an age ({@link DataAge}: the server time it is as of, and
 * why it is stale), from the stream's health ({@link WallModel.stream}), indicator values'
 * staleness windows and the fetched figures' times; {@link WallModel.banner} says what the
 * connection is doing. The rules are pure, in `utils/data-age.ts` and `utils/connection-banner.ts`.
 *
 * The scope is followed by method calls, not effects: {@link WallModel.start} connects once the
 * centre is known, and every view change (re)connects the source and the figures' fetchers.
 */
import type { FeatureCollection } from 'geojson';
import type { AreaFeature, AreaLevel, GridEvent, SessionInfo } from '../../../../shared/index.ts';
import { isUnauthorized } from '../api/http.ts';
import { fetchSession } from '../api/session.ts';
import { areaBarsOption, hourlyOption, trendOption, type AreaBarRow } from '../components/charts/chart-options.ts';
import { EMPTY, type AreaData } from '../components/map/map-style.ts';
import { areaAlarmLevels, belowFrom, healthScores, tileMarks } from '../utils/alarm-marks.ts';
import { boardRows } from '../utils/board.ts';
import { connectionBanner } from '../utils/connection-banner.ts';
import { fetchedAge, indicatorAge, newestAge, streamAge, streamHealth, streamStale, valueAge, type DataAge } from '../utils/data-age.ts';
import { localHour } from '../utils/format.ts';
import { boundsOf, labelPoint, type LngLat } from '../utils/geo.ts';
import { loc, t } from '../utils/i18n.ts';
import { shortStreetName, shortStreetNameEn } from '../utils/labels.ts';
import { deadlineWatch, ladderCounts } from '../utils/queue.ts';
import { indicatorStatus, loadGrade, thresholdsFor, type LoadGrade } from '../utils/status.ts';
import { reconnectDelay } from './recovery.ts';
import type { Catalog } from './catalog.svelte.ts';
import type { ForecastState } from './forecast-state.svelte.ts';
import type { LiveSource, Refusal } from './live-source.ts';
import { countBy, hourlyAt, indicatorKey, openCountsByChild } from './live-store.ts';
import { POLL_MS as LOOP_POLL_MS, type LoopStats } from './loop-stats.svelte.ts';
import type { ChildScore, StreetLabel, TileModel } from './wall-view.ts';
import type { WallState } from './wall-state.svelte.ts';

/** The operator's choices and the clock, as {@link WallState} holds them. */
export type WallView = Pick<WallState, 'lang' | 'streetId' | 'selectedEventId' | 'selectedGridId' | 'now' | 'scale'>;

export interface WallModelDeps {
  /** who is signed in; the wall's root is `session.areaId` (a new session reloads the page) */
  session: SessionInfo;
  catalog: Catalog;
  source: LiveSource;
  wall: WallView;
  loop: LoopStats;
  forecast: ForecastState;
  /** the session is over (logout elsewhere, expiry, disabled user, revoked display) */
  onsessionlost: () => void;
  /** asks the server who is signed in (after a refusal); default `GET /api/v1/session` */
  fetchSession?: () => Promise<SessionInfo | null>;
  /** starts the page over (the account changed); default `location.reload()` */
  reload?: () => void;
}

/** Children shown under the health score (体征指数): the lowest scores. */
export const HEALTH_CHILDREN = 3;
/** Newest open titles per child area, for the bar chart's tooltip. */
export const LATEST_PER_AREA = 3;
/** Bars of the per-grid chart of a street. */
export const GRID_BARS = 12;
/** Longest pause between retries after refusals in a row (ms). */
export const REFUSAL_RETRY_MAX_MS = 60_000;

const fc = (features: AreaFeature[]): FeatureCollection => ({ type: 'FeatureCollection', features }) as FeatureCollection;

export class WallModel {
  /** where the data comes from: the live socket, or a replay (see {@link WallModel.useSource}) */
  source = $state.raw<LiveSource>(null as unknown as LiveSource);
  /** the event shown in the detail panel as it was when picked (kept if it leaves the lists) */
  pinned = $state.raw<GridEvent | null>(null);

  // The dependencies are read through accessors: the derivations below are field initializers,
  // which run before the constructor's body (they are evaluated lazily, on first read).
  #deps: WallModelDeps;
  get deps(): WallModelDeps {
    return this.#deps;
  }
  get catalog(): Catalog {
    return this.#deps.catalog;
  }
  get wall(): WallView {
    return this.#deps.wall;
  }

  // ---- names (arrow properties: handed to components as callbacks) ------------------------------
  areaName = (a: AreaFeature | undefined): string => {
    if (!a) return '';
    return this.wall.lang === 'zh' ? a.properties.name : a.properties.nameEn;
  };
  streetName = (id: string): string => this.areaName(this.catalog.byId.get(id)) || id;
  categoryLabel = (code: string): { name: string; known: boolean } => {
    const c = this.catalog.categoriesByCode.get(code);
    return c ? { name: loc(c.name, this.wall.lang), known: true } : { name: `${t(this.wall.lang, 'uncategorised')} (${code})`, known: false };
  };
  categoryName = (code: string): string => this.categoryLabel(code).name;
  unitName = (id: string | null): string => {
    if (!id) return '';
    const u = this.catalog.unitsById.get(id);
    return u ? loc(u.name, this.wall.lang) : id;
  };
  gridLabel = (g: AreaFeature): string => {
    const seq = g.properties.seq;
    if (seq === undefined) return this.areaName(g);
    return this.wall.lang === 'zh' ? `第${seq}网格` : `Grid ${seq}`;
  };
  definitionOf = (id: string) => this.catalog.definitionsById.get(id);

  // ---- scope -----------------------------------------------------------------------------------
  /** the centre's answer is in: the root area is known and the stream may start */
  rootKnown = $derived(this.deps.catalog.centre !== null);
  /** the area shown: the drilled-into street, or the session's root */
  scopeId = $derived(this.wall.streetId ?? this.catalog.rootAreaId);
  scopeArea = $derived(this.catalog.byId.get(this.scopeId));
  level = $derived<AreaLevel>(this.scopeArea?.properties.level ?? (this.wall.streetId ? 'street' : this.catalog.geometry.rootLevel));
  /** a street's view (drilled into, or a street centre): grids are its children */
  inStreet = $derived(this.level === 'street' || this.level === 'grid');
  canDrill = $derived(this.catalog.geometry.canDrill);
  drilled = $derived(this.wall.streetId !== null);
  /** the data's "now" on the server's clock (a replay: the replayed time) */
  serverNow = $derived(this.source.serverNow(this.wall.now));
  data = $derived(this.source.data);

  // ---- data age (§2) -----------------------------------------------------------------------------
  /** the stream's health: live, or since when and why not (times on the server's clock) */
  stream = $derived.by(() => {
    const s = this.source;
    return streamHealth({
      connection: s.connection,
      synced: this.data.status === 'synced',
      lostAt: s.downSince ? s.serverNow(s.downSince) : 0,
      lostBy: s.lostBy ?? null,
    });
  });
  /** the stream's reason while it has been down past the grace, else null */
  streamStale = $derived(streamStale(this.stream, this.serverNow));
  /** age of what the stream feeds: map, ticker, alarms, deadline watch, hourly and per-area charts */
  streamAge = $derived<DataAge>(streamAge(this.stream, this.serverNow, this.data.snapshots > 0));
  /** what the connection banner says, or null while live */
  banner = $derived(
    connectionBanner(
      {
        connection: this.source.connection,
        synced: this.data.status === 'synced',
        downSince: this.source.downSince ?? 0,
        lostBy: this.source.lostBy ?? null,
        nextAttemptAt: this.source.nextAttemptAt ?? 0,
      },
      this.wall.now,
    ),
  );

  // ---- names -----------------------------------------------------------------------------------
  centreName = $derived(this.catalog.centre?.centreName ? loc(this.catalog.centre.centreName, this.wall.lang) : t(this.wall.lang, 'centreFallback'));
  scopeTitle = $derived(this.areaName(this.scopeArea) || this.scopeId);
  scopeKind = $derived(t(this.wall.lang, this.inStreet ? 'streetScope' : 'districtScope'));
  simulatorOn = $derived(this.data.simulatorOn || (this.catalog.centre?.simulatorOn ?? false));

  // ---- geometry for the map --------------------------------------------------------------------
  // Only what the server sent: a street centre has no sibling streets to draw, and needs none.
  grids = $derived(this.catalog.grids);
  gridStreet = $derived(new Map(this.grids.map((g) => [g.properties.id, g.properties.parentId ?? ''])));
  areaData = $derived.by<AreaData | null>(() => {
    const c = this.catalog;
    if (!c.loaded || !c.root) return null;
    return {
      basemap: c.basemap ?? EMPTY,
      city: fc(c.areas.filter((a) => a.properties.level === 'city')),
      context: fc(c.geometry.context),
      district: fc([c.root]),
      streets: fc(c.streets),
      grids: fc(this.grids),
    };
  });
  labelPoints = $derived(new Map(this.catalog.streets.map((s) => [s.properties.id, labelPoint(s.geometry)] as const)));
  focus = $derived.by(() => {
    const area = this.catalog.byId.get(this.scopeId);
    return area ? boundsOf([area.geometry]) : null;
  });
  /** the street the map highlights: the drilled-into one, or a street centre's own */
  selectedStreetId = $derived(this.level === 'street' ? this.scopeId : null);
  /** events that just arrived, for the map's flash */
  freshEvents = $derived(this.source.freshEvents());

  // ---- load per child area ---------------------------------------------------------------------
  openDef = $derived(this.catalog.definitionsById.get('open_events'));
  streetTh = $derived(this.openDef ? thresholdsFor(this.openDef, 'street') : { warn: 20, alarm: 35 });
  gridTh = $derived(this.openDef ? thresholdsFor(this.openDef, 'grid') : { warn: 3, alarm: 6 });
  childAreas = $derived(this.inStreet ? this.grids.filter((g) => g.properties.parentId === this.scopeId) : this.catalog.streets);
  childCounts = $derived(
    openCountsByChild(this.data, this.childAreas.map((a) => a.properties.id), this.inStreet ? 'gridId' : 'streetId'),
  );
  /** the open events the wall counts: a drill's (演练) show, but no count takes them */
  countedOpen = $derived(this.data.openEvents.filter((e) => !e.drill));
  /**
   * open events of the scope's own area: counted from the list when it is complete (a drill's left
   * out), else the derived indicator when present, else the stream's count
   */
  scopeOpen = $derived.by(() => {
    if (this.data.openComplete) return this.countedOpen.length;
    const v = this.data.indicators[indicatorKey(this.scopeId, 'open_events')]?.value;
    return typeof v !== 'number' ? this.data.openTotal : v;
  });
  streetGrades = $derived.by(() => {
    const m = new Map<string, LoadGrade>();
    if (this.inStreet) m.set(this.scopeId, loadGrade(this.scopeOpen, this.streetTh));
    else for (const [id, n] of this.childCounts) m.set(id, loadGrade(n, this.streetTh));
    return m;
  });
  gridGrades = $derived.by(() => {
    const counts = this.inStreet ? this.childCounts : countBy(this.data.openEvents, 'gridId');
    const m = new Map<string, LoadGrade>();
    for (const [id, n] of counts) m.set(id, loadGrade(n, this.gridTh));
    return m;
  });
  labels = $derived<StreetLabel[]>(
    this.catalog.streets.flatMap((s) => {
      const point = this.labelPoints.get(s.properties.id);
      if (!point) return [];
      const id = s.properties.id;
      const count = this.inStreet ? (id === this.scopeId ? this.scopeOpen : null) : (this.childCounts.get(id) ?? 0);
      const name = this.wall.lang === 'zh' ? shortStreetName(s.properties.name) : s.properties.nameEn;
      return [{ id, name, point: point as LngLat, count, grade: this.streetGrades.get(id) ?? 0 }];
    }),
  );

  // ---- alarms and the health score (体征指数) ----------------------------------------------------
  isBelow = $derived(belowFrom(new Map(this.catalog.areas.map((a) => [a.properties.id, a.properties.parentId ?? null]))));
  // derived, so only an alarm delta (not every event or indicator delta) recomputes what follows
  activeAlarms = $derived(this.data.alarms);
  clearedAlarms = $derived(this.data.clearedAlarms);
  liveValues = $derived(this.data.indicators);
  alarmMarks = $derived(tileMarks(this.activeAlarms, this.scopeId, this.isBelow));
  streetAlarms = $derived(areaAlarmLevels(this.activeAlarms, this.catalog.streets.map((a) => a.properties.id), this.isBelow));
  gridAlarms = $derived(areaAlarmLevels(this.activeAlarms, this.grids.map((a) => a.properties.id), this.isBelow));
  /** the data's minute: staleness moves the score and the trend chart once a minute, not every second */
  minute = $derived(Math.floor(this.serverNow / 60_000) * 60_000);
  scores = $derived.by(() => {
    const now = this.minute;
    const values = Object.values(this.liveValues).map((v) => {
      const def = this.catalog.definitionsById.get(v.indicatorId);
      const lvl = this.catalog.byId.get(v.areaId)?.properties.level;
      return def && lvl ? { ...v, status: indicatorStatus(def, lvl, v, now) } : v;
    });
    const areas = [{ id: this.scopeId, level: this.level }, ...this.childAreas.map((a) => ({ id: a.properties.id, level: a.properties.level }))];
    return healthScores(areas, this.catalog.definitions, values, this.activeAlarms, this.isBelow);
  });
  scopeScore = $derived(this.scores.get(this.scopeId) ?? null);
  childScores = $derived<ChildScore[]>(
    this.childAreas
      .flatMap((a) => {
        const score = this.scores.get(a.properties.id);
        if (!score || score.score === null) return [];
        const name = this.inStreet ? this.gridLabel(a) : this.wall.lang === 'zh' ? shortStreetName(a.properties.name) : shortStreetNameEn(a.properties.nameEn);
        return [{ id: a.properties.id, name, score }];
      })
      .sort((a, b) => a.score.score! - b.score.score! || a.id.localeCompare(b.id))
      .slice(0, HEALTH_CHILDREN),
  );

  // ---- tiles -----------------------------------------------------------------------------------
  tiles = $derived<TileModel[]>(
    this.catalog.definitions
      .filter((d) => d.levels.includes(this.level))
      .map((def) => {
        const value = this.data.indicators[indicatorKey(this.scopeId, def.id)];
        return {
          def,
          value,
          status: indicatorStatus(def, this.level, value, this.serverNow),
          trend: this.data.trends[def.id] ?? [],
          alarm: this.alarmMarks.get(def.id),
          age: indicatorAge(def, value?.at, this.stream, this.serverNow),
        };
      }),
  );
  /** the tiles' panel: as of its newest value, stale when every value is */
  indicatorsAge = $derived(newestAge(this.tiles.map((tl) => tl.age ?? { updatedAt: 0, stale: null })));

  // ---- charts ----------------------------------------------------------------------------------
  hourly = $derived(hourlyAt(this.data.hourly, this.serverNow));
  currentHour = $derived(localHour(this.serverNow));
  hourlyOpt = $derived(
    hourlyOption({ today: this.hourly.today, yesterday: this.hourly.yesterday, currentHour: this.currentHour, lang: this.wall.lang, scale: this.wall.scale }),
  );
  /** newest open titles per child area, for the bar chart's tooltip */
  latestByChild = $derived.by(() => {
    const key = this.inStreet ? 'gridId' : 'streetId';
    const m = new Map<string, string[]>();
    for (const e of this.data.openEvents) {
      const list = m.get(e[key]) ?? [];
      if (list.length < LATEST_PER_AREA) list.push(e.title);
      m.set(e[key], list);
    }
    return m;
  });
  barRows = $derived<AreaBarRow[]>(
    this.inStreet
      ? this.childAreas
          .map((g) => {
            const count = this.childCounts.get(g.properties.id) ?? 0;
            return { id: g.properties.id, name: this.gridLabel(g), count, grade: loadGrade(count, this.gridTh), latest: this.latestByChild.get(g.properties.id) ?? [] };
          })
          .sort((a, b) => b.count - a.count)
          .slice(0, GRID_BARS)
      : this.childAreas.map((s) => ({
          id: s.properties.id,
          name: this.areaName(s),
          count: this.childCounts.get(s.properties.id) ?? 0,
          grade: this.streetGrades.get(s.properties.id) ?? 0,
          latest: this.latestByChild.get(s.properties.id) ?? [],
        })),
  );
  barsOpt = $derived(areaBarsOption(this.barRows, this.wall.scale, this.wall.lang));
  /** the closed-loop board (闭环处置): one row per street of a district wall, none in a street */
  board = $derived(
    this.inStreet
      ? []
      : boardRows(
          this.catalog.streets.map((s) => ({
            id: s.properties.id,
            name: this.wall.lang === 'zh' ? shortStreetName(s.properties.name) : shortStreetNameEn(s.properties.nameEn),
          })),
          this.deps.loop.stats?.byStreet ?? [],
          this.childCounts,
        ),
  );
  watch = $derived(deadlineWatch(this.data.openEvents, this.serverNow));
  /** open disputes at each rung of the escalation ladder (R2.4) */
  ladder = $derived(ladderCounts(this.data.openEvents));
  loopStale = $derived(this.deps.loop.stale(this.wall.now));
  /** the closed-loop figures (board, funnel): as of the last good answer, stale past two polls */
  loopAge = $derived.by<DataAge>(() => {
    const loop = this.deps.loop;
    return fetchedAge(loop.fetchedAt ? this.source.serverNow(loop.fetchedAt) : 0, 2 * LOOP_POLL_MS, loop.failed, this.stream, this.serverNow);
  });
  pm25Def = $derived(this.catalog.definitionsById.get('pm25'));
  pm25Points = $derived(
    (this.deps.forecast.forecast?.points ?? []).map((p) => ({ at: Date.parse(p.at), value: p.value, lower: p.lower, upper: p.upper })),
  );
  pm25Opt = $derived.by(() => {
    const th = this.pm25Def ? thresholdsFor(this.pm25Def, this.level) : { warn: 75, alarm: 115 };
    return trendOption({
      series: this.data.trends.pm25 ?? [],
      warn: th.warn,
      alarm: th.alarm,
      nowMs: this.minute + 60_000,
      lang: this.wall.lang,
      scale: this.wall.scale,
      decimals: this.pm25Def?.decimals ?? 0,
      forecast: this.pm25Points.length ? { points: this.pm25Points } : null,
    });
  });
  /** 「预计 N 小时后超标」: hours from now to the first forecast hour at the threshold */
  pm25Crossing = $derived.by(() => {
    const c = this.deps.forecast.forecast?.crossing;
    if (!c) return null;
    return { level: c.level, hours: Math.max(1, Math.ceil((Date.parse(c.at) - this.minute) / 3_600_000)) };
  });
  pm25Now = $derived(this.data.indicators[indicatorKey(this.scopeId, 'pm25')]?.value);
  /** the PM2.5 chart: as of the area's PM2.5 reading (its source may be silent), else the stream */
  pm25Age = $derived.by<DataAge>(() => {
    const v = this.data.indicators[indicatorKey(this.scopeId, 'pm25')];
    return v?.at && this.pm25Def ? valueAge(v.at, this.pm25Def.staleAfterSec, this.stream, this.serverNow) : this.streamAge;
  });
  /** the PM2.5 chart has nothing to draw (no real points, no forecast) once the data came */
  pm25Empty = $derived((this.data.trends.pm25?.length ?? 0) === 0 && this.data.snapshots > 0 && !this.pm25Points.length);

  // ---- KPIs ------------------------------------------------------------------------------------
  todayCount = $derived(this.hourly.today.reduce((a, b) => a + b, 0));
  severe = $derived(this.countedOpen.filter((e) => e.severity === 'high' || e.severity === 'critical').length);

  // ---- the open case ---------------------------------------------------------------------------
  detail = $derived.by(() => {
    const id = this.wall.selectedEventId;
    if (!id) return null;
    // the newest version known: the lists', or the one the stream last brought for it
    const pinned = this.pinned;
    const seen = [this.data.recent.find((e) => e.id === id), this.data.openEvents.find((e) => e.id === id), pinned?.id === id ? pinned : undefined];
    return seen.reduce<GridEvent | null>((best, e) => (e && (!best || e.version > best.version) ? e : best), null);
  });
  detailPlace = $derived.by(() => {
    const d = this.detail;
    if (!d) return '';
    const street = this.catalog.byId.get(d.streetId);
    const grid = this.catalog.byId.get(d.gridId);
    const parts = [street ? this.areaName(street) : d.streetId, grid ? this.gridLabel(grid) : d.gridId].filter(Boolean);
    return parts.length ? parts.join(' · ') : t(this.wall.lang, 'unknownPlace');
  });

  // ---- the open grid (多格合一) ---------------------------------------------------------------------
  /** the grid whose detail is open: its properties, its street's name, and its open cases (a drill's left out) */
  gridDetail = $derived.by(() => {
    const id = this.wall.selectedGridId;
    const g = id ? this.catalog.byId.get(id) : undefined;
    if (!g || g.properties.level !== 'grid') return null;
    const street = this.catalog.byId.get(g.properties.parentId ?? '');
    const open = this.countedOpen.filter((e) => e.gridId === g.properties.id);
    const buildingOpen = new Map<string, number>();
    for (const e of open) if (e.buildingId) buildingOpen.set(e.buildingId, (buildingOpen.get(e.buildingId) ?? 0) + 1);
    return { grid: g.properties, streetName: street ? this.areaName(street) : '', open: open.length, severe: open.filter((e) => e.severity === 'high' || e.severity === 'critical').length, buildingOpen };
  });

  /** Opens a grid's detail (closing a case's). */
  selectGrid(id: string): void {
    if (this.catalog.byId.get(id)?.properties.level !== 'grid') return;
    this.closeDetail();
    this.wall.selectedGridId = id;
  }

  #offSource: (() => void)[] = [];
  #started = false;
  #destroyed = false;
  /** the area the source was last asked to follow */
  #followed: string | null = null;
  /** refusals in a row: retries back off, so a refusing server is not asked (and audits) every 2 s */
  #refusals = 0;

  constructor(deps: WallModelDeps) {
    this.#deps = deps;
    this.source = deps.source;
  }

  // ---- life --------------------------------------------------------------------------------------
  /**
   * Loads the catalog and follows the root area once the centre is known. A 401 while loading
   * ends the session; the stream's refusals are checked against the server's idea of the session.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#listen(this.source);
    this.catalog
      .load(() => this.#follow())
      .catch((err: unknown) => {
        if (isUnauthorized(err)) this.deps.onsessionlost();
        else if (!(err instanceof DOMException && err.name === 'AbortError')) console.error('[onescreen] catalog failed', err);
      });
  }

  /** Stops following: the source's subscriptions, its connection, the fetchers and the catalog. */
  destroy(): void {
    this.#destroyed = true;
    for (const off of this.#offSource) off();
    this.#offSource = [];
    this.source.disconnect();
    this.#followed = null;
    this.catalog.destroy();
    this.deps.loop.destroy();
    this.deps.forecast.destroy();
  }

  /**
   * Draws another source (a replay, or back to live). The new source is made to follow the
   * current scope; the previous one is left as it is (its owner stops it if it wants).
   */
  useSource(next: LiveSource): void {
    if (next === this.source) return;
    for (const off of this.#offSource) off();
    this.#offSource = [];
    this.source = next;
    this.#followed = null;
    if (this.#started) {
      this.#listen(next);
      this.#follow();
    }
  }

  // ---- the view ----------------------------------------------------------------------------------
  /**
   * Shows an area: `null` the session's root, else a street of it (ignored where the wall cannot
   * drill: a street centre, an unknown id, a grid). Closes the open detail.
   */
  setView(streetId: string | null): void {
    if (streetId === null) this.back();
    else this.drill(streetId);
  }

  /** Drills into a street of a district wall. */
  drill(streetId: string): void {
    const area = this.catalog.byId.get(streetId);
    if (!this.canDrill || area?.properties.level !== 'street' || this.wall.streetId === streetId) return;
    this.closeDetail();
    this.wall.streetId = streetId;
    this.#follow();
  }

  /** Back to the session's root area. */
  back(): void {
    this.closeDetail();
    if (this.wall.streetId === null) return;
    this.wall.streetId = null;
    this.#follow();
  }

  /** Opens a case's detail, as the lists know it now. */
  selectEvent(id: string): void {
    this.wall.selectedGridId = null;
    this.pinned = this.data.recent.find((e) => e.id === id) ?? this.data.openEvents.find((e) => e.id === id) ?? null;
    this.wall.selectedEventId = id;
  }

  closeDetail(): void {
    this.wall.selectedEventId = null;
    this.wall.selectedGridId = null;
    this.pinned = null;
  }

  /** Escape: closes the detail, else leaves the street. */
  escape(): void {
    if (this.wall.selectedEventId || this.wall.selectedGridId) this.closeDetail();
    else if (this.wall.streetId) this.back();
  }

  // ---- following the scope -----------------------------------------------------------------------
  #follow(): void {
    if (this.#destroyed || !this.rootKnown) return;
    const id = this.scopeId;
    if (this.#followed !== id) {
      this.#followed = id;
      this.source.connect(id);
    }
    this.deps.loop.watch(id);
    this.deps.forecast.watch(id);
  }

  #listen(source: LiveSource): void {
    this.#offSource.push(
      // the case open in the detail follows every change, also once it has left the lists (closed)
      source.subscribe('event', (e) => {
        const p = this.pinned;
        if (p?.id === e.id && e.version >= p.version) this.pinned = e;
        this.deps.loop.poke();
      }),
      source.subscribe('snapshot', () => this.deps.loop.poke()),
      source.subscribe('connection', (c) => {
        if (c === 'connected') this.#refusals = 0;
      }),
      source.subscribe('refused', (why) => void this.#onRefused(why)),
    );
  }

  /**
   * The server stopped or refused the stream. Ask it who we are: no session means the wall is
   * signed out; a different area means the account changed (start over); otherwise the stop was
   * for another reason and the stream resumes after a pause.
   */
  async #onRefused(why: Refusal): Promise<void> {
    if (why === 'forbidden' && this.wall.streetId) {
      // a drilled-into street the session may not see: back to the root, which reconnects
      this.back();
      return;
    }
    const initial = this.deps.session;
    let current: SessionInfo | null;
    try {
      current = await (this.deps.fetchSession ?? fetchSession)();
    } catch {
      current = initial; // the server is unreachable: keep trying the socket
    }
    if (this.#destroyed) return;
    if (!current) this.deps.onsessionlost();
    else if (current.areaId !== initial.areaId || current.kind !== initial.kind) (this.deps.reload ?? (() => location.reload()))();
    else this.source.reconnect(reconnectDelay(this.#refusals++, { baseMs: 2000, capMs: REFUSAL_RETRY_MAX_MS }));
  }
}
