/**
 * How `trellis up` hears the signals it obeys: SIGINT and SIGTERM stop
 * it, SIGHUP asks for a reload, which waits until the host can act on it.
 *
 * @module
 */

/** Reload requests, kept until something can act on them. */
export class ReloadRequests {
  #action?: () => void;
  #missed = false;

  /** Asks for a reload, now or as soon as one can run. */
  request(): void {
    if (this.#action) this.#action();
    else this.#missed = true;
  }

  /** Sets what a reload does, running one asked for meanwhile. */
  connect(action: () => void): void {
    this.#action = action;
    if (this.#missed) action();
    this.#missed = false;
  }
}

/** The signals `up` listens to. */
export interface Signals {
  /** Resolves with the name of the first SIGINT or SIGTERM. */
  stopped: Promise<string>;
  /** Stops listening. */
  close(): void;
}

// Taking SIGHUP also keeps it from ending the process, its default.
export function listenForSignals(onHangUp: () => void): Signals {
  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((resolve) => stop = resolve);
  const listeners = [
    ["SIGINT", () => stop("SIGINT")],
    ["SIGTERM", () => stop("SIGTERM")],
    ["SIGHUP", onHangUp],
  ] as const;
  for (const [signal, listener] of listeners) {
    Deno.addSignalListener(signal, listener);
  }
  return {
    stopped,
    close() {
      for (const [signal, listener] of listeners) {
        Deno.removeSignalListener(signal, listener);
      }
    },
  };
}
