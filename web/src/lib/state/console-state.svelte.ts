/**
 * @module web/state/console-state
 * The duty-officer console's state: the live queue (the wall's {@link LiveState}: snapshot plus
 * sequenced `event:upsert` deltas, so new cases appear and closed ones leave without a fetch),
 * a one-second clock for the countdowns, the filters, the keyboard cursor, the open case with
 * its timeline, and taking actions on it with the optimistic version check.
 *
 * When the open case changes on the server (another officer acted), it is reloaded at once;
 * while a form is open it is only marked stale, so the officer's typing is not thrown away and
 * the server's conflict answer (409) tells what happened.
 */
import type { CaseAction, GridEvent, SessionInfo } from '../../../../shared/index.ts';
import { fetchCase, fetchConfidentialOpen, transition, type CaseView, type TransitionBody } from '../api/cases.ts';
import { isUnauthorized } from '../api/http.ts';
import { setTypical } from '../api/hotspots.ts';
import { sortQueue, filterQueue, moveCursor, EMPTY_FILTER, type QueueFilter } from '../utils/queue.ts';
import { Catalog } from './catalog.svelte.ts';
import { ConsoleAlarms } from './console-alarms.svelte.ts';
import { LiveState } from './live-state.svelte.ts';

/** Actions taken at once; the others open a small form first. */
export const DIRECT_ACTIONS: readonly CaseAction[] = ['accept', 'verify', 'urge'];

export type Notice = { tone: 'ok' | 'warn' | 'alarm'; key: 'conflict' | 'refused' | 'done' | 'loadFailed' | 'changed'; detail: string };

const NOTICE_MS = 8000;
/** how often a cleared officer's console asks for the open confidential cases */
export const CONFIDENTIAL_POLL_MS = 15_000;

/** the cases of several lists, each once (the first list's copy wins) */
function unionById(lists: readonly (readonly GridEvent[])[]): GridEvent[] {
  const seen = new Set<string>();
  const out: GridEvent[] = [];
  for (const list of lists) for (const e of list) if (!seen.has(e.id)) (seen.add(e.id), out.push(e));
  return out;
}

export class ConsoleState {
  readonly session: SessionInfo;
  readonly catalog: Catalog;
  readonly live = new LiveState();
  /**
   * A unit account limited to several streets follows each on its own stream (the server sends
   * no district stream of its cases): `live` the first street's, these the others'.
   */
  readonly more: LiveState[];
  /** the open cases of every stream followed (one case may come on one stream only) */
  openEvents = $derived.by<readonly GridEvent[]>(() => (this.more.length ? unionById([this.live, ...this.more].map((l) => l.data.openEvents)) : this.live.data.openEvents));
  /** the recent cases of every stream followed */
  recent = $derived.by<readonly GridEvent[]>(() => (this.more.length ? unionById([this.live, ...this.more].map((l) => l.data.recent)) : this.live.data.recent));
  /** every stream followed has its snapshot */
  synced = $derived.by(() => [this.live, ...this.more].every((l) => l.data.status === 'synced'));
  /** server-corrected now, ticking every second */
  now = $state(Date.now());
  filter = $state<QueueFilter>({ ...EMPTY_FILTER });
  /** the keyboard cursor in the queue (a case id, so the order may change under it) */
  cursorId = $state<string | null>(null);
  /** the case open on the right */
  view = $state.raw<CaseView | null>(null);
  loadingCase = $state(false);
  /** the action whose form is open */
  form = $state<CaseAction | null>(null);
  /** a request is under way */
  busy = $state(false);
  /** the open case changed on the server while a form was open */
  stale = $state(false);
  notice = $state.raw<Notice | null>(null);

