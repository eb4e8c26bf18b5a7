/**
 * What a host asks of the lattice for targets it does not run itself:
 * actors elsewhere and providers elsewhere. `runtime/lattice.ts` fills it
 * over any bus; a host without one only serves itself.
 *
 * @module
 */
import type { Entity } from "./invocation.ts";

/** The way out to other hosts. */
export interface Remote {
  /**
   * Invokes an actor that does not run on this host; `chain` holds the
   * actors whose invocations wait on this one (see runtime/call_chain.ts).
   */
  invokeActor(
    actor: string,
    operation: string,
    payload: Uint8Array,
    origin: Entity,
    chain?: readonly string[],
  ): Promise<Uint8Array>;
  /** Performs an actor's call on a provider that runs on another host. */
  callProvider(
    actor: string,
    capabilityId: string,
    binding: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array>;
  /**
   * Stops taking invocations of a local actor from other hosts and
   * resolves once those already received are handed to the actor; the
   * host calls it before it stops the actor, so none is refused.
   */
  releaseActor(actor: string): Promise<void>;
}
