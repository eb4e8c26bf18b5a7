/**
 * One subscription of the loopback bus: a queue of received messages
 * handed to the handler one at a time, after the publisher's turn.
 *
 * @module
 */
import type { BusMessage, MessageHandler, Subscription } from "./bus.ts";
import { assertMax } from "./bus_checks.ts";
import { SubscriptionQueue } from "./subscription_queue.ts";

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

/** A subscription of `LoopbackBus`. */
export class LoopbackSubscription implements Subscription {
  readonly subject: string;
  readonly queue?: string;
  readonly closed: Promise<void>;
  #received = 0;
  #max?: number;
  #owner: SubscriptionOwner;
  #state: State = "open";
  #queue: SubscriptionQueue;
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
    this.#owner = owner;
    this.#queue = new SubscriptionQueue(
      handler,
      (error) => owner.report(this, error),
    );
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
    this.#queue.push(message);
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
    this.#queue.keepFirst(max, this.#received);
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
    this.#queue.clear();
    this.#end();
  }

  #stopReceiving(): void {
    this.#owner.detach(this);
    this.#state = "draining";
    if (this.#isIdle()) this.#endDrained();
  }

  async #handleQueued(): Promise<void> {
    this.#scheduled = false;
    if (this.#pumping) return;
    this.#pumping = true;
    const started = performance.now();
    let handled = 0;
    try {
      while (this.#queue.size > 0 && this.#state !== "closed") {
        const pending = this.#queue.handleNext();
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

  #yield(): void {
    this.#scheduled = true;
    setTimeout(this.#pump, 0);
  }

  #isIdle(): boolean {
    return !this.#pumping && !this.#scheduled && this.#queue.size === 0;
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