  /** open confidential cases (a cleared session's): never streamed, so fetched now and then */
  confidentialOpen = $state.raw<GridEvent[]>([]);
  /** the queue: open cases, filtered, most urgent first */
  queue = $derived.by(() => sortQueue(filterQueue(this.confidentialOpen.length ? [...this.openEvents, ...this.confidentialOpen] : this.openEvents, this.filter), this.now));
  /** the units cases go to (loaded with the catalog) */
  get units() {
    return this.catalog.units;
  }
  get unitsById() {
    return this.catalog.unitsById;
  }
  /** the open case as the live stream last saw it (for the map and staleness) */
  liveCase = $derived.by(() => {
    const id = this.view?.id;
    if (!id) return undefined;
    return this.openEvents.find((e) => e.id === id) ?? this.recent.find((e) => e.id === id);
  });

  onsessionlost: (() => void) | null = null;

  #timer: ReturnType<typeof setInterval> | null = null;
  #confidentialTimer: ReturnType<typeof setInterval> | null = null;
  #noticeTimer: ReturnType<typeof setTimeout> | null = null;
  #abort = new AbortController();
  #loadSeq = 0;
  #offRefused: (() => void) | null = null;
  #offMore: (() => void)[] = [];

  /** the alarms (告警) of the scope and the one open in the middle column */
  readonly alarms: ConsoleAlarms;

  constructor(session: SessionInfo) {
    this.session = session;
    this.more = (session.streets ?? []).slice(1).map(() => new LiveState());
    this.catalog = new Catalog(session.areaId, { indicators: session.role !== 'unit' });
    this.alarms = new ConsoleAlarms({ session, live: this.live, openCase: (id) => this.open(id), onsessionlost: () => this.onsessionlost?.() });
  }

