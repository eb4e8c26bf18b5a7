/**
 * The messages a subscription has received and not yet handled, and how
 * each reaches the handler: every bus keeps one per subscription, so that
 * its handler sees one message at a time.
 *
 * @module
 */
import type { BusMessage, MessageHandler } from "./bus.ts";

// Handled messages are trimmed from the queue's front past this count.
const COMPACT_AFTER = 1024;

/** A subscription's waiting messages, handed to its handler in order. */
export class SubscriptionQueue {
  #messages: (BusMessage | undefined)[] = [];
  #head = 0;
  #handler: MessageHandler;
  #report: (error: unknown) => void;

  /** `report` hears what the handler throws or rejects with. */
  constructor(handler: MessageHandler, report: (error: unknown) => void) {
    this.#handler = handler;
    this.#report = report;
  }

  /** How many messages wait. */
  get size(): number {
    return this.#messages.length - this.#head;
  }

  /** Adds a message at the end. */
  push(message: BusMessage): void {
    this.#messages.push(message);
  }

  /** Drops every waiting message. */
  clear(): void {
    this.#messages = [];
    this.#head = 0;
  }

  /**
   * Keeps only the first `max` messages of the `received` ever pushed:
   * those handled already count.
   */
  keepFirst(max: number, received: number): void {
    const waiting = this.size;
    const allowed = Math.max(0, max - (received - waiting));
    this.#messages.length = this.#head + Math.min(waiting, allowed);
  }

  /**
   * Hands the first waiting message to the handler. Returns a promise only
   * when the handler did, so that synchronous handlers run back to back
   * without a turn of the microtask queue each.
   */
  handleNext(): Promise<void> | undefined {
    const message = this.#take();
    let result: unknown;
    try {
      result = this.#handler(message);
    } catch (error) {
      this.#report(error);
      return undefined;
    }
    if (!isThenable(result)) return undefined;
    return Promise.resolve(result).then(
      () => {},
      (error) => this.#report(error),
    );
  }

  #take(): BusMessage {
    const message = this.#messages[this.#head]!;
    this.#messages[this.#head++] = undefined;
    if (this.#head === this.#messages.length) {
      this.#messages.length = 0;
      this.#head = 0;
    } else if (
      this.#head > COMPACT_AFTER && this.#head * 2 > this.#messages.length
    ) {
      this.#messages.splice(0, this.#head);
      this.#head = 0;
    }
    return message;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}
