/**
 * Checks every bus implementation applies the same way before a message
 * leaves: subjects, headers, payload size and option values.
 *
 * @module
 */
import type {
  BusHeaders,
  BusHeadersInit,
  MessageHandler,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
} from "./bus.ts";
import { assertPattern, assertQueueName, assertSubject } from "./subjects.ts";

// A header name is visible ASCII without ':'; a value has no line break.
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const LINE_BREAK = /[\r\n]/;

// "NATS/1.0\r\n" opens a header block and "\r\n" ends it.
const HEADER_BLOCK_FRAME = 12;

const MAX_TIMER_MS = 2 ** 31 - 1;

const encoder = new TextEncoder();

/** A message ready to route: its checked reply subject and headers. */
export interface CheckedMessage {
  reply?: string;
  headers?: BusHeaders;
}

/**
 * Checks a message about to be published to `subject` against the
 * subject rules and `maxPayload`. The size counted is the payload plus
 * the header block as NATS encodes it. Errors start with
 * `Cannot <verb> "<subject>"`.
 */
export function checkPublish(
  subject: string,
  payload: Uint8Array,
  options: PublishOptions | undefined,
  maxPayload: number,
  verb = "publish to",
): CheckedMessage {
  const action = `${verb} "${subject}"`;
  assertSubject(subject, verb);
  if (!(payload instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${action}: payload is not a Uint8Array`);
  }
  const reply = options?.reply;
  if (reply !== undefined) assertSubject(reply, `${action} with reply`);
  const headers = normalizeHeaders(options?.headers, action);
  const headerSize = headers ? headerBlockSize(headers) : 0;
  if (payload.length + headerSize > maxPayload) {
    throw new RangeError(
      `Cannot ${action}: ${sizeText(payload.length, headerSize)} ` +
        `the limit of ${maxPayload} bytes`,
    );
  }
  return { reply, headers };
}

/**
 * Checks a request to `subject`: its timeout, then the message as
 * {@link checkPublish} does. The reply subject is the bus's own affair.
 * Errors start with `Cannot request "<subject>"`.
 */
export function checkRequest(
  subject: string,
  payload: Uint8Array,
  options: RequestOptions,
  maxPayload: number,
): CheckedMessage {
  assertTimeout(options?.timeoutMs, `request "${subject}"`);
  const message = { headers: options.headers };
  return checkPublish(subject, payload, message, maxPayload, "request");
}

/**
 * Checks a subscription about to be made: the subject pattern, that the
 * handler is a function, the queue group's name and `max`. Errors start
 * with `Cannot subscribe to "<subject>"`.
 */
export function checkSubscribe(
  subject: string,
  handler: MessageHandler,
  options: SubscribeOptions,
): void {
  const action = `subscribe to "${subject}"`;
  assertPattern(subject, "subscribe to");
  if (typeof handler !== "function") {
    throw new TypeError(`Cannot ${action}: handler is not a function`);
  }
  if (options.queue !== undefined) assertQueueName(options.queue, action);
  assertMax(options.max, action);
}

/**
 * Turns headers as given into headers as delivered; undefined when there
 * are none. Throws a TypeError naming `action` for an invalid name or
 * value.
 */
export function normalizeHeaders(
  init: BusHeadersInit | undefined,
  action: string,
): BusHeaders | undefined {
  if (init === undefined) return undefined;
  const headers: Record<string, readonly string[]> = {};
  let count = 0;
  for (const [name, value] of Object.entries(init)) {
    const values = typeof value === "string" ? [value] : [...value];
    assertHeader(name, values, action);
    if (values.length === 0) continue;
    headers[name] = values;
    count++;
  }
  return count === 0 ? undefined : headers;
}

/** The size of `headers` as a NATS header block, in bytes. */
export function headerBlockSize(headers: BusHeaders): number {
  let size = HEADER_BLOCK_FRAME;
  for (const [name, values] of Object.entries(headers)) {
    const nameSize = encoder.encode(name).length;
    for (const value of values) {
      size += nameSize + 2 + encoder.encode(value).length + 2;
    }
  }
  return size;
}

/** Checks a subscription's `max`: a positive integer, when given. */
export function assertMax(max: number | undefined, action: string): void {
  if (max === undefined) return;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new RangeError(
      `Cannot ${action}: max ${max} is not a positive integer`,
    );
  }
}

/** Checks a request timeout: positive, finite, and short enough a timer. */
export function assertTimeout(timeoutMs: number, action: string): void {
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) {
    throw new RangeError(
      `Cannot ${action}: timeout ${timeoutMs} ms is not between 0 and ` +
        `${MAX_TIMER_MS} ms`,
    );
  }
}

/** A maximum payload size option: a positive integer. */
export function assertMaxPayload(maxPayload: number): void {
  if (!Number.isSafeInteger(maxPayload) || maxPayload < 1) {
    throw new RangeError(
      `Cannot create bus: maximum payload ${maxPayload} is not a positive ` +
        `integer`,
    );
  }
}

function assertHeader(name: string, values: string[], action: string): void {
  if (!HEADER_NAME.test(name)) {
    throw new TypeError(
      `Cannot ${action}: header name "${name}" is empty or has spaces, ` +
        `colons or non-ASCII characters`,
    );
  }
  for (const value of values) {
    if (typeof value !== "string" || LINE_BREAK.test(value)) {
      throw new TypeError(
        `Cannot ${action}: header "${name}" has a value that is not a ` +
          `single line of text`,
      );
    }
  }
}

function sizeText(payloadSize: number, headerSize: number): string {
  return headerSize === 0
    ? `payload of ${payloadSize} bytes exceeds`
    : `payload of ${payloadSize} bytes and headers of ${headerSize} bytes ` +
      `exceed`;
}
