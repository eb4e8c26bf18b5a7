/**
 * Group commit: enqueues that arrive close together share one SQLite
 * transaction, and each enqueue's promise settles after that
 * transaction's commit. The bounds are applied here: the byte bound when
 * a message arrives (`reject`) or as its batch commits (`drop-oldest`),
 * and a full disk when a commit fails with SQLITE_FULL.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { Logger } from "../runtime/logger.ts";
import type { OutboxClock } from "./outbox_clock.ts";
import type { OutboxBound, OutboxDropReason } from "./outbox_events.ts";
import { OutboxFullError } from "./outbox_full_error.ts";
import type { ResolvedOutboxOptions } from "./outbox_options.ts";
import { isDiskFull } from "./outbox_database.ts";
import type { NewMessage, OutboxStore, Removed } from "./outbox_store.ts";

/** What the group commit needs from the outbox around it. */
export interface GroupCommitHooks {
  /** Messages up to this sequence number are with the link: keep them. */
  protectedThrough(): number;
  /** Runs before a batch is stamped (to notice clock jumps). */
  beforeCommit(): void;
  /** Runs after messages were stored. */
  committed(): void;
  /** Tells of messages dropped or refused. */
  dropped(reason: OutboxDropReason, bound: OutboxBound, removed: Removed): void;
}

interface PendingEnqueue {
  message: NewMessage;
  resolve(): void;
  reject(error: Error): void;
}

/** Room freed at first when the disk is full under `drop-oldest`. */
const DISK_ROOM_BYTES = 64 * 1024;
/** Attempts to make room on a full disk before refusing a message. */
const DISK_ATTEMPTS = 4;

/** Batches enqueues into transactions. */
export class GroupCommit {
  readonly #store: OutboxStore;
  readonly #clock: OutboxClock;
  readonly #options: ResolvedOutboxOptions;
  readonly #hooks: GroupCommitHooks;
  readonly #logger?: Logger;
  #batch: PendingEnqueue[] = [];
  #batchBytes = 0;
  #scheduled = false;
  #timer?: ReturnType<typeof setTimeout>;
  #unsavedRejections = 0;

  constructor(
    store: OutboxStore,
    clock: OutboxClock,
    options: ResolvedOutboxOptions,
    hooks: GroupCommitHooks,
  ) {
    this.#store = store;
    this.#clock = clock;
    this.#options = options;
    this.#hooks = hooks;
    this.#logger = options.logger;
  }

  /** Refusals counted but not yet written to the file. */
  get unsavedRejections(): number {
    return this.#unsavedRejections;
  }

  /** Enqueues waiting for their commit. */
  get pending(): number {
    return this.#batch.length;
  }

  /**
   * Adds a message to the next commit; resolves once it is committed.
   * Under `reject`, refuses it at once when it would not fit.
   */
  add(message: NewMessage): Promise<void> {
    const { maxBytes, whenFull } = this.#options;
    const wouldHold = this.#store.bytes + this.#batchBytes + message.size;
    if (whenFull === "reject" && wouldHold > maxBytes) {
      return Promise.reject(this.#refuse(message, "bytes"));
    }
    return new Promise((resolve, reject) => {
      this.#batch.push({ message, resolve, reject });
      this.#batchBytes += message.size;
      if (this.#batch.length >= this.#options.commitBatch) this.flush();
      else this.#schedule();
    });
  }

  /** Commits what is waiting now. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#scheduled = false;
    const batch = this.#batch;
    this.#batch = [];
    this.#batchBytes = 0;
    if (batch.length === 0 && this.#unsavedRejections === 0) return;
    this.#hooks.beforeCommit();
    let dropped: Removed | undefined;
    try {
      dropped = this.#store.transaction(() => this.#write(batch));
    } catch (error) {
      if (isDiskFull(error)) return this.#writeOneByOne(batch);
      this.#logger?.error("outbox commit failed", { error: reasonOf(error) });
      for (const pending of batch) pending.reject(enqueueError(pending, error));
      return;
    }
    this.#unsavedRejections = 0;
    if (dropped?.count) this.#hooks.dropped("oldest", "bytes", dropped);
    for (const pending of batch) pending.resolve();
    if (batch.length > 0) this.#hooks.committed();
  }

  // With no delay, the commit runs on the next turn of the event loop
  // (setTimeout would wait at least 1 ms, and 4 ms once nested).
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const delayMs = this.#options.commitDelayMs;
    if (delayMs > 0) {
      this.#timer = setTimeout(() => this.#scheduled && this.flush(), delayMs);
    } else {
      setImmediate(() => this.#scheduled && this.flush());
    }
  }

  #refuse(message: NewMessage, bound: "bytes" | "disk"): OutboxFullError {
    this.#unsavedRejections++;
    this.#hooks.dropped("rejected", bound, { count: 1, bytes: message.size });
    this.#schedule();
    return new OutboxFullError(message.subject, bound);
  }

  // Inside a transaction: counters, room under drop-oldest, then rows.
  #write(batch: PendingEnqueue[]): Removed | undefined {
    this.#store.count("rejected", this.#unsavedRejections);
    let dropped: Removed | undefined;
    const bytes = batch.reduce((sum, { message }) => sum + message.size, 0);
    const excess = this.#store.bytes + bytes - this.#options.maxBytes;
    if (this.#options.whenFull === "drop-oldest" && excess > 0) {
      dropped = this.#store.removeOldest(
        excess,
        this.#hooks.protectedThrough(),
      );
      this.#store.count("dropped_oldest", dropped.count);
    }
    if (batch.length === 0) return dropped;
    const stamp = this.#clock.stamp();
    for (const { message } of batch) this.#store.insert(message, stamp);
    this.#store.saveFloor(stamp);
    return dropped;
  }

  // The disk is full: each message on its own, so that each is either
  // stored or refused.
  #writeOneByOne(batch: PendingEnqueue[]): void {
    let stored = false;
    for (const pending of batch) {
      try {
        this.#writeOnFullDisk(pending);
        stored = true;
        pending.resolve();
      } catch (error) {
        pending.reject(error as Error);
      }
    }
    if (stored) this.#hooks.committed();
  }

  #writeOnFullDisk(pending: PendingEnqueue): void {
    for (let attempt = 0;; attempt++) {
      try {
        const dropped = this.#store.transaction(() => this.#write([pending]));
        this.#unsavedRejections = 0;
        if (dropped?.count) this.#hooks.dropped("oldest", "bytes", dropped);
        return;
      } catch (error) {
        if (!isDiskFull(error)) throw enqueueError(pending, error);
        const canDrop = this.#options.whenFull === "drop-oldest" &&
          attempt < DISK_ATTEMPTS;
        const room = Math.max(pending.message.size * 2, DISK_ROOM_BYTES) *
          4 ** attempt;
        if (!canDrop || this.#makeRoom(room).count === 0) {
          throw this.#refuse(pending.message, "disk");
        }
      }
    }
  }

  #makeRoom(bytes: number): Removed {
    const removed = this.#store.transaction(() => {
      const oldest = this.#store.removeOldest(
        bytes,
        this.#hooks.protectedThrough(),
      );
      this.#store.count("dropped_oldest", oldest.count);
      return oldest;
    });
    if (removed.count > 0) this.#hooks.dropped("oldest", "disk", removed);
    return removed;
  }
}

function enqueueError(pending: PendingEnqueue, error: unknown): Error {
  return new Error(
    `Cannot queue a message to "${pending.message.subject}": ` +
      reasonOf(error),
    { cause: error },
  );
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
