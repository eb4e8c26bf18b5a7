/**
 * What a host does for each accepted control command: the commands of
 * `P.control.<host>.…` carried out on the Host, each answering with the
 * facts a caller needs next (the actor's key, the module hash it replaced).
 *
 * @module
 */
import { readClaims } from "./claims.ts";
import {
  readActor,
  readBinding,
  readBody,
  readLabel,
  readLaunchActor,
  readModuleQuery,
  readProvider,
  readScaleActor,
  readUpdateActor,
} from "./control_commands.ts";
import type { HostCommand } from "./control_subjects.ts";
import type { Host } from "./host.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { ModuleCache } from "./module_cache.ts";
import {
  formatModuleRef,
  type ModuleSource,
  type ModuleStoreLink,
  STORE_REF_PREFIX,
} from "./module_source.ts";
import type { ProviderFactory } from "./provider.ts";
import { messageOf } from "./wapc_instance.ts";

/** What the handlers work with. */
export interface ControlHandlerOptions {
  host: Host;
  modules: ModuleSource;
  cache: ModuleCache;
  /** The module store, for sharing a module another host is to run. */
  store?: ModuleStoreLink;
  /** The built-in provider with a capability id, if there is one. */
  providers(capabilityId: string): ProviderFactory | undefined;
  /** Stops the host; without it `host.stop` is refused. */
  stopHost?: () => void;
  logger?: Logger;
}

type Result = Record<string, unknown>;

/** Carries out host commands. */
export class ControlHandlers {
  readonly #options: ControlHandlerOptions;
  readonly #host: Host;
  readonly #logger: Logger;
  /** The reference each actor was last started or updated from. */
  readonly #sources = new Map<string, string>();

  constructor(options: ControlHandlerOptions) {
    this.#options = options;
    this.#host = options.host;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Carries out `command` with the JSON `payload`; rejects on failure. */
  async run(command: HostCommand, payload: Uint8Array): Promise<Result> {
    const body = readBody(payload);
    const host = this.#host;
    switch (command) {
      case "actor.launch":
        return await this.#launch(body);
      case "actor.update":
        return await this.#update(body);
      case "actor.scale":
        return await this.#scale(body);
      case "actor.terminate":
        return await this.#terminate(readActor(body));
      case "actor.module":
        return await this.#module(body);
      case "provider.launch":
        return await this.#startProvider(body);
      case "provider.terminate": {
        const { capabilityId, binding } = readProvider(body);
        await host.stopProvider(capabilityId, binding);
        return {};
      }
      case "binding.put": {
        const binding = readBinding(body);
        await host.bind(
          actorOf(binding),
          binding.capabilityId,
          binding.binding,
          binding.values,
        );
        return {};
      }
      case "binding.delete": {
        const binding = readBinding(body);
        await host.unbind(
          actorOf(binding),
          binding.capabilityId,
          binding.binding,
        );
        return {};
      }
      case "label.put":
      case "label.delete":
        return this.#label(command, body);
      case "host.stop":
        return this.#stopHost();
    }
  }

  async #launch(body: Result): Promise<Result> {
    const launch = readLaunchActor(body);
    const source = formatModuleRef(launch.module);
    const loaded = await this.#options.modules.load(launch.module);
    const claims = await this.#host.startActor(loaded.bytes, {
      instances: launch.instances,
      source,
    });
    try {
      for (const binding of launch.bindings) {
        await this.#host.bind(
          claims.subject,
          binding.capabilityId,
          binding.binding,
          binding.values,
        );
      }
    } catch (error) {
      // Half a launch would serve without its bindings: undo it.
      await this.#host.stopActor(claims.subject).catch(() => {});
      throw error;
    }
    await this.#keep(claims.hash, loaded.bytes);
    this.#sources.set(claims.subject, source);
    return {
      actor: claims.subject,
      name: claims.name ?? null,
      revision: claims.rev ?? null,
      hash: claims.hash,
      instances: launch.instances,
      from: loaded.from,
    };
  }

  async #update(body: Result): Promise<Result> {
    const update = readUpdateActor(body);
    const source = formatModuleRef(update.module);
    const running = this.#host.actor(update.actor);
    if (!running) {
      throw new Error(
        `Cannot update actor "${update.actor}": not running on this host`,
      );
    }
    const previous = running.claims.hash;
    const loaded = await this.#options.modules.load(update.module);
    const subject = readClaims(loaded.bytes).subject;
    if (subject !== update.actor) {
      throw new Error(
        `Cannot update actor "${update.actor}": module "${source}" is ` +
          `actor "${subject}"`,
      );
    }
    const claims = await this.#host.updateActor(loaded.bytes, {
      force: update.force,
      source,
    });
    await this.#keep(claims.hash, loaded.bytes);
    this.#sources.set(claims.subject, source);
    return {
      actor: claims.subject,
      revision: claims.rev ?? null,
      hash: claims.hash,
      previous: `${STORE_REF_PREFIX}${previous}`,
      from: loaded.from,
    };
  }

  async #scale(body: Result): Promise<Result> {
    const { actor, instances } = readScaleActor(body);
    await this.#host.scaleActor(actor, instances);
    return { actor, instances };
  }

  async #terminate(actor: string): Promise<Result> {
    await this.#host.stopActor(actor);
    this.#sources.delete(actor);
    return { actor };
  }

  // With `share`, the module goes into the store (from this host's cache)
  // so that another host can start it: how a move reaches any target.
  async #module(body: Result): Promise<Result> {
    const { actor, share } = readModuleQuery(body);
    const running = this.#host.actor(actor);
    if (!running) {
      throw new Error(`Cannot describe actor "${actor}": not running`);
    }
    const hash = running.claims.hash;
    const stored = `${STORE_REF_PREFIX}${hash}`;
    const source = this.#sources.get(actor) ?? null;
    if (share) {
      const store = this.#options.store;
      if (!store) {
        throw new Error(`Cannot share actor "${actor}": no module store`);
      }
      const { cache } = this.#options;
      if (!await cache.has(hash)) {
        throw new Error(
          `Cannot share actor "${actor}": its module is not in the cache`,
        );
      }
      await store.put(hash, await cache.get(hash));
    }
    return { actor, hash, module: share ? stored : source ?? stored, source };
  }

  async #startProvider(body: Result): Promise<Result> {
    const { capabilityId, binding } = readProvider(body);
    const factory = this.#options.providers(capabilityId);
    if (!factory) {
      throw new Error(
        `Cannot start provider ${capabilityId} "${binding}": not a ` +
          "built-in provider",
      );
    }
    await this.#host.startProvider(factory, binding);
    return { capability_id: capabilityId, binding_name: binding };
  }

  #label(command: HostCommand, body: Result): Result {
    const { key, value } = readLabel(body);
    const remove = command === "label.delete";
    this.#host.setLabel(key, remove ? undefined : value);
    return { key, ...(remove ? {} : { value }) };
  }

  #stopHost(): Result {
    const stop = this.#options.stopHost;
    if (!stop) throw new Error("Cannot stop host: not supported here");
    // The answer goes out first.
    setTimeout(stop, 50);
    return { host: this.#host.id };
  }

  async #keep(hash: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.#options.cache.put(hash, bytes);
    } catch (error) {
      this.#logger.warn("cannot keep module", {
        hash,
        error: messageOf(error),
      });
    }
  }
}

function actorOf(binding: { actor?: string }): string {
  if (!binding.actor) {
    throw new TypeError('Cannot read command: field "actor" is missing');
  }
  return binding.actor;
}
