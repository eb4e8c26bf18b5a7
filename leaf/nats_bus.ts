/**
 * The bus over a NATS connection: the contract of runtime/bus.ts carried
 * by a NATS server, so that hosts on different machines share subjects.
 * `connectNatsBus` dials and authenticates; docs/bus.md lists where NATS
 * shows through.
 *
 * @module
 */
import {
  loadNats,
  type NatsClient,
  type NatsConnection,
  type NatsMsg,
  type NatsMsgHdrs,
} from "../deps.ts";
import {
  type Bus,
  BusClosedError,
  type BusMessage,
  DEFAULT_MAX_PAYLOAD,
  type MessageHandler,
  NoRespondersError,
  type PublishOptions,
  type RequestOptions,
  RequestTimeoutError,
  type SubscribeOptions,
  type Subscription,
} from "../runtime/bus.ts";
import {
  type CheckedMessage,
  checkPublish,
  checkRequest,
  checkSubscribe,
} from "../runtime/bus_checks.ts";
import { type Logger, silentLogger } from "../runtime/logger.ts";
import { NatsBusMessage, toNatsHeaders } from "./nats_message.ts";
import { type NatsBusOptions, natsConnectionOptions } from "./nats_options.ts";
import { connectGuarded } from "./nats_transport.ts";
import {
  followConnection,
  type NatsLinkStatus,
  NatsStatus,
  type NatsStatusListener,
} from "./nats_status.ts";
import {
  NatsBusSubscription,
  type NatsSubscriptionOwner,
} from "./nats_subscription.ts";

/**
 * Connects to a NATS server and returns a bus over the connection. Loads
 * the NATS client on first use. Rejects with an Error naming the servers
 * and the client's reason (refused, authorization, TLS) when the first
 * connection fails.
 */
export async function connectNatsBus(
  options: NatsBusOptions,
): Promise<NatsBus> {
  const client = await loadNats();
  const connectionOptions = await natsConnectionOptions(options, client);
  let connection: NatsConnection;
  try {
    connection = await connectGuarded(client, connectionOptions);
  } catch (error) {
    const servers = options.servers.map((server) => `"${server}"`).join(", ");
    throw new Error(`Cannot connect to NATS at ${servers}: ${reason(error)}`, {
      cause: error,
    });
  }
  return new NatsBus(connection, client, { logger: options.logger });
}

/** Options of the {@link NatsBus} constructor. */
export interface NatsBusInit {
  /** Where failing handlers and server errors are reported (at `warn`). */
  logger?: Logger;
}

type State = "open" | "draining" | "closed";

interface PendingRequest {
  subject: string;
  reject(error: Error): void;
}

/**
 * A bus over a NATS connection, which it owns: closing the bus closes the
 * connection. Build it with {@link connectNatsBus}, or over a connection
 * made elsewhere with the client module from `loadNats()`.
 */
export class NatsBus implements Bus {
  #connection: NatsConnection;
  #client: NatsClient;
  #logger: Logger;
  #state: State = "open";
  #status = new NatsStatus();
  #subscriptions = new Set<NatsBusSubscription>();
  #pending = new Set<PendingRequest>();
  #owner: NatsSubscriptionOwner;
  #maxPayload: number;
  #drained?: Promise<void>;
  #closing?: Promise<void>;

