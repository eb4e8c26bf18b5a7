/**
 * What a host does with an actor's module: checks its claims, compiles
 * it under the host's limits, swaps it into a running actor for a live
 * update, and keeps it so that the host can start it again offline.
 *
 * @module
 */
import type { Actor } from "./actor.ts";
import { compileActorModule } from "./actor_module.ts";
import { type ActorClaims, verifyModule } from "./claims.ts";
import { UpdateRolledBackError } from "./errors.ts";
import type { HostEvents } from "./host_events.ts";
import type { Logger } from "./logger.ts";
import type { ModuleCache } from "./module_cache.ts";
import { messageOf } from "./wapc_instance.ts";

/** The host's settings and parts that modules need. */
export interface HostModulesParts {
  /** Account keys allowed to sign actors; empty allows any. */
  allowedIssuers: readonly string[];
  skewSeconds: number;
  maxMemoryBytes: number;
  moduleCache?: ModuleCache;
  logger: Logger;
  events: HostEvents;
}

/** Options of a live update. */
export interface UpdateActorOptions {
  /** Allow a lower revision than the running one (a rollback). */
  force?: boolean;
  /** A name for messages, such as the module's file name. */
  source?: string;
}

/** Checks, compiles, swaps and keeps actor modules for a host. */
export class HostModules {
  readonly #parts: HostModulesParts;

  constructor(parts: HostModulesParts) {
    this.#parts = parts;
  }

  /** The module's claims, once every check passed; an actor's only. */
  async verify(bytes: Uint8Array): Promise<ActorClaims> {
    const { allowedIssuers, skewSeconds } = this.#parts;
    const claims = await verifyModule(bytes, {
      allowedIssuers: allowedIssuers.length > 0
        ? [...allowedIssuers]
        : undefined,
      skewSeconds,
    });
    if (claims.provider) {
      throw new TypeError("it is a provider, not an actor");
    }
    return claims;
  }

  /** The module instrumented and compiled under the memory ceiling. */
  compile(bytes: Uint8Array): Promise<WebAssembly.Module> {
    return compileActorModule(bytes, this.#parts.maxMemoryBytes);
  }

  /**
   * Replaces the module of the running actor that `find` gives for the
   * claims' subject; see `Host.updateActor`.
   */
  async update(
    bytes: Uint8Array,
    find: (key: string) => Actor | undefined,
    options: UpdateActorOptions,
  ): Promise<ActorClaims> {
    const source = options.source ?? "module";
    const claims = await this.verify(bytes).catch((error) => {
      throw new Error(
        `Cannot update actor "${source}": ${messageOf(error)}`,
        { cause: error },
      );
    });
    const actor = find(claims.subject);
    const what = `Cannot update actor "${claims.name ?? source}"`;
    if (!actor) throw new Error(`${what}: not running on this host`);
    const running = actor.claims.rev;
    if (
      !options.force && claims.rev !== undefined &&
      running !== undefined && claims.rev < running
    ) {
      throw new Error(
        `${what}: revision ${claims.rev} is lower than the running ` +
          `revision ${running} (force it to roll back)`,
      );
    }
    await this.#replace(actor, claims, bytes, source);
    await this.keep(claims, bytes);
    this.#parts.events.emit({
      type: "actor_update_complete",
      actor: claims.subject,
      revision: claims.rev,
    });
    return claims;
  }

  /**
   * Keeps a started or updated module in the cache. A module that cannot
   * be kept still runs; it just cannot come back after a restart without
   * its source, which the log says.
   */
  async keep(claims: ActorClaims, bytes: Uint8Array): Promise<void> {
    try {
      await this.#parts.moduleCache?.put(claims.hash, bytes);
    } catch (error) {
      this.#parts.logger.warn("cannot keep actor module", {
        actor: claims.subject,
        error: messageOf(error),
      });
    }
  }

  // Past the claims checks the update has started: any failure from here
  // on is a rollback, the old module still serving, and says so.
  async #replace(
    actor: Actor,
    claims: ActorClaims,
    bytes: Uint8Array,
    source: string,
  ): Promise<void> {
    const { events } = this.#parts;
    events.emit({ type: "actor_updating", actor: claims.subject });
    try {
      const module = await this.compile(bytes).catch((error) => {
        throw new UpdateRolledBackError(
          claims.name ?? source,
          `new module failed to compile: ${messageOf(error)}`,
          { cause: error },
        );
      });
      await actor.update(claims, module);
    } catch (error) {
      events.emit({
        type: "actor_update_rolled_back",
        actor: claims.subject,
        reason: messageOf(error),
      });
      throw error;
    }
  }
}
