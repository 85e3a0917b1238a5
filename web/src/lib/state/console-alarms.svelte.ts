/**
 * @module web/state/console-alarms
 * The console's alarms (告警): the active ones live from the room (snapshot plus sequenced
 * `alarm:upsert` deltas, held by {@link LiveState}), the cleared ones fetched when the officer
 * asks for them and kept up to date from the same deltas, the alarm open in the middle column
 * with its history, and acknowledging (确认, at the version seen) and opening its case (立案).
 *
 * The open alarm is reloaded whenever the stream shows a newer version of it, so its history
 * follows what others do; a 409 from the server is shown and the alarm reloaded.
 */
import type { Alarm, AlarmView, SessionInfo } from '../../../../shared/index.ts';
import { acknowledgeAlarm, fetchAlarm, fetchAlarms, openAlarmCase } from '../api/alarms.ts';
import { isUnauthorized } from '../api/http.ts';
import { alarmActions, alarmList, noteCleared } from '../utils/alarms.ts';
import type { LiveState } from './live-state.svelte.ts';

export type AlarmNotice = { tone: 'ok' | 'warn' | 'alarm'; key: 'conflict' | 'refused' | 'acked' | 'loadFailed'; detail: string };

export interface ConsoleAlarmsDeps {
  session: SessionInfo;
  live: LiveState;
  /** opens a case in the case panel (after 立案, or from the alarm's case link) */
  openCase: (id: string) => Promise<void>;
  onsessionlost: () => void;
}

const CLEARED_LIMIT = 200;

export class ConsoleAlarms {
  /** also list the cleared alarms (fetched on demand) */
  showCleared = $state(false);
  cleared = $state.raw<Alarm[]>([]);
  loadingCleared = $state(false);
  /** the alarm open in the middle column, with its history */
  view = $state.raw<AlarmView | null>(null);
  loading = $state(false);
  /** the small form under the alarm: acknowledge or open a case */
  form = $state<'ack' | 'case' | null>(null);
  busy = $state(false);
  notice = $state.raw<AlarmNotice | null>(null);

  /** the alarms listed: active first (most severe, oldest), then the newest cleared */
  list = $derived.by(() => alarmList(this.deps.live.data.alarms, this.cleared, this.showCleared));
  /** the open alarm as the stream last saw it */
  liveAlarm = $derived.by(() => {
    const id = this.view?.id;
    return id ? (this.deps.live.data.alarms.find((a) => a.id === id) ?? this.cleared.find((a) => a.id === id)) : undefined;
  });
  actions = $derived.by(() => (this.view ? alarmActions(this.view, this.deps.session.role) : { acknowledge: false, openCase: false }));

  readonly deps: ConsoleAlarmsDeps;
  #abort = new AbortController();
  #loadSeq = 0;
  #unsubscribe: () => void;

  constructor(deps: ConsoleAlarmsDeps) {
    this.deps = deps;
    this.#unsubscribe = deps.live.subscribe('alarm', (a) => this.#changed(a));
  }

  destroy(): void {
    this.#abort.abort();
    this.#unsubscribe();
  }

  async setShowCleared(on: boolean): Promise<void> {
    this.showCleared = on;
    if (!on) return;
    this.loadingCleared = true;
    try {
      const r = await fetchAlarms({ status: 'cleared', limit: CLEARED_LIMIT }, this.#abort.signal);
      // deltas that came in meanwhile are newer than the answer where they overlap
      let next = r.alarms;
      for (const c of this.cleared) next = noteCleared(next, c, CLEARED_LIMIT);
      this.cleared = next;
    } catch (err) {
      this.#failed(err);
    } finally {
      this.loadingCleared = false;
    }
  }

  /** Opens an alarm in the middle column. */
  async select(id: string): Promise<void> {
    if (this.view?.id !== id) {
      this.form = null;
      this.notice = null;
    }
    await this.reload(id);
  }

  close(): void {
    this.view = null;
    this.form = null;
    this.notice = null;
    ++this.#loadSeq;
  }

  async reload(id = this.view?.id): Promise<void> {
    if (!id) return;
    const seq = ++this.#loadSeq;
    this.loading = true;
    try {
      const v = await fetchAlarm(id, this.#abort.signal);
      if (seq !== this.#loadSeq) return;
      this.view = v;
      if (this.form === 'ack' && v.acknowledgedAt) this.form = null;
      if (this.form === 'case' && v.caseId) this.form = null;
    } catch (err) {
      if (seq === this.#loadSeq) this.#failed(err);
    } finally {
      if (seq === this.#loadSeq) this.loading = false;
    }
  }

  /** 确认: at the version on screen, with the officer's note. */
  async acknowledge(note: string): Promise<boolean> {
    const v = this.view;
    if (!v || this.busy) return false;
    this.busy = true;
    try {
      const r = await acknowledgeAlarm(v.id, v.version, note.trim());
      if (r.ok) {
        this.form = null;
        this.notice = { tone: 'ok', key: 'acked', detail: '' };
        await this.reload(v.id);
        return true;
      }
      await this.#refused(r.kind === 'conflict' ? 409 : r.status, r.message, v.id);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** 立案: opens the episode's case and shows it in the case panel. */
  async openCase(note: string): Promise<boolean> {
    const v = this.view;
    if (!v || this.busy) return false;
    this.busy = true;
    try {
      const r = await openAlarmCase(v.id, note.trim());
      if (r.ok) {
        this.form = null;
        this.close();
        await this.deps.openCase(r.data.case.id);
        return true;
      }
      await this.#refused(r.kind === 'conflict' ? 409 : r.status, r.message, v.id);
      return false;
    } finally {
      this.busy = false;
    }
  }

  dismissNotice(): void {
    this.notice = null;
  }

  async #refused(status: number | null, message: string, id: string): Promise<void> {
    if (status === 401) return this.deps.onsessionlost();
    this.form = null;
    this.notice = status === 409 ? { tone: 'warn', key: 'conflict', detail: message } : { tone: 'alarm', key: 'refused', detail: message };
    await this.reload(id);
  }

  #failed(err: unknown): void {
    if (this.#abort.signal.aborted) return;
    if (isUnauthorized(err)) this.deps.onsessionlost();
    else this.notice = { tone: 'alarm', key: 'loadFailed', detail: err instanceof Error ? err.message : String(err) };
  }

  /** A live change: the cleared list follows it, and the open alarm is reloaded when it moved on. */
  #changed(a: Alarm): void {
    if (this.showCleared || a.state !== 'cleared') this.cleared = noteCleared(this.cleared, a, CLEARED_LIMIT);
    const v = this.view;
    if (v && v.id === a.id && a.version > v.version && !this.busy) void this.reload(v.id);
  }
}
