/**
 * A time limit shared by many short tasks, enforced by one coarse timer
 * instead of a timer per task (a timer per HTTP request is a measurable
 * share of its cost).
 *
 * @module
 */

/** What `DeadlineSweep.run` resolves with when the limit passes first. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

interface Pending {
  deadline: number;
  expire(): void;
}

/**
 * Races tasks against one fixed limit. A task that runs past `limitMs`
 * loses within `limitMs` plus a tenth of it (at least 5 ms, at most 1 s);
 * its eventual result is dropped. The timer runs only while a task is
 * pending.
 */
export class DeadlineSweep {
  readonly limitMs: number;
  readonly #tickMs: number;
  // Insertion order is deadline order: every task gets the same limit.
  readonly #pending = new Set<Pending>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(limitMs: number) {
    this.limitMs = limitMs;
    this.#tickMs = Math.min(1000, Math.max(5, Math.ceil(limitMs / 10)));
  }

  /** Resolves with the task's outcome, or `TIMED_OUT` past the limit. */
  run<T>(task: Promise<T>): Promise<T | typeof TIMED_OUT> {
    const { promise, resolve, reject } = Promise.withResolvers<
      T | typeof TIMED_OUT
    >();
    const pending: Pending = {
      deadline: performance.now() + this.limitMs,
      expire: () => resolve(TIMED_OUT),
    };
    this.#add(pending);

    task.then(resolve, reject).finally(() => this.#remove(pending));
    return promise;
  }

  #add(pending: Pending) {
    this.#pending.add(pending);
    this.#timer ??= setInterval(() => this.#sweep(), this.#tickMs);
  }

  #remove(pending: Pending) {
    this.#pending.delete(pending);
    if (this.#pending.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  #sweep() {
    const now = performance.now();
    for (const pending of this.#pending) {
      if (pending.deadline > now) break;
      this.#remove(pending);
      pending.expire();
    }
  }
}
