/**
 * Portable capability providers: signed waPC modules whose claims say
 * `prov: true` (spec §2, §3). They run like actors — verified,
 * instrumented, compiled, one pooled waPC instance with a deadline on
 * every call — and the host talks to them with the core operations
 * `GetCapabilityDescriptor`, `BindActor` and `RemoveActor`. A provider
 * delivers to a bound actor with a host call whose namespace is the
 * actor's key.
 *
 * @module
 */
import { Actor, type ActorHost, type InvocationContext } from "./actor.ts";
import { compileActorModule } from "./actor_module.ts";
import { type ActorClaims, verifyModule } from "./claims.ts";
import { encode } from "./codec.ts";
import { checkCycle, isActorNamespace } from "./dispatch.ts";
import { DeadlineExceededError } from "./errors.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type {
  ActorBinding,
  CapabilityDescriptor,
  CapabilityProvider,
  ProviderCall,
  ProviderContext,
  ProviderFactory,
} from "./provider.ts";
import { type HostCall, messageOf } from "./wapc_instance.ts";
import { decodeDescriptor } from "./wasm_provider_descriptor.ts";

/** How a portable provider is checked and run. */
export interface WasmProviderOptions {
  /** A name for messages, such as the module's path. */
  source?: string;
  /** Account keys allowed to sign the module; absent or empty allows any. */
  allowedIssuers?: string[];
  /** Clock skew tolerated on `exp` and `nbf`, in seconds (default 300). */
  skewSeconds?: number;
  /** Memory ceiling of the instance in bytes (default 64 MiB). */
  maxMemoryBytes?: number;
  /** Deadline of every call into the provider in ms (default 10 s). */
  deadlineMs?: number;
  /** Calls that may wait for the busy instance before "busy" (1000). */
  queueLimit?: number;
  /** Where the instance that reads the descriptor logs. */
  logger?: Logger;
}

/** A factory of portable provider instances, with what it was read from. */
export interface WasmProviderFactory extends ProviderFactory {
  /** The module's verified claims. */
  readonly claims: ActorClaims;
  /** What the module said about itself when it was loaded. */
  readonly descriptor: CapabilityDescriptor;
}

/** Operations only the host may send to a provider. */
const HOST_OPERATIONS = new Set(["BindActor", "RemoveActor"]);

type StartInstance = (host: ActorHost, logger: Logger) => Promise<Actor>;

/**
 * Verifies a provider module, compiles it, and reads its descriptor from
 * a probe instance, which is then stopped: the capability id a factory
 * names must be known before any instance is created. Each `create` runs
 * a fresh instance. Rejects with an error naming the source and the
 * failed check; an actor module is refused.
 */
export async function loadWasmProvider(
  bytes: Uint8Array,
  options: WasmProviderOptions = {},
): Promise<WasmProviderFactory> {
  const source = options.source ?? "module";
  try {
    const claims = await verifyModule(bytes, {
      allowedIssuers: options.allowedIssuers?.length
        ? options.allowedIssuers
        : undefined,
      skewSeconds: options.skewSeconds,
    });
    if (!claims.provider) {
      throw new TypeError(
        'it is an actor, not a provider (its claims lack "prov: true")',
      );
    }
    const module = await compileActorModule(
      bytes,
      options.maxMemoryBytes ?? 64 * 1024 * 1024,
    );
    // One instance: the provider keeps its bindings in its own memory.
    const start: StartInstance = (host, logger) =>
      Actor.start({
        claims,
        module,
        instances: 1,
        deadlineMs: options.deadlineMs ?? 10_000,
        queueLimit: options.queueLimit ?? 1000,
        host,
        logger,
      });
    const descriptor = await probeDescriptor(
      start,
      options.logger ?? silentLogger,
    );
    return {
      capabilityId: descriptor.id,
      claims,
      descriptor,
      create: (context) => WasmProvider.start(descriptor, start, context),
    };
  } catch (error) {
    throw new Error(
      `Cannot load provider "${source}": ${messageOf(error)}`,
      { cause: error },
    );
  }
}

