/**
 * @module web/state/wall-tasks
 * The active tasks of the wall's area (挂图作战), for its map layer and its task board: asked for
 * (`GET /api/v1/tasks?status=active`) when the area changes, when the task board comes up, and every
 * {@link TASK_POLL_MS}. The
 * last good answer is kept through errors, and its age says when it is too old to trust; a lost
 * session is reported once.
 */
import { fetchTasks, type Task, type TasksResponse } from '../api/tasks.ts';
import { isUnauthorized } from '../api/http.ts';

/** tasks change by the hour, not by the second: a minute is current enough for a wall */
export const TASK_POLL_MS = 60_000;

export class WallTasks {
  tasks = $state.raw<readonly Task[]>([]);
  coverage = $state.raw<TasksResponse['coverage'] | null>(null);
  /** local ms of the last good answer (0 before the first) */
  fetchedAt = $state(0);
  failed = $state(false);

  #areaId = '';
  #abort: AbortController | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #onsessionlost: () => void;
  readonly #fetch: typeof fetchTasks;

  constructor(onsessionlost: () => void, fetcher: typeof fetchTasks = fetchTasks) {
    this.#onsessionlost = onsessionlost;
    this.#fetch = fetcher;
  }

  /** Follows an area ('' for none yet): drops the previous area's tasks and asks at once. */
  watch(areaId: string): void {
    if (areaId === this.#areaId) return;
    this.#stop();
    this.#areaId = areaId;
    this.tasks = [];
    this.coverage = null;
    this.fetchedAt = 0;
    this.failed = false;
    if (!areaId) return;
    this.#timer = setInterval(() => void this.#load(), TASK_POLL_MS);
    void this.#load();
  }

  /** Asks again now (the task board has just come up): tasks may have changed within the minute. */
  refresh(): void {
    if (this.#areaId) void this.#load();
  }

  destroy(): void {
    this.#stop();
    this.#areaId = '';
  }

  #stop(): void {
    this.#abort?.abort();
    this.#abort = null;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  async #load(): Promise<void> {
    // one request at a time: a slow server is not asked again meanwhile
    if (this.#abort) return;
    const areaId = this.#areaId;
    const abort = (this.#abort = new AbortController());
    try {
      const r = await this.#fetch({ areaId, status: 'active', limit: 1000 }, abort.signal);
      if (abort.signal.aborted) return;
      this.tasks = r.tasks;
      this.coverage = r.coverage;
      this.fetchedAt = Date.now();
      this.failed = false;
    } catch (err) {
      if (abort.signal.aborted) return;
      if (isUnauthorized(err)) return this.#onsessionlost();
      if (!this.failed) console.warn('[onescreen] tasks failed', (err as Error).message);
      this.failed = true;
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
  }
}
