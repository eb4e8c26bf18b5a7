/**
 * Messages between the bus contract and the NATS client: a received NATS
 * message as a `BusMessage`, and headers in both directions.
 *
 * @module
 */
import type { NatsMsg, NatsMsgHdrs } from "../deps.ts";
import type {
  Bus,
  BusHeaders,
  BusMessage,
  RespondOptions,
} from "../runtime/bus.ts";

/**
 * Copies checked headers into a NATS header set made by `create`.
 * Names keep their case (the client matches them exactly).
 */
export function toNatsHeaders(
  headers: BusHeaders | undefined,
  create: () => NatsMsgHdrs,
): NatsMsgHdrs | undefined {
  if (headers === undefined) return undefined;
  const natsHeaders = create();
  for (const [name, values] of Object.entries(headers)) {
    for (const value of values) natsHeaders.append(name, value);
  }
  return natsHeaders;
}

/**
 * The headers of a received message; undefined when it carries none. A
 * status line alone (`NATS/1.0 503`) is not a header.
 */
export function fromNatsHeaders(
  natsHeaders: NatsMsgHdrs | undefined,
): BusHeaders | undefined {
  if (natsHeaders === undefined) return undefined;
  let headers: Record<string, readonly string[]> | undefined;
  for (const [name, values] of natsHeaders) {
    headers ??= {};
    headers[name] = [...values];
  }
  return headers;
}

/** A message received from NATS; answers go out through `bus`. */
export class NatsBusMessage implements BusMessage {
  readonly subject: string;
  readonly payload: Uint8Array;
  readonly reply?: string;
  readonly headers?: BusHeaders;
  #bus: Bus;

  constructor(bus: Bus, message: NatsMsg) {
    this.#bus = bus;
    this.subject = message.subject;
    this.payload = message.data;
    if (message.reply) this.reply = message.reply;
    const headers = fromNatsHeaders(message.headers);
    if (headers !== undefined) this.headers = headers;
  }

  respond(payload: Uint8Array, options?: RespondOptions): boolean {
    if (this.reply === undefined) return false;
    this.#bus.publish(this.reply, payload, options);
    return true;
  }
}
