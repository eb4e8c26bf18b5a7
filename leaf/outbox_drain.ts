/**
 * Sending the outbox: messages go to a sender in outbox order, with a
 * window of them awaiting confirmation. Confirmations may come back in
 * any order; a message is removed only once it and every message before
 * it are confirmed, and after a failure sending starts again from the
 * first unconfirmed message.
 *
 * @module
 */
import type { Logger } from "../runtime/logger.ts";
import type { OutboxEvents, OutboxState } from "./outbox_events.ts";
import type { ResolvedOutboxOptions } from "./outbox_options.ts";
import { SendWindow } from "./outbox_send_window.ts";
import type { OutboxMessage, OutboxSender } from "./outbox_sender.ts";
import type { OutboxStore, StoredMessage } from "./outbox_store.ts";

/** Rows read from the file at a time, and their bytes at most. */
const PAGE_ROWS = 256;
const PAGE_BYTES = 4 * 1024 * 1024;
/** Confirmed messages are removed in batches, this often, in ms. */
const SETTLE_DELAY_MS = 5;

/** The sending half of an outbox. */
export class OutboxDrain {
  readonly #store: OutboxStore;
  readonly #options: ResolvedOutboxOptions;
  readonly #events: OutboxEvents;
  readonly #logger?: Logger;
  #sender?: OutboxSender;
  #state: OutboxState = "detached";
  // Sends of an older generation were abandoned; their outcome is ignored.
  #generation = 0;
  #window = new SendWindow();
  #buffer: StoredMessage[] = [];
  #next = 0;
  #loadedThrough = 0;
  #sentThrough = 0;
  #confirmedThrough = 0;
  #unsettled = { count: 0, bytes: 0 };
  #failures = 0;
  #sentSinceDrained = 0;
  #sentSinceAttached = 0;
  #drainingSince = 0;
  #progress = { at: 0, sent: 0 };
  #settleTimer?: ReturnType<typeof setTimeout>;
  #retryTimer?: ReturnType<typeof setTimeout>;

  constructor(
    store: OutboxStore,
    options: ResolvedOutboxOptions,
    events: OutboxEvents,
  ) {
    this.#store = store;
    this.#options = options;
    this.#events = events;
    this.#logger = options.logger;
  }

  /** Where sending stands. */
  get state(): OutboxState {
    return this.#state;
  }

  /** Messages up to this sequence number are with the sender. */
  get protectedThrough(): number {
    return this.#sentThrough;
  }

  /** Messages sent and not yet confirmed. */
  get inFlight(): number {
    return this.#window.size;
  }

  /** Confirmed messages not yet removed from the file, and their bytes. */
  get unsettled(): { readonly count: number; readonly bytes: number } {
    return this.#unsettled;
  }

  /** Starts sending through `sender`, replacing any earlier sender. */
  start(sender: OutboxSender): void {
    if (this.#sender) this.stop();
    this.#sender = sender;
    this.#failures = 0;
    this.#sentSinceAttached = 0;
    this.#progress = { at: performance.now(), sent: 0 };
    this.#setState("sending");
    this.#pump();
  }

  /**
   * Stops sending. Messages in flight are abandoned: they are sent again
   * (and dropped by the hub as duplicates) when sending starts again.
   */
  stop(): void {
    this.#sender = undefined;
    this.#abandon();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.settle();
    if (this.#state !== "closed") this.#setState("detached");
  }

  /** New messages were stored. */
  wake(): void {
    if (this.#sender && this.#isSending()) this.#pump();
  }

  /**
   * Messages after {@link protectedThrough} were removed: forgets the ones
   * read ahead, so that they are read again (or not, when gone).
   */
  forgetReadAhead(): void {
    this.#buffer = [];
    this.#next = 0;
    this.#loadedThrough = this.#sentThrough;
  }

  /** Removes the confirmed messages from the file now. */
  settle(): void {
    clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
    if (this.#unsettled.count === 0) return;
    try {
      this.#store.transaction(() => {
        const removed = this.#store.removeThrough(this.#confirmedThrough);
        this.#store.count("sent", removed.count);
      });
      this.#unsettled = { count: 0, bytes: 0 };
    } catch (error) {
      // Kept for the next settle; a restart would resend them meanwhile.
      this.#logger?.warn("outbox removal failed", { error: reasonOf(error) });
      this.#scheduleSettle();
    }
  }

  /** Stops for good. */
  close(): void {
    this.stop();
    clearTimeout(this.#settleTimer);
    this.#setState("closed");
  }

  #pump(): void {
    const sender = this.#sender;
    while (sender && this.#isSending() && this.#hasRoom()) {
      let message: StoredMessage | undefined;
      try {
        message = this.#nextMessage();
      } catch (error) {
        return this.#fail(this.#generation, error);
      }
      if (!message) return this.#caughtUp();
      if (this.#sentSinceDrained === 0 && this.inFlight === 0) {
        this.#drainingSince = performance.now();
      }
      this.#setState("sending");
      this.#send(sender, message);
    }
  }

  #isSending(): boolean {
    return this.#state === "sending" || this.#state === "idle";
  }

  #hasRoom(): boolean {
    return this.#window.size < this.#options.window;
  }

