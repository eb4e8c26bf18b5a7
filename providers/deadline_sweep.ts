/**
 * A time limit shared by many short tasks, enforced by one coarse timer
 * instead of a timer per task (a timer per HTTP request is a measurable
 * share of its cost).
 *
 * @module
 */

import { DeadlineWatch } from "../runtime/deadline_watch.ts";

/**
 * Races tasks against one fixed limit, watched by the runtime's coarse
 * deadline timer. A task that runs past `limitMs` loses within `limitMs`
 * plus one watch period; its eventual result is dropped.
 */
export class DeadlineSweep {
  readonly limitMs: number;
  readonly #watch = new DeadlineWatch();

  constructor(limitMs: number) {
    this.limitMs = limitMs;
  }

  /**
   * Resolves with the task's outcome, or with what `timedOut` returns
   * once the limit passes first.
   */
  run<T>(task: Promise<T>, timedOut: () => T): Promise<T> {
    return new Promise((resolve, reject) => {
      const watched = {
        deadlineAt: performance.now() + this.limitMs,
        expire: () => resolve(timedOut()),
      };
      this.#watch.add(watched);
      task.then((value) => {
        this.#watch.delete(watched);
        resolve(value);
      }, (error) => {
        this.#watch.delete(watched);
        reject(error);
      });
    });
  }
}
