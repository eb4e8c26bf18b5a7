/**
 * The provider instances of a host: starting one for a capability and a
 * binding name (with its own logger, data directory and way to deliver
 * to actors), stopping one after unbinding its actors, and listing them.
 *
 * @module
 */
import { join } from "node:path";
import type { ActorClaims } from "./claims.ts";
import { bindingName } from "./dispatch.ts";
import type { HostEvents } from "./host_events.ts";
import type { Logger } from "./logger.ts";
import type { CapabilityDescriptor, ProviderFactory } from "./provider.ts";
import type { ProviderRegistry } from "./provider_registry.ts";
import type { Router } from "./router.ts";

/** A provider instance of a host, as inventories list it. */
export interface ProviderInfo {
  /** Capability id, such as `wascc:keyvalue`. */
  capabilityId: string;
  /** The binding name it serves. */
  binding: string;
  /** What it says about itself. */
  descriptor: CapabilityDescriptor;
  /** The plug-in or portable provider file it came from, if any. */
  path?: string;
}

/** The host's parts that its providers use. */
export interface HostProvidersParts {
  providers: ProviderRegistry;
  router: Router;
  events: HostEvents;
  logger: Logger;
  /** The host's data directory; each provider gets a directory in it. */
  dataDir: string;
  /** Binds an actor (the host's bind, which checks its claims). */
  bind(actor: string, capabilityId: string): Promise<void>;
  /** Removes a binding (the host's, which says so in its events). */
  unbind(actor: string, capabilityId: string, binding: string): Promise<void>;
}

/** Starts, stops and lists a host's provider instances. */
export class HostProviders {
  readonly #parts: HostProvidersParts;

  constructor(parts: HostProvidersParts) {
    this.#parts = parts;
  }

  /** Starts a provider instance for a capability under a binding name. */
  async start(factory: ProviderFactory, binding?: string): Promise<void> {
    const { providers, router, events, logger, dataDir } = this.#parts;
    const name = bindingName(binding);
    if (providers.get(factory.capabilityId, name)) {
      throw new Error(
        `Cannot start provider ${factory.capabilityId} "${name}": ` +
          "already running",
      );
    }
    const provider = await factory.create({
      binding: name,
      logger: logger.child({ capability: factory.capabilityId, binding: name }),
      dataDir: join(
        dataDir,
        "providers",
        factory.capabilityId.replaceAll(/[^A-Za-z0-9_.-]/g, "_"),
        name,
      ),
      deliver: (actor, operation, payload) =>
        router.invoke(actor, operation, payload, { chain: [] }, {
          kind: "capability",
          capabilityId: factory.capabilityId,
          binding: name,
        }),
    });
    providers.add({ factory, binding: name, provider, actors: new Map() });
    events.emit({
      type: "provider_loaded",
      capabilityId: factory.capabilityId,
      binding: name,
    });
  }

  /** Stops a provider instance, unbinding its actors first. */
  async stop(capabilityId: string, binding?: string): Promise<void> {
    const { providers, events } = this.#parts;
    const name = bindingName(binding);
    const entry = providers.get(capabilityId, name);
    if (!entry) {
      throw new Error(
        `Cannot stop provider ${capabilityId} "${name}": not running`,
      );
    }
    for (const actor of [...entry.actors.keys()]) {
      await this.#parts.unbind(actor, capabilityId, name);
    }
    providers.delete(capabilityId, name);
    await entry.provider.stop();
    events.emit({ type: "provider_removed", capabilityId, binding: name });
  }

  /**
   * Binds a new actor to each of `factories` (capabilities bound on
   * demand, such as extras) that its claims list, starting the provider
   * when none runs yet.
   */
  async bindAutomatic(
    claims: ActorClaims,
    factories: readonly ProviderFactory[],
  ): Promise<void> {
    for (const factory of factories) {
      if (!claims.caps.includes(factory.capabilityId)) continue;
      if (!this.has(factory.capabilityId)) await this.start(factory);
      await this.#parts.bind(claims.subject, factory.capabilityId);
    }
  }

  /** Whether a provider instance runs for a capability and binding. */
  has(capabilityId: string, binding?: string): boolean {
    return this.#parts.providers.get(capabilityId, bindingName(binding)) !==
      undefined;
  }

  /** The capability id, binding and descriptor of every provider here. */
  list(): ProviderInfo[] {
    return this.#parts.providers.entries().map((entry) => ({
      capabilityId: entry.factory.capabilityId,
      binding: entry.binding,
      descriptor: entry.provider.descriptor,
      ...(entry.factory.path ? { path: entry.factory.path } : {}),
    }));
  }
}
