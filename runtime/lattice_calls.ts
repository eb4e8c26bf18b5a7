/**
 * The calls a host sends into the lattice: invocations of actors and
 * providers elsewhere, each in the spec's envelope with a fresh id and
 * the host's anti-forgery token, and what their failures say.
 *
 * @module
 */
import {
  type Bus,
  type BusHeadersInit,
  NoRespondersError,
  RequestTimeoutError,
} from "./bus.ts";
import { chainHeaders } from "./call_chain.ts";
import {
  decodeResponse,
  encodeInvocation,
  type Entity,
  type Invocation,
} from "./invocation.ts";
import type { InvocationSigner } from "./invocation_token.ts";
import type { LatticeSubjects } from "./lattice_subjects.ts";
import { LatticeUnreachableError, type LinkState } from "./link.ts";
import type { Remote } from "./remote.ts";
import { messageOf } from "./wapc_instance.ts";

/** The arguments of a call to a provider on another host. */
type ProviderCall = Parameters<Remote["callProvider"]>;

/** What outgoing calls need of their lattice. */
export interface LatticeCallsParts {
  bus: Bus;
  signer: InvocationSigner;
  subjects: LatticeSubjects;
  /** How long a call waits for its answer. */
  rpcTimeoutMs: number;
  /** Whether other hosts can be reached now. */
  linkState(): LinkState;
}

/** Signs and sends a host's invocations of targets on other hosts. */
export class LatticeCalls {
  readonly #parts: LatticeCallsParts;

  constructor(parts: LatticeCallsParts) {
    this.#parts = parts;
  }

  /** Calls an actor elsewhere; `chain` (its waiting callers) goes along. */
  invokeActor(
    actor: string,
    operation: string,
    payload: Uint8Array,
    origin: Entity,
    chain: readonly string[],
  ): Promise<Uint8Array> {
    const invocation = this.invocation(
      origin,
      { kind: "actor", key: actor },
      operation,
      payload,
    );
    return this.#request(
      this.#parts.subjects.actor(actor),
      invocation,
      () => `actor "${actor}"`,
      chainHeaders(chain),
    );
  }

  /** Calls a provider elsewhere for one of this host's actors. */
  callProvider(
    ...[actor, capabilityId, binding, operation, payload]: ProviderCall
  ): Promise<Uint8Array> {
    const invocation = this.invocation(
      { kind: "actor", key: actor },
      { kind: "capability", capabilityId, binding },
      operation,
      payload,
    );
    const subject = this.#parts.subjects.providerCalls(
      capabilityId,
      binding,
      actor,
    );
    return this.#request(
      subject,
      invocation,
      () => `${capabilityId} "${binding}"`,
    );
  }

  /** An invocation with a fresh id, signed by this host. */
  invocation(
    origin: Entity,
    target: Entity,
    operation: string,
    msg: Uint8Array,
  ): Invocation {
    const { signer } = this.#parts;
    const unsigned = {
      origin,
      target,
      operation,
      msg,
      id: crypto.randomUUID(),
    };
    return {
      ...unsigned,
      encodedClaims: signer.token(unsigned),
      hostId: signer.hostId,
    };
  }

  /** Sends an invocation that expects no answer. */
  publish(subject: string, invocation: Invocation): void {
    this.#parts.bus.publish(subject, encodeInvocation(invocation));
  }

  async #request(
    subject: string,
    invocation: Invocation,
    what: () => string,
    headers?: BusHeadersInit,
  ): Promise<Uint8Array> {
    const { bus, rpcTimeoutMs } = this.#parts;
    const failed = (reason: string, cause?: unknown) =>
      new Error(`Cannot invoke ${what()} in the lattice: ${reason}`, { cause });
    if (this.#parts.linkState() === "down") {
      throw new LatticeUnreachableError(
        `Cannot invoke ${what()} in the lattice: lattice unreachable ` +
          `(link down)`,
      );
    }
    let reply;
    try {
      reply = await bus.request(subject, encodeInvocation(invocation), {
        timeoutMs: rpcTimeoutMs,
        headers,
      });
    } catch (error) {
      if (error instanceof NoRespondersError) {
        throw failed("no host runs it", error);
      }
      if (error instanceof RequestTimeoutError) {
        throw failed(`no answer within ${rpcTimeoutMs} ms`, error);
      }
      throw failed(messageOf(error), error);
    }
    const response = decodeResponse(reply.payload);
    if (response.invocationId !== invocation.id) {
      throw failed("the answer is for another invocation");
    }
    if (response.error !== undefined) throw new Error(response.error);
    return response.msg;
  }
}
