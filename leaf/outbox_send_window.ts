/**
 * The messages sent and not yet released: confirmations may arrive in
 * any order, but a message is released only once every message sent
 * before it is confirmed too.
 *
 * @module
 */

/** A message sent, as the window tracks it. */
export interface SentMessage {
  readonly seq: number;
  /** Bytes counted against the outbox's bound. */
  readonly size: number;
}

interface Entry extends SentMessage {
  confirmed: boolean;
}

/** Messages released by one confirmation, oldest first. */
export interface Released {
  count: number;
  bytes: number;
  /** The sequence number of the last one; 0 when none. */
  throughSeq: number;
}

// Released entries are cut off the array now and then, not one by one.
const COMPACT_AFTER = 1024;

/** Sent messages in send order, awaiting confirmation. */
export class SendWindow {
  #entries: Entry[] = [];
  #head = 0;

  /** Messages sent and not yet released. */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /** The oldest message not yet released, if any. */
  get first(): SentMessage | undefined {
    return this.#entries[this.#head];
  }

  /** Adds a message just sent; returns the token to confirm it with. */
  add(message: SentMessage): object {
    const entry = { ...message, confirmed: false };
    this.#entries.push(entry);
    return entry;
  }

  /**
   * Marks a message confirmed and releases the confirmed messages at the
   * head of the window.
   */
  confirm(token: object): Released {
    (token as Entry).confirmed = true;
    const released = { count: 0, bytes: 0, throughSeq: 0 };
    while (this.#head < this.#entries.length) {
      const first = this.#entries[this.#head];
      if (!first.confirmed) break;
      released.count++;
      released.bytes += first.size;
      released.throughSeq = first.seq;
      this.#head++;
    }
    if (this.#head > COMPACT_AFTER) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return released;
  }

  /** Forgets every message. */
  clear(): void {
    this.#entries = [];
    this.#head = 0;
  }
}
