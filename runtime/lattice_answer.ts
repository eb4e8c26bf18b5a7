/**
 * Answering invocations that arrive from the lattice: decode, check the
 * anti-forgery token, run, reply. Whatever bytes arrive, the sender gets
 * an `InvocationResponse` (an error naming the failed check) and the host
 * goes on.
 *
 * @module
 */
import type { BusMessage } from "./bus.ts";
import {
  decodeInvocation,
  encodeResponse,
  type Invocation,
  type InvocationResponse,
} from "./invocation.ts";
import {
  checkInvocation,
  type InvocationCheckOptions,
} from "./invocation_token.ts";
import type { Logger } from "./logger.ts";
import { messageOf } from "./wapc_instance.ts";

/** Performs a checked invocation; resolves with the reply bytes. */
export type InvocationHandler = (invocation: Invocation) => Promise<Uint8Array>;

/** An invocation refused before it ran. */
export class InvocationRejectedError extends Error {
  override name = "InvocationRejectedError";
  /** The refusal, `reason` naming the failed check. */
  constructor(readonly reason: string) {
    super(`Invocation rejected: ${reason}`);
  }
}

/**
 * Answers one invocation message with `handle`'s result. Never throws:
 * refusals are logged as warnings, failures of the invoked target at
 * debug level, and both go back to the sender as the response's error.
 */
export async function answerInvocation(
  message: BusMessage,
  handle: InvocationHandler,
  options: InvocationCheckOptions & { logger: Logger },
): Promise<void> {
  let invocation: Invocation | undefined;
  let response: InvocationResponse;
  try {
    invocation = decodeOrReject(message.payload);
    const failed = checkInvocation(invocation, options);
    if (failed) throw new InvocationRejectedError(failed);
    const msg = await handle(invocation);
    response = { msg, invocationId: invocation.id };
  } catch (error) {
    const fields = {
      subject: message.subject,
      host: invocation?.hostId,
      operation: invocation?.operation,
      error: messageOf(error),
    };
    if (error instanceof InvocationRejectedError) {
      options.logger.warn("invocation rejected", fields);
    } else {
      options.logger.debug("invocation failed", fields);
    }
    response = {
      msg: new Uint8Array(),
      error: messageOf(error),
      invocationId: invocation?.id ?? "",
    };
  }
  if (!message.reply) return;
  try {
    message.respond(encodeResponse(response));
  } catch (error) {
    options.logger.warn("cannot answer invocation", {
      subject: message.subject,
      error: messageOf(error),
    });
  }
}

function decodeOrReject(payload: Uint8Array): Invocation {
  try {
    return decodeInvocation(payload);
  } catch (error) {
    throw new InvocationRejectedError(messageOf(error));
  }
}

/** Refuses an invocation whose target is not what its subject promises. */
export function expectTarget(ok: boolean, what: string): void {
  if (!ok) throw new InvocationRejectedError(`target is not ${what}`);
}
