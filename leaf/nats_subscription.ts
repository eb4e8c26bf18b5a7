/**
 * One subscription of the NATS bus. The client hands over each message as
 * it is read from the socket; this keeps them in a queue and gives them to
 * the handler one at a time, waiting for the promise it returns.
 *
 * @module
 */
import type { NatsMsg, NatsSubscription } from "../deps.ts";
import type {
  BusMessage,
  MessageHandler,
  Subscription,
} from "../runtime/bus.ts";
import { assertMax } from "../runtime/bus_checks.ts";

// Handled messages are trimmed from the queue's front past this count.
const COMPACT_AFTER = 1024;

/** What a subscription asks of the bus that made it. */
export interface NatsSubscriptionOwner {
  /** Turns a received NATS message into a bus message. */
  wrap(message: NatsMsg): BusMessage;
  /** The handler threw or rejected. */
  report(subscription: NatsBusSubscription, error: unknown): void;
  /** The server refused the subscription (a permission, typically). */
  refused(subscription: NatsBusSubscription, error: Error): void;
  /** The subscription has ended and handles nothing more. */
  finished(subscription: NatsBusSubscription): void;
}

/** Subscribes on the client, routing its messages to `callback`. */
export type NatsSubscribe = (
  callback: (error: Error | null, message: NatsMsg) => void,
) => NatsSubscription;

/** A subscription of `NatsBus`. */
export class NatsBusSubscription implements Subscription {
  readonly subject: string;
  readonly queue?: string;
  readonly closed: Promise<void>;
  #received = 0;
  #max?: number;
  #handler: MessageHandler;
  #owner: NatsSubscriptionOwner;
  #natsSubscription: NatsSubscription;
  // Messages are taken until the client's subscription ends or `max` is
  // reached; the subscription ends once the last of them is handled.
  #accepting = true;
  #ended = false;
  #messages: BusMessage[] = [];
  #head = 0;
  #pumping = false;
  #finish!: () => void;

  constructor(
    subject: string,
    handler: MessageHandler,
    owner: NatsSubscriptionOwner,
    subscribe: NatsSubscribe,
    queue?: string,
    max?: number,
  ) {
    this.subject = subject;
    if (queue !== undefined) this.queue = queue;
    this.#handler = handler;
    this.#owner = owner;
    this.#max = max;
    this.closed = new Promise((resolve) => this.#finish = resolve);
    this.#natsSubscription = subscribe((error, message) =>
      this.#receive(error, message)
    );
    this.#natsSubscription.closed.then(() => this.#stopAccepting());
  }

  get received(): number {
    return this.#received;
  }

  unsubscribe(max?: number): void {
    if (this.#ended) return;
    if (max === undefined) return this.close();
    assertMax(max, `unsubscribe from "${this.subject}"`);
    this.#max = max;
    if (this.#received < max) {
      this.#natsUnsubscribe(max);
      return;
    }
    this.#dropBeyond(max);
    this.#natsUnsubscribe();
    this.#stopAccepting();
  }

  /**
   * Unsubscribes at the server and waits for its answer, handling what
   * arrives until then: on NATS, "already received" includes messages the
   * server sent before it saw the unsubscribe.
   */
  drain(): Promise<void> {
    if (this.#ended || !this.#accepting) return this.closed;
    if (this.#natsSubscription.isClosed()) {
      this.#stopAccepting();
    } else {
      this.#natsSubscription.drain().catch(() => this.#stopAccepting());
    }
    return this.closed;
  }

  /** Ends at once, dropping whatever has not been handled. */
  close(): void {
    if (this.#ended) return;
    this.#natsUnsubscribe();
    this.#accepting = false;
    this.#messages = [];
    this.#head = 0;
    this.#end();
  }

  #receive(error: Error | null, message: NatsMsg): void {
    if (error) {
      this.#owner.refused(this, error);
      return this.close();
    }
    if (!this.#accepting) return;
    this.#received++;
    this.#messages.push(this.#owner.wrap(message));
    // The client unsubscribes by itself once it has delivered `max`.
    if (this.#max !== undefined && this.#received >= this.#max) {
      this.#stopAccepting();
    }
    if (!this.#pumping) {
      this.#pumping = true;
      queueMicrotask(() => this.#pump());
    }
  }

  #stopAccepting(): void {
    this.#accepting = false;
    if (!this.#pumping && this.#head === this.#messages.length) this.#end();
  }

  #natsUnsubscribe(max?: number): void {
    if (this.#natsSubscription.isClosed()) return;
    try {
      this.#natsSubscription.unsubscribe(max);
    } catch {
      // The connection is closing; the server forgets the subscription.
    }
  }

  // Keeps only the first `max` messages ever received.
  #dropBeyond(max: number): void {
    const waiting = this.#messages.length - this.#head;
    const handled = this.#received - waiting;
    const allowed = Math.max(0, max - handled);
    this.#messages.length = this.#head + Math.min(waiting, allowed);
  }

  async #pump(): Promise<void> {
    try {
      while (this.#head < this.#messages.length && !this.#ended) {
        const pending = this.#handle(this.#take());
        if (pending) await pending;
      }
    } finally {
      this.#pumping = false;
    }
    if (!this.#accepting) this.#end();
  }

  #take(): BusMessage {
    const message = this.#messages[this.#head++];
    if (this.#head === this.#messages.length) {
      this.#messages = [];
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
  // handlers run back to back.
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

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#owner.finished(this);
    this.#finish();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}
