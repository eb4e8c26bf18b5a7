/**
 * The state of a NATS bus's link to its server, as typed events a link
 * supervisor can follow. The client's finer status reports (pings, cluster
 * updates) are folded into four states.
 *
 * @module
 */
import type { NatsClientStatus, NatsConnection } from "../deps.ts";
import type { Logger } from "../runtime/logger.ts";

/**
 * Where the link stands: `connected` to a server; `disconnected` after
 * losing it; `reconnecting` while dialling again; `closed` for good (by
 * `close()`, by `drain()`, or because the client gave up).
 */
export type NatsLinkStatus =
  | "connected"
  | "disconnected"
  | "reconnecting"
  | "closed";

/** A change of {@link NatsLinkStatus}. */
export interface NatsStatusEvent {
  /** The status moved to. */
  readonly status: NatsLinkStatus;
  /** The server connected to or lost, when the client names one. */
  readonly server?: string;
  /** Why the link closed, when it closed by itself. */
  readonly error?: Error;
}

/** A listener of link status changes. */
export type NatsStatusListener = (event: NatsStatusEvent) => void;

/** Holds the current link status and tells listeners when it changes. */
export class NatsStatus {
  #current: NatsLinkStatus = "connected";
  readonly #listeners = new Set<NatsStatusListener>();

  /** The status now. */
  get current(): NatsLinkStatus {
    return this.#current;
  }

  /** Adds a listener; the returned function removes it. */
  on(listener: NatsStatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Moves to `event.status` and tells every listener, unless the status
   * is already that one. Nothing leaves `closed`.
   */
  change(event: NatsStatusEvent): void {
    if (this.#current === "closed" || this.#current === event.status) return;
    this.#current = event.status;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the link carries on.
      }
    }
  }
}

/**
 * Follows the client's status reports until the connection closes,
 * turning them into changes of `status`. Server errors (such as refused
 * permissions) are logged at `warn`.
 */
export async function followConnection(
  connection: NatsConnection,
  status: NatsStatus,
  logger: Logger,
): Promise<void> {
  for await (const report of connection.status()) {
    const event = linkEvent(report);
    if (event) {
      logger.debug("nats link status", { ...event });
      status.change(event);
    } else if (report.type === "error") {
      logger.warn("nats server error", { error: report.error.message });
    }
  }
}

function linkEvent(report: NatsClientStatus): NatsStatusEvent | undefined {
  switch (report.type) {
    case "disconnect":
      return { status: "disconnected", server: report.server };
    case "reconnecting":
      return { status: "reconnecting" };
    case "reconnect":
      return { status: "connected", server: report.server };
    default:
      return undefined;
  }
}
