/**
 * @module server/services/concurrency
 * A bounded queue in front of expensive work (password hashing: 128 MiB and a third of a second
 * each, on libuv's four threads that file reads share). At most `limit` run at once and at most
 * `queue` wait; past that the work is refused at once, so a flood of sign-ins can neither stall
 * the rest of the server nor pile up without end.
 */
export class Busy extends Error {
  constructor() {
    super('busy');
  }
}

export class BoundedConcurrency {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly queue: number,
  ) {}

  /** runs `work` when a place is free; rejects with {@link Busy} when the queue is full */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.queue) throw new Busy();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the place passes straight to the next in line
      else this.running -= 1;
    }
  }

  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
