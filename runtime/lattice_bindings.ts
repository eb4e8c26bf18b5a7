/**
 * Bindings across the lattice (spec §5). A host announces each binding of
 * its actors with a `BindActor` on `P.provider.<capid>.<binding>`, which
 * every host running that provider hears; those hosts bind the actor and
 * take its calls on `P.provider.<capid>.<binding>.<actor>` in a queue
 * group. When a provider appears somewhere (a `ProviderLoaded` event), the
 * bindings for it are announced again, so the order of start-up does not
 * matter.
 *
 * @module
 */
import type { Bus, BusMessage, Subscription } from "./bus.ts";
import { asString, asStringMap, decodeStruct, encode } from "./codec.ts";
import { bindingName } from "./dispatch.ts";
import type { Host } from "./host.ts";
import type { HostEvent } from "./host_events.ts";
import type { Entity, Invocation } from "./invocation.ts";
import {
  expectTarget,
  type InvocationHandler,
  InvocationRejectedError,
} from "./lattice_answer.ts";
import { descriptorJson } from "./lattice_inventory.ts";
import type { LatticeSubjects } from "./lattice_subjects.ts";
import type { BindingInfo } from "./provider_registry.ts";
import { bindingKey } from "./router.ts";

/** What the lattice lends its bindings part. */
export interface LatticeBindingsOptions {
  host: Host;
  bus: Bus;
  subjects: LatticeSubjects;
  serve(message: BusMessage, handle: InvocationHandler): void;
  send(subject: string, invocation: Invocation): void;
  invocation(target: Entity, operation: string, msg: Uint8Array): Invocation;
}

/** The binding traffic of one host. */
export class LatticeBindings {
  readonly #options: LatticeBindingsOptions;
  /** Per local provider: the subject that hears binds. */
  readonly #providers = new Map<string, Subscription>();
  /** Per binding to a local provider: the subject of the actor's calls. */
  readonly #calls = new Map<string, Subscription>();
  /** Per binding of a remote actor: the hosts that asked for it. */
  readonly #binders = new Map<string, Set<string>>();

  constructor(options: LatticeBindingsOptions) {
    this.#options = options;
  }

  /** Serves the host's providers and announces its actors' bindings. */
  start(): void {
    const { host } = this.#options;
    for (const provider of host.providers()) {
      this.#serveProvider(provider.capabilityId, provider.binding);
    }
    for (const binding of host.bindings()) this.#serveCalls(binding);
    for (const binding of this.#ownBindings()) this.#announce(binding);
  }

  /** Announces again every binding of this host's actors. */
  announceAll(): void {
    for (const binding of this.#ownBindings()) this.#announce(binding);
  }

  /** Announces again the bindings of this host's actors to a provider. */
  announce(capabilityId: string, binding: string): void {
    for (const info of this.#ownBindings()) {
      if (info.capabilityId === capabilityId && info.binding === binding) {
        this.#announce(info);
      }
    }
  }

  /** Follows the host's changes; `isLocal` says whether an actor is ours. */
  onHostEvent(event: HostEvent, isLocal: (actor: string) => boolean): void {
    const { host } = this.#options;
    switch (event.type) {
      case "provider_loaded":
        this.#serveProvider(event.capabilityId, event.binding);
        break;
      case "provider_removed":
        this.#end(this.#providers, key(event.capabilityId, event.binding));
        break;
      case "binding_created": {
        const info = this.#find(event.actor, event.capabilityId, event.binding);
        if (!info) break;
        if (host.hasProvider(event.capabilityId, event.binding)) {
          this.#serveCalls(info);
        }
        if (isLocal(event.actor)) this.#announce(info);
        break;
      }
      case "binding_removed": {
        const id = bindingKey(event.actor, event.capabilityId, event.binding);
        this.#end(this.#calls, id);
        this.#binders.delete(id);
        if (isLocal(event.actor)) {
          this.#send(event.capabilityId, event.binding, "RemoveActor", {
            ...event,
            values: {},
          });
        }
        break;
      }
    }
  }

  /** Ends every subscription. */
  clear(): void {
    for (
      const subscription of [
        ...this.#providers.values(),
        ...this.#calls.values(),
      ]
    ) {
      subscription.unsubscribe();
    }
    this.#providers.clear();
    this.#calls.clear();
    this.#binders.clear();
  }

