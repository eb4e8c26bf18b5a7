/**
 * The bindings of a host: actors bound to its providers, and its actors'
 * bindings to providers on other hosts of the lattice.
 *
 * @module
 */
import type { Actor } from "./actor.ts";
import { wasccValues } from "./binding_values.ts";
import { bindingName } from "./dispatch.ts";
import type { HostEvents } from "./host_events.ts";
import { sameValues } from "./manifest_state.ts";
import type { ActorBinding } from "./provider.ts";
import type { BindingInfo, ProviderRegistry } from "./provider_registry.ts";
import { bindingKey, type Router } from "./router.ts";
import { messageOf } from "./wapc_instance.ts";

/** The host's state that bindings read and change. */
export interface HostBindingsParts {
  actors: Map<string, Actor>;
  providers: ProviderRegistry;
  /** Bindings of this host's actors to providers elsewhere, by key. */
  lattice: Map<string, BindingInfo>;
  router: Router;
  events: HostEvents;
}

/** Binds and unbinds a host's actors and providers. */
export class HostBindings {
  readonly #deps: HostBindingsParts;

  constructor(parts: HostBindingsParts) {
    this.#deps = parts;
  }

  /**
   * Binds an actor to a provider instance with configuration values.
   * Refused when the actor's claims do not list the capability.
   */
  async bind(
    actor: string,
    capabilityId: string,
    binding?: string,
    values: Record<string, string> = {},
  ): Promise<void> {
    const name = bindingName(binding);
    const what = `Cannot bind actor "${actor}" to ${capabilityId} "${name}"`;
    const running = this.#deps.actors.get(actor);
    if (!running) throw new Error(`${what}: actor not running`);
    if (!running.claims.caps.includes(capabilityId)) {
      throw new Error(`${what}: capability not in the actor's claims`);
    }
    const entry = this.#deps.providers.get(capabilityId, name);
    const bound = { ...values, ...wasccValues(running.claims) };
    if (!entry && this.#deps.router.remote) {
      const key = bindingKey(actor, capabilityId, name);
      const info = { actor, capabilityId, binding: name, values: bound };
      this.#deps.lattice.set(key, info);
      this.#emit("binding_created", actor, capabilityId, name);
      return;
    }
    if (!entry) throw new Error(`${what}: no such provider is running`);
    const actorBinding: ActorBinding = { actor, binding: name, values: bound };
    try {
      await entry.provider.bind(actorBinding);
    } catch (error) {
      throw new Error(`${what}: ${messageOf(error)}`, { cause: error });
    }
    entry.actors.set(actor, actorBinding);
    this.#emit("binding_created", actor, capabilityId, name);
  }

  /** Removes a binding; the provider releases what it held for it. */
  async unbind(
    actor: string,
    capabilityId: string,
    binding?: string,
  ): Promise<void> {
    const name = bindingName(binding);
    const entry = this.#deps.providers.get(capabilityId, name);
    if (this.#deps.lattice.delete(bindingKey(actor, capabilityId, name))) {
      this.#emit("binding_removed", actor, capabilityId, name);
      return;
    }
    if (!entry?.actors.has(actor)) {
      throw new Error(
        `Cannot unbind actor "${actor}" from ${capabilityId} "${name}": ` +
          "not bound",
      );
    }
    entry.actors.delete(actor);
    await entry.provider.unbind(actor);
    this.#emit("binding_removed", actor, capabilityId, name);
  }

  /**
   * Binds an actor of another host to a provider of this one, as the
   * lattice asks (the actor's host checked its claims). Binding again with
   * the same values changes nothing.
   */
  async bindFromLattice(binding: BindingInfo): Promise<void> {
    const { actor, capabilityId } = binding;
    const name = bindingName(binding.binding);
    const entry = this.#deps.providers.get(capabilityId, name);
    if (!entry) {
      throw new Error(
        `Cannot bind actor "${actor}" to ${capabilityId} "${name}": ` +
          "no such provider is running",
      );
    }
    const known = entry.actors.get(actor);
    if (known && sameValues(known.values, binding.values)) return;
    if (known) await entry.provider.unbind(actor);
    const actorBinding = { actor, binding: name, values: binding.values };
    await entry.provider.bind(actorBinding);
    entry.actors.set(actor, actorBinding);
    this.#emit("binding_created", actor, capabilityId, name);
  }

  /** Performs a call of an actor on another host on a provider here. */
  callProvider(
    actor: string,
    capabilityId: string,
    binding: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array> {
    const entry = this.#deps.providers.get(capabilityId, bindingName(binding));
    if (!entry?.actors.has(actor)) {
      return Promise.reject(
        new Error(
          `Cannot call ${capabilityId} "${bindingName(binding)}": actor ` +
            `"${actor}" is not bound to it`,
        ),
      );
    }
    return entry.provider.call({ actor, operation, payload });
  }

  #emit(
    type: "binding_created" | "binding_removed",
    actor: string,
    capabilityId: string,
    binding: string,
  ): void {
    this.#deps.events.emit({ type, actor, capabilityId, binding });
  }
}