/** Asks a probe instance for the descriptor, then stops it. */
async function probeDescriptor(
  start: StartInstance,
  logger: Logger,
): Promise<CapabilityDescriptor> {
  const probe = await start({
    hostCall: () =>
      Promise.reject(
        new Error("Cannot call host: the provider is being described"),
      ),
  }, logger);
  try {
    return await describe(probe);
  } finally {
    await probe.stop();
  }
}

/** Calls `GetCapabilityDescriptor` with `HealthRequest{placeholder}`. */
async function describe(instance: Actor): Promise<CapabilityDescriptor> {
  let reply: Uint8Array;
  try {
    reply = await instance.invoke(
      "GetCapabilityDescriptor",
      encode({ placeholder: false }),
    );
  } catch (error) {
    throw new Error(`cannot read its descriptor: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return decodeDescriptor(reply);
}

/** One running instance of a portable provider. */
class WasmProvider implements CapabilityProvider {
  readonly descriptor: CapabilityDescriptor;
  readonly #context: ProviderContext;
  /** Bound actors and the values they were bound with. */
  readonly #bound = new Map<string, Record<string, string>>();
  #instance!: Actor;

  private constructor(
    descriptor: CapabilityDescriptor,
    context: ProviderContext,
  ) {
    this.descriptor = descriptor;
    this.#context = context;
  }

  static async start(
    descriptor: CapabilityDescriptor,
    start: StartInstance,
    context: ProviderContext,
  ): Promise<WasmProvider> {
    const provider = new WasmProvider(descriptor, context);
    provider.#instance = await start(
      {
        hostCall: (_claims, invocation, call) =>
          provider.#hostCall(invocation, call),
      },
      context.logger,
    );
    return provider;
  }

  async bind({ actor, values }: ActorBinding): Promise<void> {
    await this.#invoke("BindActor", encode({ module: actor, values }));
    this.#bound.set(actor, values);
  }

  async unbind(actor: string): Promise<void> {
    const values = this.#bound.get(actor) ?? {};
    this.#bound.delete(actor);
    await this.#invoke("RemoveActor", encode({ module: actor, values }));
  }

  call({ actor, operation, payload }: ProviderCall): Promise<Uint8Array> {
    if (HOST_OPERATIONS.has(operation)) {
      return Promise.reject(
        new RangeError(
          `Cannot perform "${operation}": only the host may send it ` +
            `to ${this.descriptor.id}`,
        ),
      );
    }
    return this.#invoke(operation, payload, { chain: [actor] });
  }

  stop(): Promise<void> {
    this.#bound.clear();
    return this.#instance.stop();
  }

  async #invoke(
    operation: string,
    payload: Uint8Array,
    invocation?: InvocationContext,
  ): Promise<Uint8Array> {
    try {
      return await this.#instance.invoke(operation, payload, invocation);
    } catch (error) {
      if (error instanceof DeadlineExceededError) this.#bindAgain();
      throw error;
    }
  }

  /**
   * Past a deadline the pool replaces the instance with a fresh one, whose
   * memory holds no bindings: send them again. They queue behind calls
   * already waiting.
   */
  #bindAgain(): void {
    for (const [actor, values] of this.#bound) {
      this.#instance.invoke("BindActor", encode({ module: actor, values }))
        .catch((error) =>
          this.#context.logger.warn("cannot bind actor again", {
            actor,
            error: messageOf(error),
          })
        );
    }
  }

  async #hostCall(
    invocation: InvocationContext,
    call: HostCall,
  ): Promise<Uint8Array> {
    const target = call.namespace;
    if (!isActorNamespace(target)) {
      throw new RangeError(
        `Cannot call "${target}" from provider ${this.descriptor.id}: ` +
          "a provider may only deliver to actors",
      );
    }
    if (!this.#bound.has(target)) {
      throw new Error(
        `Cannot deliver "${call.operation}" to actor "${target}": ` +
          `not bound to ${this.descriptor.id} "${this.#context.binding}"`,
      );
    }
    // The calling actor waits on this call: delivering to it would wait
    // on itself until the deadline.
    checkCycle(invocation.chain, target);
    return await this.#context.deliver(target, call.operation, call.payload);
  }
}