  async start(): Promise<void> {
    const signal = this.#abort.signal;
    this.#offRefused = this.live.subscribe('refused', () => this.onsessionlost?.());
    const streets = this.session.streets ?? [];
    this.live.connect(streets[0] ?? this.session.areaId, this.session.unitId);
    this.more.forEach((l, i) => {
      this.#offMore.push(l.subscribe('refused', () => this.onsessionlost?.()));
      l.connect(streets[i + 1]!, this.session.unitId);
    });
    this.#timer = setInterval(() => {
      this.now = this.live.serverNow();
      this.#watchOpenCase();
    }, 1000);
    if (this.session.cleared) {
      void this.refreshConfidential();
      this.#confidentialTimer = setInterval(() => void this.refreshConfidential(), CONFIDENTIAL_POLL_MS);
    }
    await this.catalog.load();
  }

  destroy(): void {
    this.#abort.abort();
    if (this.#timer) clearInterval(this.#timer);
    if (this.#confidentialTimer) clearInterval(this.#confidentialTimer);
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    this.#offRefused?.();
    for (const off of this.#offMore) off();
    this.live.disconnect();
    for (const l of this.more) l.disconnect();
    this.catalog.destroy();
    this.alarms.destroy();
  }

  setFilter(patch: Partial<QueueFilter>): void {
    const next = { ...this.filter, ...patch };
    // a grid belongs to its street
    if (patch.streetId !== undefined && patch.streetId !== this.filter.streetId) next.gridId = '';
    this.filter = next;
  }

  moveCursor(by: 1 | -1): void {
    const ids = this.queue.map((e) => e.id);
    const from = this.cursorId && ids.includes(this.cursorId) ? this.cursorId : (this.view && ids.includes(this.view.id) ? this.view.id : null);
    this.cursorId = moveCursor(ids, from, from === null ? 0 : by);
  }

  /** Opens the case under the cursor (or the top of the queue). */
  openCursor(): void {
    const id = this.cursorId ?? this.queue[0]?.id;
    if (id) void this.open(id);
  }

  async open(id: string): Promise<void> {
    this.alarms.close();
    this.cursorId = id;
    if (this.view?.id !== id) {
      this.form = null;
      this.stale = false;
    }
    await this.reload(id);
  }

  /** (Re)loads a case; a newer load wins over an older one. */
  async reload(id = this.view?.id): Promise<void> {
    if (!id) return;
    const seq = ++this.#loadSeq;
    this.loadingCase = true;
    try {
      const v = await fetchCase(id, this.#abort.signal);
      if (seq !== this.#loadSeq) return;
      this.view = v;
      this.stale = false;
      if (this.form && !v.allowedActions.includes(this.form)) this.form = null;
    } catch (err) {
      if (seq !== this.#loadSeq || this.#abort.signal.aborted) return;
      if (isUnauthorized(err)) this.onsessionlost?.();
      else this.#notify({ tone: 'alarm', key: 'loadFailed', detail: err instanceof Error ? err.message : '' });
    } finally {
      if (seq === this.#loadSeq) this.loadingCase = false;
    }
  }

  closeCase(): void {
    this.view = null;
    this.form = null;
    this.stale = false;
  }

  /** What a key or button asks for: a direct action runs, the others open their form. */
  request(action: CaseAction): void {
    const v = this.view;
    if (!v || this.busy || !v.allowedActions.includes(action)) return;
    if (DIRECT_ACTIONS.includes(action)) void this.act({ action, version: v.version } as TransitionBody);
    else this.form = action;
  }

  /** Takes an action on the open case with the version the officer saw. */
  async act(body: TransitionBody): Promise<boolean> {
    const v = this.view;
    if (!v || this.busy) return false;
    this.busy = true;
    try {
      const r = await transition(v.id, body);
      if (r.ok) {
        ++this.#loadSeq; // an older reload must not overwrite this answer
        this.view = r.view;
        if (this.session.cleared && (r.view.confidential || v.confidential)) void this.refreshConfidential();
        this.form = null;
        this.stale = false;
        this.#notify({ tone: 'ok', key: 'done', detail: body.action });
        return true;
      }
      if (r.kind === 'conflict') {
        this.form = null;
        this.#notify({ tone: 'warn', key: 'conflict', detail: r.message });
        await this.reload(v.id);
        return false;
      }
      if (r.status === 401) this.onsessionlost?.();
      this.#notify({ tone: 'alarm', key: 'refused', detail: r.message });
      if (r.status === 403 || r.status === 404 || r.status === 422) await this.reload(v.id);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Fetches the open confidential cases again (a cleared session's; failures keep the last list). */
  async refreshConfidential(): Promise<void> {
    try {
      this.confidentialOpen = await fetchConfidentialOpen(this.#abort.signal);
    } catch (err) {
      if (isUnauthorized(err)) this.onsessionlost?.();
    }
  }

  /** Marks or unmarks the open case typical (典型), with an optional note. */
  async tagTypical(on: boolean, note = ''): Promise<boolean> {
    const v = this.view;
    if (!v || this.busy) return false;
    this.busy = true;
    try {
      const r = await setTypical(v.id, on, note.trim() || undefined);
      if (r.ok) {
        ++this.#loadSeq;
        this.view = r.view;
        this.#notify({ tone: 'ok', key: 'done', detail: 'tag' });
        return true;
      }
      if (r.status === 401) this.onsessionlost?.();
      this.#notify({ tone: 'alarm', key: 'refused', detail: r.message });
      return false;
    } finally {
      this.busy = false;
    }
  }

  dismissNotice(): void {
    this.notice = null;
  }

  #notify(n: Notice): void {
    this.notice = n;
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    // a conflict stays until the officer acts again or dismisses it
    if (n.tone === 'ok') this.#noticeTimer = setTimeout(() => this.notice === n && (this.notice = null), NOTICE_MS / 2);
    else if (n.key !== 'conflict') this.#noticeTimer = setTimeout(() => this.notice === n && (this.notice = null), NOTICE_MS);
  }

  /** The live stream saw a newer version of the open case: reload, or mark it stale mid-form. */
  #watchOpenCase(): void {
    const v = this.view;
    const seen: GridEvent | undefined = this.liveCase;
    if (!v || !seen || seen.version <= v.version || this.busy || this.loadingCase) return;
    if (this.form) this.stale = true;
    else void this.reload(v.id);
  }
}
