/**
 * The host: runs actors next to capability providers on one machine,
 * binds them, and routes every guest call by the rules of spec §4.
 *
 * @module
 */
import { join } from "node:path";
import { Actor } from "./actor.ts";
import { type ActorClaims, verifyModule } from "./claims.ts";
import { bindingName, checkCycle } from "./dispatch.ts";
import { UpdateRolledBackError } from "./errors.ts";
import { HostBindings } from "./host_bindings.ts";
import { HostEvents } from "./host_events.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { CapabilityDescriptor, ProviderFactory } from "./provider.ts";
import { type BindingInfo, ProviderRegistry } from "./provider_registry.ts";
import { messageOf } from "./wapc_instance.ts";
import type { Remote } from "./remote.ts";
import { Router } from "./router.ts";
import { compileActorModule } from "./actor_module.ts";
import type { ModuleCache } from "./module_cache.ts";

/** How a host runs its actors. */
export interface HostOptions {
  /** The host's identity: a server public key (`N…`). */
  id: string;
  /** Where providers keep their files. */
  dataDir: string;
  /** Where the host and its providers log (default: nowhere). */
  logger?: Logger;
  /** Per-invocation deadline in ms (default 10 s). */
  deadlineMs?: number;
  /** Memory ceiling per instance in bytes (default 64 MiB). */
  maxMemoryBytes?: number;
  /** Invocations that may wait per actor before "busy" (default 1000). */
  queueLimit?: number;
  /** Account keys allowed to sign actors; empty allows any. */
  allowedIssuers?: string[];
  /** Clock skew tolerated on `exp` and `nbf`, in seconds (default 300). */
  skewSeconds?: number;
  /** Host labels. */
  labels?: Record<string, string>;
  /** Factories for capabilities bound on demand, such as extras. */
  autoProviders?: ProviderFactory[];
  /**
   * Where the modules of started and updated actors are kept, so that the
   * host can run them again after a restart with no network.
   */
  moduleCache?: ModuleCache;
}

export type { BindingInfo };

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

/** Options of a live update. */
export interface UpdateActorOptions {
  /** Allow a lower revision than the running one (a rollback). */
  force?: boolean;
  /** A name for messages, such as the module's file name. */
  source?: string;
}

/** Options for one actor. */
export interface StartActorOptions {
  /** Instances in the actor's pool (default 1). */
  instances?: number;
  /** A name for messages, such as the module's file name. */
  source?: string;
}

