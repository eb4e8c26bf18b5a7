/**
 * The host: runs actors next to capability providers on one machine,
 * binds them, and routes every guest call by the rules of spec §4.
 *
 * @module
 */
import { Actor } from "./actor.ts";
import type { ActorClaims } from "./claims.ts";
import { HostBindings } from "./host_bindings.ts";
import { HostEvents } from "./host_events.ts";
import { HostModules, type UpdateActorOptions } from "./host_modules.ts";
import { HostProviders, type ProviderInfo } from "./host_providers.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { ProviderFactory } from "./provider.ts";
import { type BindingInfo, ProviderRegistry } from "./provider_registry.ts";
import { messageOf } from "./wapc_instance.ts";
import type { Remote } from "./remote.ts";
import { Router } from "./router.ts";
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

export type { BindingInfo, ProviderInfo, UpdateActorOptions };

/** Options for one actor. */
export interface StartActorOptions {
  /** Instances in the actor's pool (default 1). */
  instances?: number;
  /** Invocations that may wait before "busy" (default: the host's). */
  queueLimit?: number;
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
  readonly #modules: HostModules;
  readonly #providerInstances: HostProviders;
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
    this.#modules = new HostModules({ ...this.#options, events: this.events });
    this.#providerInstances = new HostProviders({
      providers: this.#providers,
      router: this.#router,
      events: this.events,
      logger: this.#options.logger,
      dataDir: this.#options.dataDir,
      bind: (actor, capabilityId) => this.bind(actor, capabilityId),
      unbind: (actor, capabilityId, binding) =>
        this.unbind(actor, capabilityId, binding),
    });
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
      claims = await this.#modules.verify(bytes);
      if (this.#actors.has(claims.subject)) {
        throw new Error(`actor ${claims.subject} is already running`);
      }
      this.events.emit({ type: "actor_starting", actor: claims.subject });
      const actor = await Actor.start({
        claims,
        module: await this.#modules.compile(bytes),
        instances: options.instances ?? 1,
        deadlineMs: this.#options.deadlineMs,
        queueLimit: options.queueLimit ?? this.#options.queueLimit,
        ownQueueLimit: options.queueLimit !== undefined,
        host: this.#router,
        logger: this.#options.logger,
      });
      this.#actors.set(claims.subject, actor);
      await this.#modules.keep(claims, bytes);
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
    await this.#providerInstances.bindAutomatic(
      claims,
      this.#options.autoProviders,
    );
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
    const update = () =>
      this.#modules.update(bytes, (key) => this.#actors.get(key), options);
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

  /**
   * Sets how many invocations of a running actor may wait for a free
   * instance; undefined restores the host's limit. Those already waiting
   * stay queued.
   */
  setQueueLimit(key: string, queueLimit?: number): void {
    const actor = this.#actors.get(key);
    if (!actor) {
      throw new Error(`Cannot set the queue limit of "${key}": not running`);
    }
    const limit = queueLimit ?? this.#options.queueLimit;
    actor.setQueueLimit(limit, queueLimit !== undefined);
    this.events.emit({
      type: "actor_queue_limit_changed",
      actor: key,
      queueLimit: limit,
    });
  }

  /** The queue limit of a running actor that has its own, if it does. */
  queueLimitOf(key: string): number | undefined {
    const actor = this.#actors.get(key);
    return actor?.ownQueueLimit ? actor.queueLimit : undefined;
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
  startProvider(factory: ProviderFactory, binding?: string): Promise<void> {
    return this.#providerInstances.start(factory, binding);
  }

  /** Stops a provider instance, unbinding its actors first. */
  stopProvider(capabilityId: string, binding?: string): Promise<void> {
    return this.#providerInstances.stop(capabilityId, binding);
  }

  /** Whether a provider instance runs for a capability and binding. */
  hasProvider(capabilityId: string, binding?: string): boolean {
    return this.#providerInstances.has(capabilityId, binding);
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
    return this.#providerInstances.list();
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
   * does for invocations it receives; `chain` holds the actors waiting on
   * it elsewhere, and a call back into one of them fails as a cycle.
   */
  invokeLocal(
    actor: string,
    operation: string,
    payload: Uint8Array,
    chain: readonly string[] = [],
  ): Promise<Uint8Array> {
    return this.#router.invokeLocal(actor, operation, payload, chain);
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

  // Runs updates one after the other, so two never race on one actor.
  #serialize<T>(step: () => Promise<T>): Promise<T> {
    const result = this.#updates.then(step);
    this.#updates = result.then(() => {}, () => {});
    return result;
  }
}