  #nextMessage(): StoredMessage | undefined {
    if (this.#next >= this.#buffer.length) {
      this.#buffer = this.#store.load(
        this.#loadedThrough,
        PAGE_ROWS,
        PAGE_BYTES,
      );
      this.#next = 0;
      if (this.#buffer.length === 0) return undefined;
      this.#loadedThrough = this.#buffer[this.#buffer.length - 1].seq;
    }
    return this.#buffer[this.#next++];
  }

  #send(sender: OutboxSender, stored: StoredMessage): void {
    const token = this.#window.add(stored);
    this.#sentThrough = stored.seq;
    const generation = this.#generation;
    let sending: Promise<void>;
    try {
      sending = sender.publishConfirmed(outboxMessage(stored));
    } catch (error) {
      sending = Promise.reject(error);
    }
    sending.then(
      () => this.#confirm(generation, token),
      (error) => this.#fail(generation, error),
    );
  }

  #confirm(generation: number, token: object): void {
    if (generation !== this.#generation) return;
    this.#failures = 0;
    const released = this.#window.confirm(token);
    if (released.count === 0) return;
    this.#confirmedThrough = released.throughSeq;
    this.#unsettled.count += released.count;
    this.#unsettled.bytes += released.bytes;
    this.#sentSinceDrained += released.count;
    this.#sentSinceAttached += released.count;
    this.#scheduleSettle();
    this.#reportProgress();
    this.#pump();
  }

  #fail(generation: number, error: unknown): void {
    if (generation !== this.#generation || !this.#sender) return;
    const resumeAt = this.#window.first?.seq ?? this.#confirmedThrough + 1;
    this.#abandon();
    const { retryDelayMs, maxRetryDelayMs } = this.#options;
    const retryInMs = Math.min(
      maxRetryDelayMs,
      retryDelayMs * 2 ** this.#failures,
    );
    this.#failures++;
    this.#setState("retrying");
    const cause = error instanceof Error ? error : new Error(String(error));
    this.#events.emit({
      type: "send_failed",
      error: cause,
      resumeAt,
      retryInMs,
    });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#sender) return;
      this.#setState("sending");
      this.#pump();
    }, retryInMs);
  }

  // Forgets what is in flight and reads again from the first unconfirmed
  // message; confirmed ones stay counted for the next settle.
  #abandon(): void {
    this.#generation++;
    this.#window.clear();
    this.#buffer = [];
    this.#next = 0;
    this.#loadedThrough = this.#confirmedThrough;
    this.#sentThrough = this.#confirmedThrough;
  }

  #caughtUp(): void {
    if (this.inFlight > 0) return;
    this.settle();
    this.#setState("idle");
    if (this.#sentSinceDrained === 0) return;
    const sent = this.#sentSinceDrained;
    const ms = performance.now() - this.#drainingSince;
    this.#sentSinceDrained = 0;
    this.#events.emit({ type: "drained", sent, ms });
  }

  #scheduleSettle(): void {
    this.#settleTimer ??= setTimeout(() => this.settle(), SETTLE_DELAY_MS);
  }

  // Only a backlog (more than a window waiting) is reported: live
  // traffic that keeps the outbox nearly empty is not.
  #reportProgress(): void {
    const now = performance.now();
    const elapsed = now - this.#progress.at;
    if (elapsed < this.#options.progressIntervalMs) return;
    const depth = this.#store.depth - this.#unsettled.count;
    const sent = this.#sentSinceAttached;
    const perSecond = (sent - this.#progress.sent) / (elapsed / 1000);
    this.#progress = { at: now, sent };
    if (depth <= this.#options.window) return;
    this.#events.emit({
      type: "progress",
      depth,
      bytes: this.#store.bytes - this.#unsettled.bytes,
      sent,
      perSecond,
    });
  }

  // Moves between sending and idle, which alternate with every message
  // under live traffic, are not events; `drained` tells of the latter.
  #setState(state: OutboxState): void {
    const was = this.#state;
    if (was === state || was === "closed") return;
    this.#state = state;
    const alternating = (was === "idle" && state === "sending") ||
      (was === "sending" && state === "idle");
    if (!alternating) this.#events.emit({ type: "state", state });
  }
}

function outboxMessage(stored: StoredMessage): OutboxMessage {
  const message = {
    id: stored.id,
    seq: stored.seq,
    subject: stored.subject,
    payload: stored.payload,
  };
  if (stored.headersText === null) return message;
  return { ...message, headers: JSON.parse(stored.headersText) };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
