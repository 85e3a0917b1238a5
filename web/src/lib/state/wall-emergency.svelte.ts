/**
 * @module web/state/wall-emergency
 * Whether the wall's area is in wartime (平战结合), and for which incident: asked
 * (`GET /api/v1/emergency`) when the area changes, whenever the live stream says an incident of the
 * area or above changed (`emergency:changed`), on every new snapshot (a reconnection may have
 * missed a change), and every {@link EMERGENCY_POLL_MS} besides. One request at a time; a request
 * asked for meanwhile runs after it. The last answer is kept through errors.
 */
import { fetchEmergency, fetchResources, type EmergencyState, type Resource } from '../api/emergency.ts';
import { isUnauthorized } from '../api/http.ts';

export const EMERGENCY_POLL_MS = 60_000;

export class WallEmergency {
  state = $state.raw<EmergencyState>({ mode: 'peace' });
  /** the resource registry, read while at war (what is near the incident, what has been sent) */
  resources = $state.raw<readonly Resource[]>([]);
  /** local ms of the last good answer (0 before the first) */
  fetchedAt = $state(0);

  #areaId = '';
  #timer: ReturnType<typeof setInterval> | null = null;
  #abort: AbortController | null = null;
  #again = false;
  readonly #onsessionlost: () => void;
  readonly #fetch: typeof fetchEmergency;
  readonly #fetchResources: typeof fetchResources;

  constructor(onsessionlost: () => void, fetcher: typeof fetchEmergency = fetchEmergency, resources: typeof fetchResources = fetchResources) {
    this.#onsessionlost = onsessionlost;
    this.#fetch = fetcher;
    this.#fetchResources = resources;
  }

  get war() {
    return this.state.mode === 'war' ? this.state.incident : null;
  }

  watch(areaId: string): void {
    if (areaId === this.#areaId) return;
    this.#stop();
    this.#areaId = areaId;
    this.state = { mode: 'peace' };
    this.fetchedAt = 0;
    if (!areaId) return;
    this.#timer = setInterval(() => this.refresh(), EMERGENCY_POLL_MS);
    this.refresh();
  }

  /** Ask again now (or right after the request under way). */
  refresh(): void {
    if (!this.#areaId) return;
    if (this.#abort) {
      this.#again = true;
      return;
    }
    void this.#load();
  }

  destroy(): void {
    this.#stop();
    this.#areaId = '';
  }

  #stop(): void {
    this.#abort?.abort();
    this.#abort = null;
    this.#again = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #load(): Promise<void> {
    const abort = (this.#abort = new AbortController());
    try {
      const s = await this.#fetch(this.#areaId, abort.signal);
      const res = s.mode === 'war' ? await this.#fetchResources(abort.signal) : [];
      if (abort.signal.aborted) return;
      this.state = s;
      this.resources = res;
      this.fetchedAt = Date.now();
    } catch (err) {
      if (abort.signal.aborted) return;
      if (isUnauthorized(err)) return this.#onsessionlost();
      console.warn('[onescreen] emergency state failed', (err as Error).message);
    } finally {
      if (this.#abort === abort) {
        this.#abort = null;
        if (this.#again) {
          this.#again = false;
          void this.#load();
        }
      }
    }
  }
}
