/**
 * The host: runs actors next to capability providers on one machine,
 * binds them, and routes every guest call by the rules of spec §4.
 *
 * @module
 */
import { join } from "node:path";
import { Actor, type InvocationContext } from "./actor.ts";
import { type ActorClaims, verifyModule } from "./claims.ts";
import {
  authorize,
  bindingName,
  capabilityUrl,
  checkCycle,
  isActorNamespace,
} from "./dispatch.ts";
import { HostEvents } from "./host_events.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { ActorBinding, ProviderFactory } from "./provider.ts";
import { type BindingInfo, ProviderRegistry } from "./provider_registry.ts";
import { type HostCall, messageOf } from "./wapc_instance.ts";
import { compileActorModule } from "./actor_module.ts";
import { wasccValues } from "./binding_values.ts";

/** How a host runs its actors. */
export interface HostOptions {
  /** The host's identity: a server public key (`N…`). */
  id: string;
  /** Where providers keep their files. */
  dataDir: string;
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
}

export type { BindingInfo };

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
  readonly #options: Required<Omit<HostOptions, "labels">> & {
    labels: Record<string, string>;
  };
  readonly #actors = new Map<string, Actor>();
  readonly #providers = new ProviderRegistry();
  readonly #started = performance.now();

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
      claims = await verifyModule(bytes, {
        allowedIssuers: this.#options.allowedIssuers.length > 0
          ? this.#options.allowedIssuers
          : undefined,
        skewSeconds: this.#options.skewSeconds,
      });
      if (claims.provider) {
        throw new TypeError("it is a provider, not an actor");
      }
      if (this.#actors.has(claims.subject)) {
        throw new Error(`actor ${claims.subject} is already running`);
      }
      const actor = await Actor.start({
        claims,
        module: await compileActorModule(
          bytes,
          this.#options.maxMemoryBytes,
        ),
        instances: options.instances ?? 1,
        deadlineMs: this.#options.deadlineMs,
        queueLimit: this.#options.queueLimit,
        host: { hostCall: (...args) => this.#hostCall(...args) },
        logger: this.#options.logger,
      });
      this.#actors.set(claims.subject, actor);
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

  /** Stops an actor after its running invocations and unbinds it. */
  async stopActor(key: string): Promise<void> {
    const actor = this.#actors.get(key);
    if (!actor) throw new Error(`Cannot stop actor "${key}": not running`);
    this.#actors.delete(key);
    await actor.stop();
    for (const entry of this.#providers.entries()) {
      if (entry.actors.has(key)) {
        await this.unbind(key, entry.factory.capabilityId, entry.binding);
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
        this.#deliver(actor, operation, payload),
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
  async bind(
    actor: string,
    capabilityId: string,
    binding?: string,
    values: Record<string, string> = {},
  ): Promise<void> {
    const name = bindingName(binding);
    const what = `Cannot bind actor "${actor}" to ${capabilityId} "${name}"`;
    const running = this.#actors.get(actor);
    if (!running) throw new Error(`${what}: actor not running`);
    if (!running.claims.caps.includes(capabilityId)) {
      throw new Error(`${what}: capability not in the actor's claims`);
    }
    const entry = this.#providers.get(capabilityId, name);
    if (!entry) throw new Error(`${what}: no such provider is running`);
    const actorBinding: ActorBinding = {
      actor,
      binding: name,
      values: { ...values, ...wasccValues(running.claims) },
    };
    try {
      await entry.provider.bind(actorBinding);
    } catch (error) {
      throw new Error(`${what}: ${messageOf(error)}`, { cause: error });
    }
    entry.actors.set(actor, actorBinding);
    this.events.emit({
      type: "binding_created",
      actor,
      capabilityId,
      binding: name,
    });
  }

  /** Removes a binding; the provider releases what it held for it. */
  async unbind(
    actor: string,
    capabilityId: string,
    binding?: string,
  ): Promise<void> {
    const name = bindingName(binding);
    const entry = this.#providers.get(capabilityId, name);
    if (!entry?.actors.has(actor)) {
      throw new Error(
        `Cannot unbind actor "${actor}" from ${capabilityId} "${name}": ` +
          "not bound",
      );
    }
    entry.actors.delete(actor);
    await entry.provider.unbind(actor);
    this.events.emit({
      type: "binding_removed",
      actor,
      capabilityId,
      binding: name,
    });
  }

  /** Every binding on this host. */
  bindings(): BindingInfo[] {
    return this.#providers.bindings();
  }

  /** Invokes an operation on a running actor from outside (origin system). */
  invoke(
    actor: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array> {
    return this.#invokeActor(actor, operation, payload, { chain: [] });
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

  async #bindAutomatic(claims: ActorClaims): Promise<void> {
    for (const factory of this.#options.autoProviders) {
      if (!claims.caps.includes(factory.capabilityId)) continue;
      if (!this.hasProvider(factory.capabilityId)) {
        await this.startProvider(factory);
      }
      await this.bind(claims.subject, factory.capabilityId);
    }
  }

  #hostCall(
    claims: ActorClaims,
    context: InvocationContext,
    call: HostCall,
  ): Promise<Uint8Array> {
    authorize(claims, call.namespace);
    if (isActorNamespace(call.namespace)) {
      checkCycle(context.chain, call.namespace);
      return this.#invokeActor(
        call.namespace,
        call.operation,
        call.payload,
        context,
      );
    }
    const binding = bindingName(call.binding);
    const entry = this.#providers.get(call.namespace, binding);
    if (!entry?.actors.has(claims.subject)) {
      throw new Error(
        `Cannot call ${capabilityUrl(call.namespace, binding)}: ` +
          `actor "${claims.subject}" is not bound to it`,
      );
    }
    return entry.provider.call({
      actor: claims.subject,
      operation: call.operation,
      payload: call.payload,
    });
  }

  #invokeActor(
    key: string,
    operation: string,
    payload: Uint8Array,
    context: InvocationContext,
  ): Promise<Uint8Array> {
    const actor = this.#actors.get(key);
    if (!actor) {
      return Promise.reject(
        new Error(`Cannot invoke actor "${key}": not running on this host`),
      );
    }
    return actor.invoke(operation, payload, context);
  }

  #deliver(
    key: string,
    operation: string,
    payload: Uint8Array,
  ): Promise<Uint8Array> {
    return this.#invokeActor(key, operation, payload, { chain: [] });
  }
}
