/**
 * A subscription of the link bus: one on the loopback bus, always, and
 * one on NATS while a connection exists. Messages from both reach the
 * handler one at a time, in the order each bus delivers them.
 *
 * @module
 */
import type {
  Bus,
  BusMessage,
  MessageHandler,
  Subscription,
} from "../runtime/bus.ts";
import { assertMax } from "../runtime/bus_checks.ts";

/** How a link subscription tells its bus it has ended. */
export type LinkSubscriptionDone = (subscription: LinkSubscription) => void;

/** One subscription across the loopback bus and, when up, NATS. */
export class LinkSubscription implements Subscription {
  readonly subject: string;
  readonly queue?: string;
  readonly closed: Promise<void>;
  #handler: MessageHandler;
  #max?: number;
  #received = 0;
  #local: Subscription;
  #remote?: Subscription;
  #tail: Promise<unknown> = Promise.resolve();
  #ended = false;
  #end!: () => void;
  #done: LinkSubscriptionDone;

  constructor(
    local: Bus,
    subject: string,
    handler: MessageHandler,
    options: { queue?: string; max?: number },
    done: LinkSubscriptionDone,
  ) {
    assertMax(options.max, `subscribe to "${subject}"`);
    this.subject = subject;
    this.queue = options.queue;
    this.#handler = handler;
    this.#max = options.max;
    this.#done = done;
    this.closed = new Promise((resolve) => this.#end = resolve);
    this.#local = local.subscribe(subject, this.#deliver, {
      queue: options.queue,
    });
  }

  /** Messages handed to this subscription so far, from either bus. */
  get received(): number {
    return this.#received;
  }

  /** Adds the NATS side, once a connection exists. */
  attach(remote: Bus): void {
    if (this.#ended || this.#remote) return;
    this.#remote = remote.subscribe(this.subject, this.#deliver, {
      queue: this.queue,
    });
  }

  /** Forgets the NATS side (its connection is gone for good). */
  detach(): void {
    this.#remote?.unsubscribe();
    this.#remote = undefined;
  }

  unsubscribe(max?: number): void {
    if (this.#ended) return;
    assertMax(max, `unsubscribe from "${this.subject}"`);
    if (max !== undefined && max > this.#received) {
      this.#max = max;
      return;
    }
    this.#finish();
    this.#local.unsubscribe();
    this.#remote?.unsubscribe();
  }

  async drain(): Promise<void> {
    if (this.#ended) return await this.closed;
    await Promise.all([this.#local.drain(), this.#remote?.drain()]);
    await this.#tail.catch(() => {});
    this.#finish();
  }

  // Serialises deliveries from both buses, so the handler sees one
  // message at a time as the bus contract promises.
  #deliver = (message: BusMessage): Promise<unknown> | undefined => {
    if (this.#ended) return undefined;
    this.#received++;
    if (this.#max !== undefined && this.#received >= this.#max) {
      queueMicrotask(() => this.unsubscribe());
    }
    const run = this.#tail.then(() => this.#handler(message));
    this.#tail = run.catch(() => {});
    return run;
  };

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#done(this);
    this.#end();
  }
}