/** A trellis host on one machine. */
export class Host {
  /** State changes of this host. */
  readonly events: HostEvents = new HostEvents();
  readonly #options:
    & Required<Omit<HostOptions, "labels" | "moduleCache">>
    & Pick<HostOptions, "moduleCache">
    & { labels: Record<string, string> };
  readonly #actors = new Map<string, Actor>();
  readonly #providers = new ProviderRegistry();
  readonly #latticeBindings = new Map<string, BindingInfo>();
  readonly #router = new Router(
    this.#actors,
    this.#providers,
    this.#latticeBindings,
  );
  readonly #bindings = new HostBindings({
    actors: this.#actors,
    providers: this.#providers,
    lattice: this.#latticeBindings,
    router: this.#router,
    events: this.events,
  });
  readonly #started = performance.now();
  #updates: Promise<void> = Promise.resolve();

  /** A host with no actors or providers yet; unset options get defaults. */
  constructor(options: HostOptions) {
    this.#options = {
      logger: silentLogger,
      deadlineMs: 10_000,
      maxMemoryBytes: 64 * 1024 * 1024,
      queueLimit: 1000,
      allowedIssuers: [],
      skewSeconds: 300,
      labels: {},
      autoProviders: [],
      ...options,
    };
  }

  /** The host's server key. */
  get id(): string {
    return this.#options.id;
  }

  /** Milliseconds since the host was created (monotonic). */
  get uptimeMs(): number {
    return Math.round(performance.now() - this.#started);
  }

  /** The host's labels. */
  get labels(): Record<string, string> {
    return { ...this.#options.labels };
  }

  /** Sets one label, or with `value` undefined removes it. */
  setLabel(key: string, value: string | undefined): void {
    const labels = { ...this.#options.labels };
    if (value === undefined) delete labels[key];
    else labels[key] = value;
    this.#options.labels = labels;
  }

  /**
   * Verifies a signed module's claims, instruments and compiles it, and
   * starts its instances. Rejects with an error naming the failed check.
   */
  async startActor(
    bytes: Uint8Array,
    options: StartActorOptions = {},
  ): Promise<ActorClaims> {
    const source = options.source ?? "module";
    let claims: ActorClaims | undefined;
    try {
      claims = await this.#verify(bytes);
      if (this.#actors.has(claims.subject)) {
        throw new Error(`actor ${claims.subject} is already running`);
      }
      this.events.emit({ type: "actor_starting", actor: claims.subject });
      const actor = await Actor.start({
        claims,
        module: await compileActorModule(
          bytes,
          this.#options.maxMemoryBytes,
        ),
        instances: options.instances ?? 1,
        deadlineMs: this.#options.deadlineMs,
        queueLimit: this.#options.queueLimit,
        host: this.#router,
        logger: this.#options.logger,
      });
      this.#actors.set(claims.subject, actor);
      await this.#keepModule(claims, bytes);
    } catch (error) {
      const name = claims?.name ? `${source} (${claims.name})` : source;
      throw new Error(`Cannot start actor "${name}": ${messageOf(error)}`, {
        cause: error,
      });
    }
    this.events.emit({
      type: "actor_started",
      actor: claims.subject,
      name: claims.name,
      instances: options.instances ?? 1,
    });
    await this.#bindAutomatic(claims);
    return claims;
  }

  /**
   * Replaces a running actor's module with another of the same identity,
   * without dropping or interrupting an invocation. A lower `rev` than the
   * running one is refused unless `force`. Once the claims pass, the host
   * emits `actor_updating`; a module that fails to compile, to start or to
   * answer a health check is then rolled back (UpdateRolledBackError and
   * `actor_update_rolled_back`).
   */
  updateActor(
    bytes: Uint8Array,
    options: UpdateActorOptions = {},
  ): Promise<ActorClaims> {
    const update = async () => {
      const source = options.source ?? "module";
      const claims = await this.#verify(bytes).catch((error) => {
        throw new Error(
          `Cannot update actor "${source}": ${messageOf(error)}`,
          { cause: error },
        );
      });
      const actor = this.#actors.get(claims.subject);
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
      await this.#replaceModule(actor, claims, bytes, source);
      await this.#keepModule(claims, bytes);
      this.events.emit({
        type: "actor_update_complete",
        actor: claims.subject,
        revision: claims.rev,
      });
      return claims;
    };
    return this.#serialize(update);
  }

  /** Sets the number of instances of a running actor. */
  async scaleActor(key: string, instances: number): Promise<void> {
    const actor = this.#actors.get(key);
    if (!actor) throw new Error(`Cannot scale actor "${key}": not running`);
    if (actor.instances === instances) return;
    await actor.scale(instances);
    this.events.emit({ type: "actor_scaled", actor: key, instances });
  }

  /** Stops an actor after its running invocations and unbinds it. */
  async stopActor(key: string): Promise<void> {
    const actor = this.#actors.get(key);
    if (!actor) throw new Error(`Cannot stop actor "${key}": not running`);
    await this.#router.remote?.releaseActor(key);
    this.#actors.delete(key);
    await actor.stop();
    for (const entry of this.#providers.entries()) {
      if (entry.actors.has(key)) {
        await this.unbind(key, entry.factory.capabilityId, entry.binding);
      }
    }
    for (const info of [...this.#latticeBindings.values()]) {
      if (info.actor === key) {
        await this.unbind(key, info.capabilityId, info.binding);
      }
    }
    this.events.emit({ type: "actor_stopped", actor: key });
  }

  /** The claims of every running actor. */
  actors(): ActorClaims[] {
    return [...this.#actors.values()].map((actor) => actor.claims);
  }

  /** A running actor by key. */
  actor(key: string): Actor | undefined {
    return this.#actors.get(key);
  }

  /** Starts a provider instance for a capability under a binding name. */
  async startProvider(
    factory: ProviderFactory,
    binding?: string,
  ): Promise<void> {
    const name = bindingName(binding);
    if (this.#providers.get(factory.capabilityId, name)) {
      throw new Error(
        `Cannot start provider ${factory.capabilityId} "${name}": ` +
          "already running",
      );
    }
    const provider = await factory.create({
      binding: name,
      logger: this.#options.logger.child({
        capability: factory.capabilityId,
        binding: name,
      }),
      dataDir: join(
        this.#options.dataDir,
        "providers",
        factory.capabilityId.replaceAll(/[^A-Za-z0-9_.-]/g, "_"),
        name,
      ),
      deliver: (actor, operation, payload) =>
        this.#router.invoke(actor, operation, payload, { chain: [] }, {
          kind: "capability",
          capabilityId: factory.capabilityId,
          binding: name,
        }),
    });
    this.#providers.add({
      factory,
      binding: name,
      provider,
      actors: new Map(),
    });
    this.events.emit({
      type: "provider_loaded",
      capabilityId: factory.capabilityId,
      binding: name,
    });
  }

  /** Stops a provider instance, unbinding its actors first. */
  async stopProvider(capabilityId: string, binding?: string): Promise<void> {
    const name = bindingName(binding);
    const entry = this.#providers.get(capabilityId, name);
    if (!entry) {
      throw new Error(
        `Cannot stop provider ${capabilityId} "${name}": not running`,
      );
    }
    for (const actor of [...entry.actors.keys()]) {
      await this.unbind(actor, capabilityId, name);
    }
    this.#providers.delete(capabilityId, name);
    await entry.provider.stop();
    this.events.emit({
      type: "provider_removed",
      capabilityId,
      binding: name,
    });
  }

  /** Whether a provider instance runs for a capability and binding. */
  hasProvider(capabilityId: string, binding?: string): boolean {
    return this.#providers.get(capabilityId, bindingName(binding)) !==
      undefined;
  }

  /**
   * Binds an actor to a provider instance with configuration values.
   * Refused when the actor's claims do not list the capability.
   */
  bind(
    actor: string,
    capabilityId: string,
    binding?: string,
    values: Record<string, string> = {},
  ): Promise<void> {
    return this.#bindings.bind(actor, capabilityId, binding, values);
  }

  /** Removes a binding; the provider releases what it held for it. */
  unbind(
    actor: string,
    capabilityId: string,
    binding?: string,
  ): Promise<void> {
    return this.#bindings.unbind(actor, capabilityId, binding);
  }

  /** Every binding to a provider on this host. */
  bindings(): BindingInfo[] {
    return this.#providers.bindings();
  }

  /** Bindings of this host's actors to providers on other hosts. */
  latticeBindings(): BindingInfo[] {
    return [...this.#latticeBindings.values()];
  }

  /** The capability id, binding and descriptor of every provider here. */
  providers(): ProviderInfo[] {
    return this.#providers.entries().map((entry) => ({
      capabilityId: entry.factory.capabilityId,
      binding: entry.binding,
      descriptor: entry.provider.descriptor,
      ...(entry.factory.path ? { path: entry.factory.path } : {}),
    }));
  }

  /**
   * Sends calls this host cannot serve to `remote` (the lattice); without
   * one, calls to actors and providers elsewhere fail.
   */
  attachRemote(remote: Remote | undefined): void {
    this.#router.remote = remote;
  }

  /**
   * Binds an actor of another host to a provider of this one, as the
   * lattice asks (the actor's host checked its claims). Binding again with
   * the same values changes nothing.
   */
  bindFromLattice(binding: BindingInfo): Promise<void> {
    return this.#bindings.bindFromLattice(binding);
  }

  /** Performs a call of an actor on another host on a provider here. */
  callProvider(
    actor: string,
    capabilityId: string,
    binding: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array> {
    return this.#bindings.callProvider(
      actor,
      capabilityId,
      binding,
      operation,
      payload,
    );
  }

  /**
   * Invokes an operation on an actor from outside (origin system): here
   * when it runs here, otherwise through the lattice.
   */
  invoke(
    actor: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array> {
    return this.#router.invoke(actor, operation, payload);
  }

  /**
   * Invokes an operation on an actor of this host only, as the lattice
   * does for invocations it receives; `chain` holds the actors whose
   * invocations wait on this one, elsewhere in the lattice, and a call
   * back into one of them fails at once as a cycle.
   */
  invokeLocal(
    actor: string,
    operation: string,
    payload: Uint8Array,
    chain: readonly string[] = [],
  ): Promise<Uint8Array> {
    const running = this.#actors.get(actor);
    if (!running) {
      return Promise.reject(
        new Error(`Cannot invoke actor "${actor}": not running on this host`),
      );
    }
    try {
      checkCycle(chain, actor);
    } catch (error) {
      return Promise.reject(error);
    }
    return running.invoke(operation, payload, { chain });
  }

  /** Stops every actor, then every provider. */
  async stop(): Promise<void> {
    for (const key of [...this.#actors.keys()]) {
      await this.stopActor(key).catch((error) =>
        this.#options.logger.warn("cannot stop actor", {
          actor: key,
          error: messageOf(error),
        })
      );
    }
    for (const entry of this.#providers.entries()) {
      await this.stopProvider(entry.factory.capabilityId, entry.binding);
    }
  }

  async #verify(bytes: Uint8Array): Promise<ActorClaims> {
    const claims = await verifyModule(bytes, {
      allowedIssuers: this.#options.allowedIssuers.length > 0
        ? this.#options.allowedIssuers
        : undefined,
      skewSeconds: this.#options.skewSeconds,
    });
    if (claims.provider) {
      throw new TypeError("it is a provider, not an actor");
    }
    return claims;
  }

  // Past the claims checks the update has started: any failure from here
  // on is a rollback, the old module still serving, and says so.
  async #replaceModule(
    actor: Actor,
    claims: ActorClaims,
    bytes: Uint8Array,
    source: string,
  ): Promise<void> {
    this.events.emit({ type: "actor_updating", actor: claims.subject });
    try {
      const module = await compileActorModule(
        bytes,
        this.#options.maxMemoryBytes,
      ).catch((error) => {
        throw new UpdateRolledBackError(
          claims.name ?? source,
          `new module failed to compile: ${messageOf(error)}`,
          { cause: error },
        );
      });
      await actor.update(claims, module);
    } catch (error) {
      this.events.emit({
        type: "actor_update_rolled_back",
        actor: claims.subject,
        reason: messageOf(error),
      });
      throw error;
    }
  }

  // A module that cannot be kept still runs; it just cannot come back
  // after a restart without its source, which the log says.
  async #keepModule(claims: ActorClaims, bytes: Uint8Array): Promise<void> {
    try {
      await this.#options.moduleCache?.put(claims.hash, bytes);
    } catch (error) {
      this.#options.logger.warn("cannot keep actor module", {
        actor: claims.subject,
        error: messageOf(error),
      });
    }
  }

  // Runs updates one after the other, so two never race on one actor.
  #serialize<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#updates.then(step);
    this.#updates = result.then(() => {}, () => {});
    return result;
  }

  async #bindAutomatic(claims: ActorClaims): Promise<void> {
    for (const factory of this.#options.autoProviders) {
      if (!claims.caps.includes(factory.capabilityId)) continue;
      if (!this.hasProvider(factory.capabilityId)) {
        await this.startProvider(factory);
      }
      await this.bind(claims.subject, factory.capabilityId);
    }
  }
}
