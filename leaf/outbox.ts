/**
 * Store and forward for messages bound upstream: each message is
 * committed to a SQLite file before its enqueue resolves, then sent in
 * order, with a stable `Nats-Msg-Id`, whenever a sender is attached, and
 * removed once the far side confirms it. docs/outbox.md states the
 * guarantees, the bounds and what to configure on the hub.
 *
 * @example
 * ```ts
 * const outbox = Outbox.open("/var/lib/trellis/outbox.db");
 * await outbox.enqueue("telemetry.barn1.temp", payload);
 * outbox.start(new NatsOutboxSender(natsBus));
 * ```
 *
 * @module
 */
import type { BusHeadersInit } from "../runtime/bus.ts";
import type { Logger } from "../runtime/logger.ts";
import { OutboxClock, systemClock } from "./outbox_clock.ts";
import { GroupCommit } from "./outbox_commit.ts";
import { OutboxDrain } from "./outbox_drain.ts";
import {
  type OutboxBound,
  type OutboxDropReason,
  OutboxEvents,
  type OutboxListener,
  type OutboxState,
} from "./outbox_events.ts";
import { newMessage } from "./outbox_message.ts";
import type { OutboxSender } from "./outbox_sender.ts";
import {
  type OutboxOptions,
  type ResolvedOutboxOptions,
  resolveOutboxOptions,
} from "./outbox_options.ts";
import { type NewMessage, OutboxStore, type Removed } from "./outbox_store.ts";

/** What an outbox holds and has done; counters survive restarts. */
export interface OutboxStatus {
  /** Messages stored and not yet confirmed. */
  depth: number;
  /** Their bytes, as the byte bound counts them. */
  bytes: number;
  /** Age of the oldest of them by its stamp, in ms; 0 when empty. */
  oldestAgeMs: number;
  /** Messages dropped since the outbox was created, for every reason. */
  dropped: number;
  /** The same, by reason. */
  drops: Readonly<Record<OutboxDropReason, number>>;
  /** Messages confirmed and removed since the outbox was created. */
  sent: number;
  /** Messages sent and awaiting confirmation. */
  inFlight: number;
  /** Enqueues waiting for their commit. */
  pending: number;
  /** Where sending stands. */
  state: OutboxState;
}

/** A durable queue of messages bound upstream. */
export class Outbox {
  /** The file the outbox lives in. */
  readonly path: string;
  readonly #options: ResolvedOutboxOptions;
  readonly #logger?: Logger;
  readonly #store: OutboxStore;
  readonly #clock: OutboxClock;
  readonly #events = new OutboxEvents();
  readonly #commit: GroupCommit;
  readonly #drain: OutboxDrain;
  readonly #sweeper: ReturnType<typeof setInterval>;
  #final?: OutboxStatus;

