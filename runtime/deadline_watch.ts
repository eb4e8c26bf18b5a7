/**
 * One coarse timer that stops every invocation past its deadline, instead
 * of a timer per invocation (which costs more than a short call itself).
 *
 * @module
 */

/** Something with a deadline that can be stopped. */
export interface Watched {
  /** `performance.now()` value past which it is stopped. */
  deadlineAt: number;
  /** Stops it; called once, from the timer. */
  expire(): void;
}

/** How often the watch looks at the running invocations, in ms. */
export const WATCH_PERIOD_MS = 25;

/** Expires watched items past their deadline, checking periodically. */
export class DeadlineWatch {
  readonly #items = new Set<Watched>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts watching an item. */
  add(item: Watched): void {
    this.#items.add(item);
    if (this.#timer === undefined) {
      const timer = setInterval(() => this.#sweep(), WATCH_PERIOD_MS);
      Deno.unrefTimer(timer as unknown as number);
      this.#timer = timer;
    }
  }

  /** Stops watching an item. */
  delete(item: Watched): void {
    this.#items.delete(item);
  }

  #sweep(): void {
    const now = performance.now();
    for (const item of this.#items) {
      if (now < item.deadlineAt) continue;
      this.#items.delete(item);
      item.expire();
    }
    if (this.#items.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
