/**
 * The provider instances of a host, keyed by capability id and binding
 * name, with the actors bound to each.
 *
 * @module
 */
import type {
  ActorBinding,
  CapabilityProvider,
  ProviderFactory,
} from "./provider.ts";

/** A running provider instance and its bound actors. */
export interface ProviderEntry {
  factory: ProviderFactory;
  binding: string;
  provider: CapabilityProvider;
  actors: Map<string, ActorBinding>;
}

/** A binding between an actor and a capability provider. */
export interface BindingInfo {
  /** The bound actor's public key (`M…`). */
  actor: string;
  /** The provider's capability id, such as `wascc:keyvalue`. */
  capabilityId: string;
  /** The binding name; `default` when none was given. */
  binding: string;
  /** The binding's configuration values. */
  values: Record<string, string>;
}

/** Provider instances by capability id and binding name. */
export class ProviderRegistry {
  readonly #entries = new Map<string, ProviderEntry>();

  /** The instance for a capability and binding, if running. */
  get(capabilityId: string, binding: string): ProviderEntry | undefined {
    return this.#entries.get(key(capabilityId, binding));
  }

  /** Records a started instance. */
  add(entry: ProviderEntry): void {
    this.#entries.set(key(entry.factory.capabilityId, entry.binding), entry);
  }

  /** Forgets an instance. */
  delete(capabilityId: string, binding: string): void {
    this.#entries.delete(key(capabilityId, binding));
  }

  /** Every running instance. */
  entries(): ProviderEntry[] {
    return [...this.#entries.values()];
  }

  /** Every binding of every instance. */
  bindings(): BindingInfo[] {
    return this.entries().flatMap((entry) =>
      [...entry.actors.values()].map((actorBinding) => ({
        actor: actorBinding.actor,
        capabilityId: entry.factory.capabilityId,
        binding: entry.binding,
        values: actorBinding.values,
      }))
    );
  }
}

function key(capabilityId: string, binding: string): string {
  return `${capabilityId}\u0000${binding}`;
}
