/**
 * The in-process bus: every publish, subscription and request stays inside
 * this process. It carries all local traffic on a device without a NATS
 * server and follows the same contract as the NATS bus (runtime/bus.ts).
 *
 * @module
 */
import {
  type Bus,
  BusClosedError,
  type BusHeaders,
  type BusMessage,
  DEFAULT_MAX_PAYLOAD,
  type MessageHandler,
  NoRespondersError,
  type PublishOptions,
  type RequestOptions,
  RequestTimeoutError,
  type RespondOptions,
  type SubscribeOptions,
  type Subscription,
} from "./bus.ts";
import {
  assertMaxPayload,
  type CheckedMessage,
  checkPublish,
  checkRequest,
  checkSubscribe,
} from "./bus_checks.ts";
import { type Logger, silentLogger } from "./logger.ts";
import {
  LoopbackSubscription,
  type SubscriptionOwner,
} from "./loopback_subscription.ts";
import { SubscriptionIndex } from "./subscription_index.ts";

/** Options of {@link LoopbackBus}. */
export interface LoopbackBusOptions {
  /** Largest payload plus headers, in bytes; 1 MiB by default. */
  maxPayload?: number;
  /** Where failing handlers are reported (at `warn`). */
  logger?: Logger;
}

interface PendingRequest {
  subject: string;
  timer: ReturnType<typeof setTimeout>;
  resolve(message: BusMessage): void;
  reject(error: Error): void;
}

type State = "open" | "draining" | "closed";

/** A bus whose subscribers all live in this process. */
export class LoopbackBus implements Bus {
  readonly maxPayload: number;
  #logger: Logger;
  #state: State = "open";
  #index = new SubscriptionIndex<LoopbackSubscription>();
  #subscriptions = new Set<LoopbackSubscription>();
  #owner: SubscriptionOwner;
  #inbox?: { prefix: string; subscription: LoopbackSubscription };
  #pending = new Map<string, PendingRequest>();
  #nextToken = 0;
  #drained?: Promise<void>;

  constructor(options: LoopbackBusOptions = {}) {
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    assertMaxPayload(this.maxPayload);
    this.#logger = options.logger ?? silentLogger;
    this.#owner = {
      detach: (subscription) => this.#index.remove(subscription),
      finished: (subscription) => this.#subscriptions.delete(subscription),
      report: (subscription, error) => this.#report(subscription, error),
    };
  }

  publish(
    subject: string,
    payload: Uint8Array,
    options?: PublishOptions,
  ): void {
    if (this.#state === "closed") {
      throw new BusClosedError(`publish to "${subject}"`);
    }
    const checked = checkPublish(subject, payload, options, this.maxPayload);
    this.#route(subject, payload, checked);
  }

  subscribe(
    subject: string,
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Subscription {
    if (this.#state !== "open") {
      throw new BusClosedError(`subscribe to "${subject}"`, this.#state);
    }
    checkSubscribe(subject, handler, options);
    return this.#add(subject, handler, options.queue, options.max);
  }

  request(
    subject: string,
    payload: Uint8Array,
    options: RequestOptions,
  ): Promise<BusMessage> {
    const action = `request "${subject}"`;
    if (this.#state !== "open") {
      return Promise.reject(new BusClosedError(action, this.#state));
    }
    try {
      const checked = checkRequest(subject, payload, options, this.maxPayload);
      const token = (this.#nextToken++).toString(36);
      const reply = this.#inboxPrefix() + token;
      const message = { ...checked, reply };
      return this.#send(subject, payload, message, token, options.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  drain(): Promise<void> {
    if (this.#state === "closed") return Promise.resolve();
    this.#drained ??= this.#drainAll();
    return this.#drained;
  }

  close(): Promise<void> {
    if (this.#state === "closed") return Promise.resolve();
    this.#state = "closed";
    for (const subscription of [...this.#subscriptions]) subscription.close();
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new BusClosedError(`request "${pending.subject}"`));
    }
    this.#pending.clear();
    return Promise.resolve();
  }

  // Returns how many subscriptions the message reached.
  #route(
    subject: string,
    payload: Uint8Array,
    { reply, headers }: CheckedMessage,
  ): number {
    const { plain, groups } = this.#index.match(subject);
    const count = plain.length + groups.length;
    if (count === 0) return 0;
    const message = new LoopbackMessage(
      this,
      subject,
      payload.slice(),
      reply,
      headers,
    );
    for (const subscription of plain) subscription.enqueue(message);
    for (const members of groups) {
      members[Math.floor(Math.random() * members.length)].enqueue(message);
    }
    return count;
  }

  #send(
    subject: string,
    payload: Uint8Array,
    checked: CheckedMessage,
    token: string,
    timeoutMs: number,
  ): Promise<BusMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(token);
        reject(new RequestTimeoutError(subject, timeoutMs));
      }, timeoutMs);
      this.#pending.set(token, { subject, timer, resolve, reject });
      if (this.#route(subject, payload, checked) === 0) {
        clearTimeout(timer);
        this.#pending.delete(token);
        reject(new NoRespondersError(subject));
      }
    });
  }

  // One wildcard subscription receives the replies to every request.
  #inboxPrefix(): string {
    if (!this.#inbox) {
      const prefix = `_INBOX.${crypto.randomUUID().replaceAll("-", "")}.`;
      const subscription = this.#add(`${prefix}*`, (message) => {
        const token = message.subject.slice(prefix.length);
        const pending = this.#pending.get(token);
        if (!pending) return;
        this.#pending.delete(token);
        clearTimeout(pending.timer);
        pending.resolve(message);
      });
      this.#inbox = { prefix, subscription };
    }
    return this.#inbox.prefix;
  }

  #add(
    subject: string,
    handler: MessageHandler,
    queue?: string,
    max?: number,
  ): LoopbackSubscription {
    const subscription = new LoopbackSubscription(
      subject,
      handler,
      this.#owner,
      queue,
      max,
    );
    this.#subscriptions.add(subscription);
    this.#index.add(subscription);
    return subscription;
  }

  // Answers to pending requests still arrive while the others drain.
  async #drainAll(): Promise<void> {
    this.#state = "draining";
    const inbox = this.#inbox?.subscription;
    const others = [...this.#subscriptions].filter((sub) => sub !== inbox);
    await Promise.all(others.map((subscription) => subscription.drain()));
    await this.close();
  }

  #report(subscription: LoopbackSubscription, error: unknown): void {
    this.#logger.warn("subscriber failed", {
      subject: subscription.subject,
      queue: subscription.queue,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

class LoopbackMessage implements BusMessage {
  readonly reply?: string;
  readonly headers?: BusHeaders;
  #bus: Bus;

  constructor(
    bus: Bus,
    readonly subject: string,
    readonly payload: Uint8Array,
    reply: string | undefined,
    headers: BusHeaders | undefined,
  ) {
    this.#bus = bus;
    if (reply !== undefined) this.reply = reply;
    if (headers !== undefined) this.headers = headers;
  }

  respond(payload: Uint8Array, options?: RespondOptions): boolean {
    if (this.reply === undefined) return false;
    this.#bus.publish(this.reply, payload, options);
    return true;
  }
}
