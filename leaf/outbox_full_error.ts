/**
 * The error a publisher sees when the outbox refuses a message because
 * it is full.
 *
 * @module
 */

/**
 * Which limit was reached: the outbox's byte bound, or the disk (or the
 * database's size limit, which SQLite reports the same way).
 */
export type OutboxFullCause = "bytes" | "disk";

/**
 * The outbox is full and its policy is `reject` (or, under
 * `drop-oldest`, nothing was left to drop). The message was not stored;
 * the publisher may try again later.
 */
export class OutboxFullError extends Error {
  /** Always `"OutboxFullError"`. */
  override name = "OutboxFullError";

  /** An error for a message to `subject` refused because of `bound`. */
  constructor(
    /** The subject of the refused message. */
    readonly subject: string,
    /** The limit that was reached. */
    readonly bound: OutboxFullCause,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot queue a message to "${subject}": ` +
        (bound === "bytes"
          ? "the outbox is full"
          : "the disk holding the outbox is full"),
      options,
    );
  }
}
