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
import { SubscriptionQueue } from "../runtime/subscription_queue.ts";

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
  #owner: NatsSubscriptionOwner;
  #natsSubscription: NatsSubscription;
  // Messages are taken until the client's subscription ends or `max` is
  // reached; the subscription ends once the last of them is handled.
  #accepting = true;
  #ended = false;
  #queue: SubscriptionQueue;
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
    this.#owner = owner;
    this.#queue = new SubscriptionQueue(
      handler,
      (error) => owner.report(this, error),
    );
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
    this.#queue.keepFirst(max, this.#received);
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
    this.#queue.clear();
    this.#end();
  }

  #receive(error: Error | null, message: NatsMsg): void {
    if (error) {
      this.#owner.refused(this, error);
      return this.close();
    }
    if (!this.#accepting) return;
    this.#received++;
    this.#queue.push(this.#owner.wrap(message));
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
    if (!this.#pumping && this.#queue.size === 0) this.#end();
  }

  #natsUnsubscribe(max?: number): void {
    if (this.#natsSubscription.isClosed()) return;
    try {
      this.#natsSubscription.unsubscribe(max);
    } catch {
      // The connection is closing; the server forgets the subscription.
    }
  }

  async #pump(): Promise<void> {
    try {
      while (this.#queue.size > 0 && !this.#ended) {
        const pending = this.#queue.handleNext();
        if (pending) await pending;
      }
    } finally {
      this.#pumping = false;
    }
    if (!this.#accepting) this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#owner.finished(this);
    this.#finish();
  }
}
