/**
 * One subscription of the loopback bus: a queue of received messages
 * handed to the handler one at a time, after the publisher's turn.
 *
 * @module
 */
import type { BusMessage, MessageHandler, Subscription } from "./bus.ts";
import { assertMax } from "./bus_checks.ts";

/** What a subscription asks of the bus that made it. */
export interface SubscriptionOwner {
  /** Stop routing messages to the subscription. */
  detach(subscription: LoopbackSubscription): void;
  /** The subscription has ended and handles nothing more. */
  finished(subscription: LoopbackSubscription): void;
  /** The handler threw or rejected. */
  report(subscription: LoopbackSubscription, error: unknown): void;
}

type State = "open" | "draining" | "closed";

// A busy subscription yields to timers and I/O after this much work.
const SLICE_MS = 8;
const SLICE_CHECK_EVERY = 256;

// Handled messages are trimmed from the queue's front past this count.
const COMPACT_AFTER = 1024;

/** A subscription of `LoopbackBus`. */
export class LoopbackSubscription implements Subscription {
  readonly subject: string;
  readonly queue?: string;
  readonly closed: Promise<void>;
  #received = 0;
  #max?: number;
  #handler: MessageHandler;
  #owner: SubscriptionOwner;
  #state: State = "open";
  #messages: (BusMessage | undefined)[] = [];
  #head = 0;
  #pumping = false;
  #scheduled = false;
  #finish!: () => void;
  #pump = () => this.#handleQueued();

  constructor(
    subject: string,
    handler: MessageHandler,
    owner: SubscriptionOwner,
    queue?: string,
    max?: number,
  ) {
    this.subject = subject;
    if (queue !== undefined) this.queue = queue;
    this.#handler = handler;
    this.#owner = owner;
    this.#max = max;
    this.closed = new Promise((resolve) => this.#finish = resolve);
  }

  get received(): number {
    return this.#received;
  }

  /** Takes a message routed to this subscription. */
  enqueue(message: BusMessage): void {
    if (this.#state !== "open") return;
    this.#received++;
    this.#messages.push(message);
    if (this.#max !== undefined && this.#received >= this.#max) {
      this.#stopReceiving();
    }
    if (!this.#scheduled && !this.#pumping) {
      this.#scheduled = true;
      queueMicrotask(this.#pump);
    }
  }

  unsubscribe(max?: number): void {
    if (this.#state === "closed") return;
    if (max === undefined) return this.close();
    assertMax(max, `unsubscribe from "${this.subject}"`);
    this.#max = max;
    if (this.#received < max) return;
    this.#dropBeyond(max);
    this.#stopReceiving();
  }

  drain(): Promise<void> {
    if (this.#state === "open") this.#stopReceiving();
    return this.closed;
  }

  /** Ends at once, dropping whatever has not been handled. */
  close(): void {
    if (this.#state === "closed") return;
    if (this.#state === "open") this.#owner.detach(this);
    this.#state = "closed";
    this.#messages = [];
    this.#head = 0;
    this.#end();
  }

  #stopReceiving(): void {
    this.#owner.detach(this);
    this.#state = "draining";
    if (this.#isIdle()) this.#endDrained();
  }

  // Keeps only the first `max` messages ever received.
  #dropBeyond(max: number): void {
    const waiting = this.#messages.length - this.#head;
    const handled = this.#received - waiting;
    const allowed = Math.max(0, max - handled);
    this.#messages.length = this.#head + Math.min(waiting, allowed);
  }

  async #handleQueued(): Promise<void> {
    this.#scheduled = false;
    if (this.#pumping) return;
    this.#pumping = true;
    const started = performance.now();
    let handled = 0;
    try {
      while (this.#head < this.#messages.length && this.#state !== "closed") {
        const pending = this.#handle(this.#take());
        if (pending) await pending;
        if (++handled % SLICE_CHECK_EVERY === 0) {
          if (performance.now() - started > SLICE_MS) return this.#yield();
        }
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#state === "draining" && this.#isIdle()) this.#endDrained();
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

  // Returns a promise only when the handler did, so that synchronous
  // handlers run back to back without a turn of the microtask queue each.
  #handle(message: BusMessage): Promise<void> | undefined {
    let result: unknown;
    try {
      result = this.#handler(message);
    } catch (error) {
      this.#owner.report(this, error);
      return undefined;
    }
    if (!isThenable(result)) return undefined;
    return Promise.resolve(result).then(
      () => {},
      (error) => this.#owner.report(this, error),
    );
  }

  #yield(): void {
    this.#scheduled = true;
    setTimeout(this.#pump, 0);
  }

  #isIdle(): boolean {
    return !this.#pumping && !this.#scheduled &&
      this.#head === this.#messages.length;
  }

  #endDrained(): void {
    this.#state = "closed";
    this.#end();
  }

  #end(): void {
    this.#owner.finished(this);
    this.#finish();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}
