/**
 * A message as the outbox stores it, built from what a publisher gives:
 * checked subject and headers, the id taken out of the headers, a copy
 * of the payload and the bytes it counts against the bound.
 *
 * @module
 */
import type { BusHeaders, BusHeadersInit } from "../runtime/bus.ts";
import { normalizeHeaders } from "../runtime/bus_checks.ts";
import { assertSubject } from "../runtime/subjects.ts";
import type { ResolvedOutboxOptions } from "./outbox_options.ts";
import type { NewMessage } from "./outbox_store.ts";

/** The header JetStream deduplicates on. */
export const MSG_ID_HEADER = "Nats-Msg-Id";

/**
 * Checks a message to enqueue and builds its row. Throws a TypeError for
 * an invalid subject, payload or header and a RangeError for a message
 * above `maxMessageBytes` or the outbox's `maxBytes`.
 */
export function newMessage(
  subject: string,
  payload: Uint8Array,
  init: BusHeadersInit | undefined,
  limits: Pick<ResolvedOutboxOptions, "maxMessageBytes" | "maxBytes">,
): NewMessage {
  assertSubject(subject, "queue a message to");
  const action = `queue a message to "${subject}"`;
  if (!(payload instanceof Uint8Array)) {
    throw new TypeError(`Cannot ${action}: payload is not a Uint8Array`);
  }
  const { id, headers } = splitId(normalizeHeaders(init, action));
  const headersText = headers ? JSON.stringify(headers) : null;
  const size = payload.byteLength + utf8Length(subject) +
    (headersText ? utf8Length(headersText) : 0);
  if (size > limits.maxMessageBytes) {
    throw new RangeError(
      `Cannot ${action}: ${size} bytes exceed the limit of ` +
        `${limits.maxMessageBytes}`,
    );
  }
  if (size > limits.maxBytes) {
    throw new RangeError(
      `Cannot ${action}: ${size} bytes exceed the outbox's ${limits.maxBytes}`,
    );
  }
  // The caller may reuse its buffer before the commit.
  return { id, subject, headersText, payload: payload.slice(), size };
}

// A publisher's own Nats-Msg-Id becomes the message's id.
function splitId(
  headers: BusHeaders | undefined,
): { id?: string; headers?: BusHeaders } {
  const id = headers?.[MSG_ID_HEADER]?.[0];
  if (id === undefined || id === "") return { headers };
  const { [MSG_ID_HEADER]: _, ...rest } = headers!;
  return Object.keys(rest).length ? { id, headers: rest } : { id };
}

function utf8Length(text: string): number {
  let length = text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    // Two bytes below U+0800, three above; a surrogate pair makes four,
    // counted on its first half.
    if (code < 0x80 || (code >= 0xdc00 && code < 0xe000)) continue;
    length += code < 0x800 ? 1 : 2;
  }
  return length;
}
