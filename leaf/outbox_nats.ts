/**
 * The outbox's sender over NATS: each message is a core NATS request to
 * its own subject with a `Nats-Msg-Id` header. A JetStream stream on the
 * subject answers with a PubAck (`{"stream":…,"seq":…}`, with
 * `"duplicate":true` when it dropped the message as one it already has);
 * a service subscribed to the subject answers with anything. Either
 * answer confirms the message; a JetStream error, no responders, a
 * timeout or a link that is not connected fail it.
 *
 * @module
 */
import type { Bus } from "../runtime/bus.ts";
import type { OutboxMessage, OutboxSender } from "./outbox_sender.ts";
import { MSG_ID_HEADER } from "./outbox_message.ts";
import type { NatsLinkStatus } from "./nats_status.ts";

/** Options of {@link NatsOutboxSender}. */
export interface NatsOutboxSenderOptions {
  /** How long to wait for the PubAck or reply, in ms; 5000 by default. */
  timeoutMs?: number;
}

/**
 * What the sender needs of a bus: requests, and (on a `NatsBus`) the
 * link's status, so that nothing is sent while the link is not up.
 */
export type ConfirmingBus = Pick<Bus, "request"> & {
  readonly status?: NatsLinkStatus;
};

/** A JetStream API error, as a stream answers a publish it refuses. */
interface JetStreamError {
  code: number;
  err_code?: number;
  description?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

const decoder = new TextDecoder();

/** Sends outbox messages as requests over a NATS bus. */
export class NatsOutboxSender implements OutboxSender {
  readonly #bus: ConfirmingBus;
  readonly #timeoutMs: number;
  #confirmed = 0;
  #duplicates = 0;

  /** A sender over `bus`, which stays the caller's to close. */
  constructor(bus: ConfirmingBus, options: NatsOutboxSenderOptions = {}) {
    this.#bus = bus;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Messages confirmed through this sender. */
  get confirmed(): number {
    return this.#confirmed;
  }

  /**
   * Of those, the ones a stream said it already had: resent after a
   * failure or a restart, and dropped by the stream's deduplication.
   */
  get duplicates(): number {
    return this.#duplicates;
  }

  /**
   * Sends `message` as a request with its `Nats-Msg-Id` and resolves on a
   * PubAck or a reply. Rejects with an Error naming the subject when the
   * link is not connected, nothing answers in time, nothing subscribes
   * or the stream refuses the message.
   */
  async publishConfirmed(message: OutboxMessage): Promise<void> {
    const action = `send "${message.subject}" upstream`;
    const status = this.#bus.status;
    if (status !== undefined && status !== "connected") {
      throw new Error(`Cannot ${action}: the link is ${status}`);
    }
    let payload: Uint8Array;
    try {
      const reply = await this.#bus.request(message.subject, message.payload, {
        timeoutMs: this.#timeoutMs,
        headers: { ...message.headers, [MSG_ID_HEADER]: message.id },
      });
      payload = reply.payload;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot ${action}: ${reason}`, { cause: error });
    }
    const answer = parseAnswer(payload);
    if (answer?.error) {
      const { code, err_code, description } = answer.error;
      throw new Error(
        `Cannot ${action}: the stream refused it: ` +
          `${description ?? "no description"} (${code}/${err_code ?? "-"})`,
      );
    }
    this.#confirmed++;
    if (answer?.duplicate === true) this.#duplicates++;
  }
}

// A PubAck or a JetStream error; anything else is a service's reply.
function parseAnswer(
  payload: Uint8Array,
): { error?: JetStreamError; duplicate?: boolean } | undefined {
  if (payload[0] !== 0x7b) return undefined;
  let answer: unknown;
  try {
    answer = JSON.parse(decoder.decode(payload));
  } catch {
    return undefined;
  }
  if (typeof answer !== "object" || answer === null) return undefined;
  const { error, duplicate } = answer as Record<string, unknown>;
  const isJetStreamError = typeof error === "object" && error !== null &&
    typeof (error as JetStreamError).code === "number";
  return {
    error: isJetStreamError ? error as JetStreamError : undefined,
    duplicate: duplicate === true,
  };
}
