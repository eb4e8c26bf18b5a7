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
import type { ProviderRegistry } from "./provider_registry.ts";
import type { HostCall } from "./wapc_instance.ts";

/** Routes invocations between the actors and providers of a host. */
export class Router {
  constructor(
    readonly actors: ReadonlyMap<string, Actor>,
    readonly providers: ProviderRegistry,
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
      return this.invoke(call.namespace, call.operation, call.payload, context);
    }
    const binding = bindingName(call.binding);
    const entry = this.providers.get(call.namespace, binding);
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

  /** Invokes an operation on an actor of this host. */
  invoke(
    key: string,
    operation: string,
    payload: Uint8Array,
    context: InvocationContext = { chain: [] },
  ): Promise<Uint8Array> {
    const actor = this.actors.get(key);
    if (!actor) {
      return Promise.reject(
        new Error(`Cannot invoke actor "${key}": not running on this host`),
      );
    }
    return actor.invoke(operation, payload, context);
  }
}
