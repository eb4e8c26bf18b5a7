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
  /** Its place in the watch that holds it; the watch's own business. */
  watchIndex?: number;
}

/** How often the watch looks at the running invocations, in ms. */
export const WATCH_PERIOD_MS = 25;

/**
 * Expires watched items past their deadline, checking periodically. Items
 * sit in an array and remember their place in it, so adding and removing
 * one (twice per HTTP request) costs no hashing.
 */
export class DeadlineWatch {
  #items: Watched[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts watching an item (one watch at a time holds an item). */
  add(item: Watched): void {
    if (this.#holds(item)) return;
    item.watchIndex = this.#items.length;
    this.#items.push(item);
    if (this.#timer === undefined) {
      const timer = setInterval(() => this.#sweep(), WATCH_PERIOD_MS);
      Deno.unrefTimer(timer as unknown as number);
      this.#timer = timer;
    }
  }

  /** Stops watching an item. */
  delete(item: Watched): void {
    if (!this.#holds(item)) return;
    const place = item.watchIndex!;
    item.watchIndex = undefined;
    const last = this.#items.pop()!;
    if (last !== item) {
      this.#items[place] = last;
      last.watchIndex = place;
    }
  }

  #holds(item: Watched): boolean {
    const place = item.watchIndex;
    return place !== undefined && this.#items[place] === item;
  }

  #sweep(): void {
    const now = performance.now();
    for (const item of [...this.#items]) {
      if (now < item.deadlineAt || !this.#holds(item)) continue;
      this.delete(item);
      item.expire();
    }
    if (this.#items.length === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
