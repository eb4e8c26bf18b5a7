/**
 * The contract between the outbox and whatever carries its messages
 * upstream: leaf/outbox_nats.ts implements it over NATS.
 *
 * @module
 */
import type { BusHeaders } from "../runtime/bus.ts";

/** A message on its way out. */
export interface OutboxMessage {
  /** Unique and stable across retries: send it as `Nats-Msg-Id`. */
  readonly id: string;
  /** Its place in the outbox; later messages have higher numbers. */
  readonly seq: number;
  /** The subject it was enqueued to. */
  readonly subject: string;
  /** Its bytes, as enqueued. */
  readonly payload: Uint8Array;
  /** The publisher's headers, if any (without `Nats-Msg-Id`). */
  readonly headers?: BusHeaders;
}

/**
 * Carries messages upstream. `publishConfirmed` resolves once the far
 * side has confirmed the message (a JetStream PubAck, or a reply) and
 * rejects when that is not known to have happened. The outbox calls it
 * for several messages at once, in outbox order.
 */
export interface OutboxSender {
  /** Sends one message; settles once its fate is known. */
  publishConfirmed(message: OutboxMessage): Promise<void>;
}