  private constructor(
    path: string,
    store: OutboxStore,
    options: ResolvedOutboxOptions,
  ) {
    this.path = path;
    this.#options = options;
    this.#logger = options.logger;
    this.#store = store;
    this.#clock = new OutboxClock(
      options.clock ?? systemClock,
      store.savedFloor,
    );
    this.#drain = new OutboxDrain(store, options, this.#events);
    this.#commit = new GroupCommit(store, this.#clock, options, {
      protectedThrough: () => this.#drain.protectedThrough,
      beforeCommit: () => this.#checkClock(),
      committed: () => this.#drain.wake(),
      dropped: (reason, bound, removed) =>
        this.#dropped(reason, bound, removed),
    });
    this.#sweep();
    this.#sweeper = setInterval(
      () => this.#sweep(),
      options.sweepIntervalMs,
    );
    Deno.unrefTimer(this.#sweeper as unknown as number);
  }

  /**
   * Opens the outbox in the SQLite file at `path`, creating it when
   * missing, and drops what expired meanwhile. Throws an Error naming the
   * path when the file cannot be opened or another process holds it, and
   * a TypeError or RangeError for a bad option.
   */
  static open(path: string, options: OutboxOptions = {}): Outbox {
    const resolved = resolveOutboxOptions(path, options);
    const store = OutboxStore.open(path, {
      sync: resolved.sync,
      maxFileBytes: resolved.maxFileBytes,
    });
    return new Outbox(path, store, resolved);
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#final !== undefined;
  }

  /**
   * Stores a message; resolves once it is committed to the file. A
   * `Nats-Msg-Id` header, if given, becomes the message's id; otherwise
   * the outbox makes one. Rejects with an `OutboxFullError` when the
   * outbox is full and refuses it, a TypeError for an invalid subject or
   * header, a RangeError for a message above `maxMessageBytes`, and an
   * Error when the outbox is closed or the file cannot be written.
   */
  enqueue(
    subject: string,
    payload: Uint8Array,
    headers?: BusHeadersInit,
  ): Promise<void> {
    if (this.closed) {
      return Promise.reject(
        new Error(
          `Cannot queue a message to "${subject}": the outbox is closed`,
        ),
      );
    }
    let message: NewMessage;
    try {
      message = newMessage(subject, payload, headers, this.#options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#commit.add(message);
  }

  /** Counts and state now. */
  status(): OutboxStatus {
    if (this.#final) return this.#final;
    const { counters } = this.#store;
    const drops = {
      rejected: counters.rejected + this.#commit.unsavedRejections,
      oldest: counters.dropped_oldest,
      expired: counters.expired,
    };
    const head = this.#store.headStamp();
    const unsettled = this.#drain.unsettled;
    return {
      depth: this.#store.depth - unsettled.count,
      bytes: this.#store.bytes - unsettled.bytes,
      oldestAgeMs: head === undefined
        ? 0
        : Math.max(0, this.#clock.now() - head),
      dropped: drops.rejected + drops.oldest + drops.expired,
      drops,
      sent: counters.sent + unsettled.count,
      inFlight: this.#drain.inFlight,
      pending: this.#commit.pending,
      state: this.#drain.state,
    };
  }

  /**
   * Sends stored messages through `sender` from now on (when the link
   * comes up), replacing any earlier sender. Throws when closed.
   */
  start(sender: OutboxSender): void {
    if (this.closed) {
      throw new Error(
        `Cannot start sending outbox "${this.path}": it is closed`,
      );
    }
    this.#sweep();
    this.#drain.start(sender);
  }

  /**
   * Stops sending (when the link goes down). Messages in flight are sent
   * again by the next sender.
   */
  stop(): void {
    if (!this.closed) this.#drain.stop();
  }

  /** Adds a listener of the outbox's events; returns its remover. */
  on(listener: OutboxListener): () => void {
    return this.#events.on(listener);
  }

  /**
   * Commits waiting enqueues, stops sending and closes the file.
   * Idempotent.
   */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    clearInterval(this.#sweeper);
    this.#drain.stop();
    this.#commit.flush();
    const final = this.status();
    this.#drain.close();
    this.#final = { ...final, state: "closed" };
    this.#store.close();
    return Promise.resolve();
  }

  #dropped(reason: OutboxDropReason, bound: OutboxBound, removed: Removed) {
    if (reason !== "rejected") this.#drain.forgetReadAhead();
    this.#events.emit({
      type: "drop",
      reason,
      bound,
      count: removed.count,
      bytes: removed.bytes,
      dropped: this.status().dropped,
    });
  }

  // Drops messages older than maxAgeMs, unless the wall clock reads
  // earlier than stamps already given (set back, or not set yet).
  #sweep(): void {
    this.#checkClock();
    if (this.#clock.behind) return;
    const cutoff = this.#clock.now() - this.#options.maxAgeMs;
    try {
      const removed = this.#store.transaction(() => {
        const expired = this.#store.removeExpired(
          cutoff,
          this.#drain.protectedThrough,
        );
        this.#store.count("expired", expired.count);
        return expired;
      });
      if (removed.count > 0) this.#dropped("expired", "age", removed);
    } catch (error) {
      this.#logger?.warn("outbox sweep failed", { error: reasonOf(error) });
    }
  }

  // A jump of the wall clock moves the stamps this process gave, so that
  // messages stamped before an NTP fix do not look days old after it.
  #checkClock(): void {
    const stepMs = this.#clock.takeStep();
    if (stepMs === 0) return;
    try {
      this.#store.transaction(() => {
        this.#store.shiftStamps(
          this.#store.firstSeqOfRun,
          stepMs,
          this.#clock.stepCap(stepMs),
        );
        this.#clock.applyStep(stepMs);
        this.#store.saveFloor(this.#clock.floor);
      });
    } catch (error) {
      this.#logger?.warn("outbox clock step not applied", {
        error: reasonOf(error),
        stepMs,
      });
      return;
    }
    this.#logger?.info("outbox clock step", { stepMs });
    this.#events.emit({ type: "clock_step", stepMs });
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
