/**
 * Ends a test run that stops making progress, naming the test file that
 * hangs, so CI fails clearly instead of waiting for its own timeout. The
 * countdown runs in a worker, because a hang may be the main thread
 * spinning in a guest.
 */

/** What the main thread tells the watchdog's worker. */
export interface WatchdogMessage {
  /** What runs now, as it should appear in the report. */
  running: string;
  /** How long `running` may take before the run is ended. */
  limitMs: number;
}

/** A countdown, restarted by every step of the run. */
export class Watchdog {
  readonly #worker = new Worker(
    new URL("./watchdog_worker.ts", import.meta.url),
    { type: "module" },
  );

  constructor(readonly limitMs: number) {}

  /** Restarts the countdown for the next step of the run. */
  progress(running: string): void {
    this.#post({ running, limitMs: this.limitMs });
  }

  /** Stops the countdown for good. */
  stop(): void {
    this.#worker.terminate();
  }

  #post(message: WatchdogMessage): void {
    this.#worker.postMessage(message);
  }
}
