/**
 * Where invocations go: a guest's host call to a provider or another
 * actor, and invocations of actors from providers or from outside. The
 * rules are spec §4's (runtime/dispatch.ts); this is their wiring.
 *
 * @module
 */
import type { Actor, InvocationContext } from "./actor.ts";
import type { ActorClaims } from "./claims.ts";
import {
  authorize,
  bindingName,
  capabilityUrl,
  checkCycle,
  isActorNamespace,
} from "./dispatch.ts";
import type { Entity } from "./invocation.ts";
import type { BindingInfo, ProviderRegistry } from "./provider_registry.ts";
import type { Remote } from "./remote.ts";
import type { HostCall } from "./wapc_instance.ts";

/** The origin of invocations the host makes itself. */
const SYSTEM: Entity = { kind: "actor", key: "system" };

/** Routes invocations between the actors and providers of a host. */
export class Router {
  /** Where calls go that this host cannot serve itself, if anywhere. */
  remote?: Remote;

  /**
   * Routes over the host's actors and providers; `latticeBindings` holds
   * the bindings of its actors to providers that run on other hosts,
   * keyed by {@link bindingKey}.
   */
  constructor(
    readonly actors: ReadonlyMap<string, Actor>,
    readonly providers: ProviderRegistry,
    readonly latticeBindings: ReadonlyMap<string, BindingInfo>,
  ) {}

  /**
   * Routes a guest's host call after checking it against the caller's
   * claims: to another actor (module key namespace) or to the provider
   * bound under the call's binding name.
   */
  hostCall(
    claims: ActorClaims,
    context: InvocationContext,
    call: HostCall,
  ): Promise<Uint8Array> {
    authorize(claims, call.namespace);
    if (isActorNamespace(call.namespace)) {
      checkCycle(context.chain, call.namespace);
      return this.invoke(
        call.namespace,
        call.operation,
        call.payload,
        context,
        { kind: "actor", key: claims.subject },
      );
    }
    const binding = bindingName(call.binding);
    const entry = this.providers.get(call.namespace, binding);
    if (!entry?.actors.has(claims.subject)) {
      const key = bindingKey(claims.subject, call.namespace, binding);
      if (this.remote && this.latticeBindings.has(key)) {
        return this.remote.callProvider(
          claims.subject,
          call.namespace,
          binding,
          call.operation,
          call.payload,
        );
      }
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

  /**
   * Invokes an operation on an actor of this host only, as the lattice
   * does for invocations it receives; `chain` holds the actors whose
   * invocations wait on this one elsewhere in the lattice, and a call back
   * into one of them fails at once as a cycle.
   */
  invokeLocal(
    key: string,
    operation: string,
    payload: Uint8Array,
    chain: readonly string[],
  ): Promise<Uint8Array> {
    const actor = this.actors.get(key);
    if (!actor) {
      return Promise.reject(
        new Error(`Cannot invoke actor "${key}": not running on this host`),
      );
    }
    try {
      checkCycle(chain, key);
    } catch (error) {
      return Promise.reject(error);
    }
    return actor.invoke(operation, payload, { chain });
  }

  /**
   * Invokes an operation on an actor: on this host when it runs here (local
   * first), otherwise through the lattice when there is one.
   */
  invoke(
    key: string,
    operation: string,
    payload: Uint8Array,
    context: InvocationContext = { chain: [] },
    origin: Entity = SYSTEM,
  ): Promise<Uint8Array> {
    const actor = this.actors.get(key);
    if (!actor) {
      if (this.remote) {
        return this.remote.invokeActor(
          key,
          operation,
          payload,
          origin,
          context.chain,
        );
      }
      return Promise.reject(
        new Error(`Cannot invoke actor "${key}": not running on this host`),
      );
    }
    return actor.invoke(operation, payload, context);
  }
}

/** The key of a binding in maps of bindings. */
export function bindingKey(
  actor: string,
  capabilityId: string,
  binding: string,
): string {
  return `${actor}\u0000${capabilityId}\u0000${binding}`;
}
