/**
 * @module web/state/listeners
 * A tiny typed publish/subscribe: several listeners per kind, each removed by the function its
 * `subscribe` returned. A listener that throws is logged and does not stop the others (one
 * broken panel must not silence the wall). No I/O, no runes: usable by any live or replayed source.
 *
 * @example
 * const bus = new Listeners<{ event: GridEvent; connection: ConnectionState }>();
 * const off = bus.subscribe('event', (e) => console.log(e.id));
 * bus.emit('event', e);
 * off();
 */
export class Listeners<M> {
  #by = new Map<keyof M, Set<(value: never) => void>>();

  /** Calls `fn` with every `kind` emitted from now on; returns the function that stops it. */
  subscribe<K extends keyof M>(kind: K, fn: (value: M[K]) => void): () => void {
    let set = this.#by.get(kind);
    if (!set) this.#by.set(kind, (set = new Set()));
    // the same function twice is two subscriptions: wrap it so each has its own identity
    const entry = (value: M[K]) => fn(value);
    set.add(entry as (value: never) => void);
    return () => {
      set.delete(entry as (value: never) => void);
    };
  }

  /** How many listeners `kind` has. */
  count<K extends keyof M>(kind: K): number {
    return this.#by.get(kind)?.size ?? 0;
  }

  /** Calls every listener of `kind`, in the order they subscribed. */
  emit<K extends keyof M>(kind: K, value: M[K]): void {
    const set = this.#by.get(kind);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (value: M[K]) => void)(value);
      } catch (err) {
        console.error(`[onescreen] a ${String(kind)} listener failed`, err);
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.#by.clear();
  }
}
