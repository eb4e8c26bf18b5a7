/**
 * The message bus contract: subject-based publish/subscribe, queue groups
 * and request/reply with the semantics of core NATS. The host carries all
 * local traffic on a bus; the in-process implementation is
 * `LoopbackBus` (runtime/loopback_bus.ts), and a NATS connection implements
 * the same contract. docs/bus.md states the contract in prose.
 *
 * @module
 */

/** NATS's default maximum payload, 1 MiB. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * Headers as a publisher gives them: each name maps to one value or to
 * several (NATS headers are multi-valued). Names are case-sensitive.
 */
export type BusHeadersInit = Readonly<
  Record<string, string | readonly string[]>
>;

/** Headers as a subscriber receives them: every name maps to its values. */
export type BusHeaders = Readonly<Record<string, readonly string[]>>;

/** Options of {@link Bus.publish}. */
export interface PublishOptions {
  /** The subject a receiver should answer on. */
  reply?: string;
  headers?: BusHeadersInit;
}

/** Options of {@link Bus.subscribe}. */
export interface SubscribeOptions {
  /**
   * Queue group: each message goes to one member of each group (as well as
   * to every subscriber outside groups).
   */
  queue?: string;
  /** Unsubscribe by itself after this many messages. */
  max?: number;
}

/** Options of {@link Bus.request}. */
export interface RequestOptions {
  /** How long to wait for the first reply, in milliseconds. */
  timeoutMs: number;
  headers?: BusHeadersInit;
}

/** Options of {@link BusMessage.respond}. */
export interface RespondOptions {
  headers?: BusHeadersInit;
}

/** A message as a subscriber (or a requester) receives it. */
export interface BusMessage {
  /** The subject it was published to (never a wildcard). */
  readonly subject: string;
  /** Its bytes; shared between receivers, so treat them as read-only. */
  readonly payload: Uint8Array;
  /** Where an answer goes, when the publisher asked for one. */
  readonly reply?: string;
  /** Present when the publisher sent at least one header. */
  readonly headers?: BusHeaders;
  /**
   * Publishes an answer to `reply`. Returns false, publishing nothing, when
   * the message has no reply subject.
   */
  respond(payload: Uint8Array, options?: RespondOptions): boolean;
}

/**
 * Receives the messages of a subscription, one at a time: when it returns
 * a promise (any thenable), the next message waits until that promise
 * settles; any other return value is ignored. What it throws or rejects
 * with is reported and does not end the subscription.
 */
export type MessageHandler = (message: BusMessage) => unknown;

/** A live interest in a subject. */
export interface Subscription {
  /** The subject subscribed to, possibly with wildcards. */
  readonly subject: string;
  readonly queue?: string;
  /** Messages routed to this subscription so far. */
  readonly received: number;
  /** Settles once the subscription has ended, however it ended. */
  readonly closed: Promise<void>;
  /**
   * Ends the subscription now, dropping messages not yet handled; with
   * `max`, ends it once `max` messages in total have been received.
   */
  unsubscribe(max?: number): void;
  /**
   * Stops receiving and resolves once every message already received has
   * been handled.
   */
  drain(): Promise<void>;
}

/**
 * A message bus. Subjects are dot-separated tokens; `publish` and `request`
 * take literal subjects, `subscribe` may use `*` and a final `>`. Invalid
 * subjects, queue names and headers are TypeErrors; a payload above
 * `maxPayload` is a RangeError; using a closed bus is a
 * {@link BusClosedError}.
 */
export interface Bus {
  /** The largest payload (plus headers) one message may carry, in bytes. */
  readonly maxPayload: number;
  /** Sends a message to every current subscriber of `subject`. */
  publish(
    subject: string,
    payload: Uint8Array,
    options?: PublishOptions,
  ): void;
  /** Delivers matching messages to `handler`, in order, asynchronously. */
  subscribe(
    subject: string,
    handler: MessageHandler,
    options?: SubscribeOptions,
  ): Subscription;
  /**
   * Publishes with a fresh reply subject and resolves with the first
   * answer. Rejects with {@link NoRespondersError} when nothing subscribes
   * to `subject`, and with {@link RequestTimeoutError} when no answer comes
   * within `timeoutMs`.
   */
  request(
    subject: string,
    payload: Uint8Array,
    options: RequestOptions,
  ): Promise<BusMessage>;
  /**
   * Ends every subscription once it has handled what it already received,
   * then closes. Publishing stays possible until then; subscribing and
   * requesting do not.
   */
  drain(): Promise<void>;
  /**
   * Closes at once: subscriptions end, unhandled messages are dropped and
   * pending requests reject with {@link BusClosedError}. Idempotent.
   */
  close(): Promise<void>;
}

/** A request got no answer in time. */
export class RequestTimeoutError extends Error {
  override name = "RequestTimeoutError";
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(
      `Cannot request "${subject}": no reply within ${timeoutMs} ms`,
      options,
    );
  }
}

/** A request was sent to a subject nothing subscribes to. */
export class NoRespondersError extends Error {
  override name = "NoRespondersError";
  constructor(readonly subject: string, options?: ErrorOptions) {
    super(`Cannot request "${subject}": no responders`, options);
  }
}

/** The bus is closed (or draining, for subscribe and request). */
export class BusClosedError extends Error {
  override name = "BusClosedError";
  constructor(
    readonly action: string,
    readonly state: "closed" | "draining" = "closed",
    options?: ErrorOptions,
  ) {
    super(`Cannot ${action}: the bus is ${state}`, options);
  }
}
