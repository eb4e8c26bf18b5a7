/**
 * What an outbox tells its listeners: drops, progress of a draining
 * backlog, failed sends and changes of state, as typed events.
 *
 * @module
 */

/**
 * Where the outbox stands: `detached` without a sender; `sending` while
 * messages are on their way; `idle` with a sender and nothing to send;
 * `retrying` while waiting to resend after a failure; `closed` for good.
 */
export type OutboxState =
  | "detached"
  | "sending"
  | "idle"
  | "retrying"
  | "closed";

/**
 * Why messages were dropped: `rejected` (refused at enqueue, the outbox
 * being full), `oldest` (discarded to make room under `drop-oldest`) or
 * `expired` (older than `maxAgeMs`).
 */
export type OutboxDropReason = "rejected" | "oldest" | "expired";

/** The bound that caused a drop. */
export type OutboxBound = "bytes" | "disk" | "age";

/** Messages left the outbox without being confirmed. */
export interface OutboxDropEvent {
  /** The kind of event. */
  readonly type: "drop";
  /** Why they were dropped. */
  readonly reason: OutboxDropReason;
  /** Which bound made them go. */
  readonly bound: OutboxBound;
  /** Messages dropped by this event. */
  readonly count: number;
  /** Their bytes, as the byte bound counts them. */
  readonly bytes: number;
  /** Messages dropped since the outbox was created, for every reason. */
  readonly dropped: number;
}

/**
 * A backlog is draining: sent every `progressIntervalMs` while more than
 * a window of messages waits.
 */
export interface OutboxProgressEvent {
  /** The kind of event. */
  readonly type: "progress";
  /** Messages still stored, confirmed ones not yet removed included. */
  readonly depth: number;
  /** Their bytes. */
  readonly bytes: number;
  /** Messages confirmed since the sender was attached. */
  readonly sent: number;
  /** Confirmations per second since the previous progress event. */
  readonly perSecond: number;
}

/**
 * Everything stored has been confirmed. Under live traffic this comes
 * after nearly every message; a CLI shows it after `progress` events.
 */
export interface OutboxDrainedEvent {
  /** The kind of event. */
  readonly type: "drained";
  /** Messages confirmed since the previous `drained` event. */
  readonly sent: number;
  /** Time since the first of them was sent, in ms. */
  readonly ms: number;
}

/** A send failed; sending resumes from the first unconfirmed message. */
export interface OutboxSendFailedEvent {
  /** The kind of event. */
  readonly type: "send_failed";
  /** What went wrong, naming the subject. */
  readonly error: Error;
  /** The outbox sequence number of the first unconfirmed message. */
  readonly resumeAt: number;
  /** When the next attempt is made, in ms. */
  readonly retryInMs: number;
}

/** The outbox moved to another state. */
export interface OutboxStateEvent {
  /** The kind of event. */
  readonly type: "state";
  /** The state now. */
  readonly state: OutboxState;
}

/**
 * The wall clock jumped (as when a device without a real-time clock gets
 * the time from NTP); stamps of messages enqueued before the jump in this
 * process were moved by `stepMs` so that their age stays right.
 */
export interface OutboxClockStepEvent {
  /** The kind of event. */
  readonly type: "clock_step";
  /** How far the wall clock moved, in ms (negative: set back). */
  readonly stepMs: number;
}

/** Any event of an outbox. */
export type OutboxEvent =
  | OutboxDropEvent
  | OutboxProgressEvent
  | OutboxDrainedEvent
  | OutboxSendFailedEvent
  | OutboxStateEvent
  | OutboxClockStepEvent;

/** A listener of outbox events. */
export type OutboxListener = (event: OutboxEvent) => void;

/** Holds listeners and tells each of them every event. */
export class OutboxEvents {
  readonly #listeners = new Set<OutboxListener>();

  /** Adds a listener; the returned function removes it. */
  on(listener: OutboxListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener; a listener that throws does not stop others. */
  emit(event: OutboxEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the outbox carries on.
      }
    }
  }
}