  #ownBindings(): BindingInfo[] {
    const { host } = this.#options;
    const local = new Set(host.actors().map((claims) => claims.subject));
    return [...host.bindings(), ...host.latticeBindings()]
      .filter((info) => local.has(info.actor));
  }

  #find(
    actor: string,
    capabilityId: string,
    binding: string,
  ): BindingInfo | undefined {
    const { host } = this.#options;
    return [...host.bindings(), ...host.latticeBindings()].find((info) =>
      info.actor === actor && info.capabilityId === capabilityId &&
      info.binding === binding
    );
  }

  #announce(info: BindingInfo): void {
    this.#send(info.capabilityId, info.binding, "BindActor", info);
  }

  #send(
    capabilityId: string,
    binding: string,
    operation: string,
    info: BindingInfo,
  ): void {
    const invocation = this.#options.invocation(
      { kind: "capability", capabilityId, binding },
      operation,
      encodeConfiguration(info.actor, info.values),
    );
    this.#options.send(
      this.#options.subjects.providerBinding(capabilityId, binding),
      invocation,
    );
  }

  #serveProvider(capabilityId: string, binding: string): void {
    const id = key(capabilityId, binding);
    if (this.#providers.has(id)) return;
    const subject = this.#options.subjects.providerBinding(
      capabilityId,
      binding,
    );
    this.#providers.set(
      id,
      this.#options.bus.subscribe(subject, (message) =>
        this.#options.serve(
          message,
          (invocation) => this.#control(capabilityId, binding, invocation),
        )),
    );
  }

  async #control(
    capabilityId: string,
    binding: string,
    invocation: Invocation,
  ): Promise<Uint8Array> {
    const { host } = this.#options;
    expectCapability(invocation, capabilityId, binding);
    if (invocation.hostId === host.id) return new Uint8Array();
    switch (invocation.operation) {
      case "BindActor":
        await this.#bindRemote(capabilityId, binding, invocation);
        return new Uint8Array();
      case "RemoveActor":
        await this.#unbindRemote(capabilityId, binding, invocation);
        return new Uint8Array();
      case "GetCapabilityDescriptor":
      case "HealthRequest": {
        const provider = host.providers().find((info) =>
          info.capabilityId === capabilityId && info.binding === binding
        );
        return provider
          ? encode(descriptorJson(provider.descriptor))
          : encode({});
      }
      default:
        throw new RangeError(
          `Cannot perform "${invocation.operation}" on ${capabilityId} ` +
            `"${binding}": not a binding operation`,
        );
    }
  }

  async #bindRemote(
    capabilityId: string,
    binding: string,
    invocation: Invocation,
  ): Promise<void> {
    const { actor, values } = decodeConfiguration(invocation.msg);
    const claimed = (values.__wascc_capabilities ?? "").split(",");
    if (!claimed.includes(capabilityId)) {
      throw new InvocationRejectedError(
        `actor "${actor}" does not claim ${capabilityId}`,
      );
    }
    const id = bindingKey(actor, capabilityId, binding);
    const binders = this.#binders.get(id) ?? new Set();
    await this.#options.host.bindFromLattice({
      actor,
      capabilityId,
      binding,
      values,
    });
    binders.add(invocation.hostId);
    this.#binders.set(id, binders);
  }

  // A binding shared by several hosts running the same actor ends when the
  // last of them removes it, and never while the actor runs here too.
  async #unbindRemote(
    capabilityId: string,
    binding: string,
    invocation: Invocation,
  ): Promise<void> {
    const { host } = this.#options;
    const { actor } = decodeConfiguration(invocation.msg);
    const id = bindingKey(actor, capabilityId, binding);
    const binders = this.#binders.get(id);
    binders?.delete(invocation.hostId);
    if ((binders && binders.size > 0) || host.actor(actor)) return;
    const bound = host.bindings().some((info) =>
      info.actor === actor && info.capabilityId === capabilityId &&
      info.binding === binding
    );
    if (bound) await host.unbind(actor, capabilityId, binding);
  }

  #serveCalls(info: BindingInfo): void {
    const id = bindingKey(info.actor, info.capabilityId, info.binding);
    if (this.#calls.has(id)) return;
    const { actor, capabilityId, binding } = info;
    const subject = this.#options.subjects.providerCalls(
      capabilityId,
      binding,
      actor,
    );
    this.#calls.set(
      id,
      this.#options.bus.subscribe(
        subject,
        (message) =>
          this.#options.serve(message, (invocation) => {
            expectCapability(invocation, capabilityId, binding);
            const { origin } = invocation;
            if (origin.kind !== "actor" || origin.key !== actor) {
              throw new InvocationRejectedError(
                `origin is not actor "${actor}"`,
              );
            }
            return this.#options.host.callProvider(
              actor,
              capabilityId,
              binding,
              invocation.operation,
              invocation.msg,
            );
          }),
        { queue: subject },
      ),
    );
  }

  #end(map: Map<string, Subscription>, id: string): void {
    map.get(id)?.unsubscribe();
    map.delete(id);
  }
}

function expectCapability(
  invocation: Invocation,
  capabilityId: string,
  binding: string,
): void {
  const { target } = invocation;
  expectTarget(
    target.kind === "capability" && target.capabilityId === capabilityId &&
      bindingName(target.binding) === binding,
    `${capabilityId} "${binding}"`,
  );
}

function key(capabilityId: string, binding: string): string {
  return `${capabilityId}\u0000${binding}`;
}

/** The `CapabilityConfiguration` of a bind: the actor and its values. */
export function encodeConfiguration(
  actor: string,
  values: Record<string, string>,
): Uint8Array {
  return encode({ module: actor, values });
}

/** Reads a `CapabilityConfiguration`. */
export function decodeConfiguration(
  bytes: Uint8Array,
): { actor: string; values: Record<string, string> } {
  const fields = decodeStruct(bytes, ["module", "values"], "configuration");
  return {
    actor: asString(fields.module, "module"),
    values: asStringMap(fields.values, "values"),
  };
}
