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
  /** The operation's name, as sent in a call or a delivery. */
  name: string;
  /** Whether actors call it, the provider delivers it, or both. */
  direction: OperationDirection;
  /** A short description for people. */
  doctext: string;
}

/** What a provider says about itself (spec §3 `GetCapabilityDescriptor`). */
export interface CapabilityDescriptor {
  /** Capability id, such as `wascc:keyvalue`. */
  id: string;
  /** A short human-readable name of the provider. */
  name: string;
  /** The provider's version text, such as `0.1.0`. */
  version: string;
  /** The provider's build number; higher is newer. */
  revision: number;
  /** What the provider does, in a sentence or two. */
  longDescription: string;
  /** Every operation the provider supports. */
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
  /** The operation the actor asks for. */
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
  /** Where the instance logs. */
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
  /** What the instance says about itself. */
  readonly descriptor: CapabilityDescriptor;
  /** Prepares for calls from an actor, given the binding's values. */
  bind(binding: ActorBinding): Promise<void>;
  /** Forgets an actor (public key) whose binding was removed. */
  unbind(actor: string): Promise<void>;
  /** Performs an actor's call; resolves with the MessagePack reply. */
  call(call: ProviderCall): Promise<Uint8Array>;
  /** Releases everything the instance holds. */
  stop(): Promise<void>;
}

/**
 * Makes provider instances of one capability. Built-in providers and
 * TypeScript plug-ins both export one of these.
 */
export interface ProviderFactory {
  /** Capability id, such as `wascc:keyvalue`. */
  readonly capabilityId: string;
  /** The file a plug-in or portable provider was loaded from, if any. */
  readonly path?: string;
  /** Starts an instance serving the context's binding name. */
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
export function unknownOperation(
  capability: string,
  operation: string,
): RangeError {
  return new RangeError(
    `Cannot perform "${operation}": not an operation of ${capability}`,
  );
}