  /**
   * Takes over `connection`; `client` is the module it came from (for
   * headers and error classes).
   */
  constructor(
    connection: NatsConnection,
    client: NatsClient,
    init: NatsBusInit = {},
  ) {
    this.#connection = connection;
    this.#client = client;
    this.#logger = init.logger ?? silentLogger;
    this.#maxPayload = connection.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    this.#owner = {
      wrap: (message) => this.#wrap(message),
      report: (subscription, error) => this.#report(subscription, error),
      refused: (subscription, error) => this.#refused(subscription, error),
      finished: (subscription) => this.#subscriptions.delete(subscription),
    };
    followConnection(connection, this.#status, this.#logger).catch(() => {});
    connection.closed().then((error) => this.#lost(error));
  }

  /** The server's `max_payload`, as it announced it on connecting. */
  get maxPayload(): number {
    return this.#connection.info?.max_payload ?? this.#maxPayload;
  }

  /** The link's state now; {@link onStatus} tells of changes. */
  get status(): NatsLinkStatus {
    return this.#status.current;
  }

  /** Adds a listener of link status changes; returns its remover. */
  onStatus(listener: NatsStatusListener): () => void {
    return this.#status.on(listener);
  }

  /** `host:port` of the server connected to; `""` while disconnected. */
  get server(): string {
    return this.#connection.getServer();
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
    this.#publish(`publish to "${subject}"`, subject, payload, checked);
  }

  subscribe(
    subject: string,
    handler: MessageHandler,
    options: SubscribeOptions = {},
  ): Subscription {
    const action = `subscribe to "${subject}"`;
    if (this.#state !== "open") throw new BusClosedError(action, this.#state);
    checkSubscribe(subject, handler, options);
    const { queue, max } = options;
    let subscription: NatsBusSubscription;
    try {
      subscription = new NatsBusSubscription(
        subject,
        handler,
        this.#owner,
        (callback) =>
          this.#connection.subscribe(subject, { queue, max, callback }),
        queue,
        max,
      );
    } catch (error) {
      throw this.#clientError(action, error);
    }
    this.#subscriptions.add(subscription);
    return subscription;
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
      return this.#send(subject, payload, checked, options.timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Resolves once the server has processed everything sent so far, such
   * as a subscription another connection is about to publish to.
   */
  async flush(): Promise<void> {
    if (this.#state === "closed") throw new BusClosedError("flush");
    await this.#connection.flush();
  }

  drain(): Promise<void> {
    if (this.#state === "closed") return this.#closing ?? Promise.resolve();
    this.#drained ??= this.#drainAll();
    return this.#drained;
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#end();
    this.#closing = this.#connection.close().catch(() => {});
    return this.#closing;
  }

  #publish(
    action: string,
    subject: string,
    payload: Uint8Array,
    { reply, headers }: CheckedMessage,
  ): void {
    try {
      // The client keeps the bytes until it writes them out: copy them.
      this.#connection.publish(subject, payload.slice(), {
        reply,
        headers: this.#natsHeaders(headers),
      });
    } catch (error) {
      throw this.#clientError(action, error);
    }
  }

  #send(
    subject: string,
    payload: Uint8Array,
    { headers }: CheckedMessage,
    timeoutMs: number,
  ): Promise<BusMessage> {
    return new Promise((resolve, reject) => {
      const pending = { subject, reject };
      this.#pending.add(pending);
      this.#connection.request(subject, payload.slice(), {
        timeout: timeoutMs,
        headers: this.#natsHeaders(headers),
      }).then(
        (message) => resolve(this.#wrap(message)),
        (error) => reject(this.#requestError(subject, timeoutMs, error)),
      ).finally(() => this.#pending.delete(pending));
    });
  }

  // Answers to pending requests still arrive while subscriptions drain.
  async #drainAll(): Promise<void> {
    this.#state = "draining";
    const subscriptions = [...this.#subscriptions];
    await Promise.all(
      subscriptions.map((subscription) => subscription.drain()),
    );
    try {
      await this.#connection.flush();
    } catch {
      // Closed meanwhile: nothing is left to send.
    }
    // Replies that came in before the flush's answer settle their requests
    // in microtasks; a timer runs after all of them.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await this.close();
  }

  // Ends everything this side at once; the connection closes after.
  #end(error?: Error): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#status.change({ status: "closed", error });
    for (const subscription of [...this.#subscriptions]) subscription.close();
    for (const pending of this.#pending) {
      pending.reject(
        new BusClosedError(`request "${pending.subject}"`, "closed", {
          cause: error,
        }),
      );
    }
    this.#pending.clear();
  }

  // The connection closed without close(): the client gave up.
  #lost(error: void | Error): void {
    if (this.#state === "closed") return;
    this.#logger.warn("nats connection closed", {
      error: error ? error.message : undefined,
    });
    this.#end(error || undefined);
    this.#closing ??= Promise.resolve();
  }

  #natsHeaders(headers: CheckedMessage["headers"]): NatsMsgHdrs | undefined {
    return toNatsHeaders(headers, () => this.#client.headers());
  }

  #wrap(message: NatsMsg): BusMessage {
    return new NatsBusMessage(this, message);
  }

  #requestError(subject: string, timeoutMs: number, error: unknown): Error {
    const { errors } = this.#client;
    if (error instanceof errors.TimeoutError) {
      return new RequestTimeoutError(subject, timeoutMs, { cause: error });
    }
    const noResponders = error instanceof errors.NoRespondersError ||
      (error instanceof errors.RequestError && error.isNoResponders());
    if (noResponders) return new NoRespondersError(subject, { cause: error });
    return this.#clientError(`request "${subject}"`, error);
  }

  // A failure the client reports, in the contract's terms.
  #clientError(action: string, error: unknown): Error {
    if (this.#state === "closed" || this.#isClosedError(error)) {
      return new BusClosedError(action, "closed", { cause: error });
    }
    return new Error(`Cannot ${action}: ${reason(error)}`, { cause: error });
  }

  // Requests pending when the connection closes fail with a RequestError
  // whose only mark is its message.
  #isClosedError(error: unknown): boolean {
    const { errors } = this.#client;
    return error instanceof errors.ClosedConnectionError ||
      (error instanceof errors.RequestError &&
        error.message === "connection closed");
  }

  #report(subscription: NatsBusSubscription, error: unknown): void {
    this.#logger.warn("subscriber failed", {
      subject: subscription.subject,
      queue: subscription.queue,
      error: reason(error),
    });
  }

  #refused(subscription: NatsBusSubscription, error: Error): void {
    this.#logger.warn("subscription refused", {
      subject: subscription.subject,
      queue: subscription.queue,
      error: error.message,
    });
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
