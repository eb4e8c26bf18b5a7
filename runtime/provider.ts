/**
 * The contract between the host and a capability provider. A provider
 * instance serves one capability under one binding name; actors are bound
 * to it with configuration values and call it with operations whose
 * payloads are MessagePack (spec §3).
 *
 * @module
 */
import type { Logger } from "./logger.ts";

/** Which way an operation travels, as in a provider descriptor. */
export type OperationDirection = "to_provider" | "to_actor" | "both";

/** One operation a provider supports. */
export interface OperationDescriptor {
  name: string;
  direction: OperationDirection;
  doctext: string;
}

/** What a provider says about itself (spec §3 `GetCapabilityDescriptor`). */
export interface CapabilityDescriptor {
  /** Capability id, such as `wascc:keyvalue`. */
  id: string;
  name: string;
  version: string;
  revision: number;
  longDescription: string;
  supportedOperations: OperationDescriptor[];
}

/** An actor bound to a provider, with the binding's values. */
export interface ActorBinding {
  /** The actor's public key (`M…`). */
  actor: string;
  /** Binding name; `default` when none was given. */
  binding: string;
  /**
   * Configuration values, including the host's `__wascc_*` entries
   * (issuer, capabilities, name, expiry, tags).
   */
  values: Record<string, string>;
}

/** A call from an actor to a provider. */
export interface ProviderCall {
  /** The calling actor's public key. */
  actor: string;
  operation: string;
  /** MessagePack payload as the actor sent it. */
  payload: Uint8Array;
}

/**
 * What the host gives a provider instance: where to write, where to keep
 * data, and how to deliver invocations to bound actors.
 */
export interface ProviderContext {
  /** The binding name this instance serves. */
  binding: string;
  logger: Logger;
  /** A directory this provider instance may keep files in. */
  dataDir: string;
  /**
   * Delivers an operation to an actor (provider-to-actor; not checked
   * against the actor's claims). Resolves with the actor's reply; rejects
   * with the actor's error.
   */
  deliver(
    actor: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array>;
}

/**
 * A running provider instance. The host calls `bind` before the first call
 * from an actor and `unbind` when the binding is removed; `stop` releases
 * everything (listeners, files).
 */
export interface CapabilityProvider {
  readonly descriptor: CapabilityDescriptor;
  bind(binding: ActorBinding): Promise<void>;
  unbind(actor: string): Promise<void>;
  call(call: ProviderCall): Promise<Uint8Array>;
  stop(): Promise<void>;
}

/**
 * Makes provider instances of one capability. Built-in providers and
 * TypeScript plug-ins both export one of these.
 */
export interface ProviderFactory {
  /** Capability id, such as `wascc:keyvalue`. */
  readonly capabilityId: string;
  create(context: ProviderContext):
    | CapabilityProvider
    | Promise<
      CapabilityProvider
    >;
}

/**
 * Thrown by a provider for an operation it does not know; the actor gets
 * the message as its host-call error.
 */
export function unknownOperation(capability: string, operation: string) {
  return new RangeError(
    `Cannot perform "${operation}": not an operation of ${capability}`,
  );
}
