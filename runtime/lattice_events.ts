/**
 * Host events as the lattice hears them: CloudEvents 1.0 in JSON on
 * `P.events`, `type` = `wasmbus.events.<snake_name>` and `data` the JSON
 * text of the externally tagged event (spec §5). docs/lattice.md lists
 * every event, waSCC's and trellis's own.
 *
 * @module
 */
import type { HostEvent } from "./host_events.ts";

/** A CloudEvent as hosts publish it. */
export interface LatticeCloudEvent {
  specversion: "1.0";
  id: string;
  type: string;
  /** The publishing host's id. */
  source: string;
  time: string;
  datacontenttype: "application/json";
  /** JSON text of `{ "<EventName>": { … } }`. */
  data: string;
}

/** An event by its name (`ActorStarted`) and its fields. */
export interface NamedEvent {
  name: string;
  fields: Record<string, unknown>;
}

/** The lattice form of a host event. */
export function namedEvent(event: HostEvent): NamedEvent {
  switch (event.type) {
    case "actor_starting":
      return named("ActorStarting", { actor: event.actor });
    case "actor_started":
      return named("ActorStarted", {
        actor: event.actor,
        name: event.name ?? null,
        instances: event.instances,
      });
    case "actor_stopped":
      return named("ActorStopped", { actor: event.actor });
    case "actor_updating":
      return named("ActorUpdating", { actor: event.actor });
    case "actor_update_complete":
      return named("ActorUpdateComplete", {
        actor: event.actor,
        revision: event.revision ?? null,
      });
    case "actor_update_rolled_back":
      return named("ActorUpdateRolledBack", {
        actor: event.actor,
        reason: event.reason,
      });
    case "actor_scaled":
      return named("ActorScaled", {
        actor: event.actor,
        instances: event.instances,
      });
    case "actor_queue_limit_changed":
      return named("ActorQueueLimitChanged", {
        actor: event.actor,
        queue_limit: event.queueLimit,
      });
    case "provider_loaded":
      return named("ProviderLoaded", {
        capid: event.capabilityId,
        instance_name: event.binding,
      });
    case "provider_removed":
      return named("ProviderRemoved", {
        capid: event.capabilityId,
        instance_name: event.binding,
      });
    case "binding_created":
      return named("ActorBindingCreated", {
        actor: event.actor,
        capid: event.capabilityId,
        instance_name: event.binding,
      });
    case "binding_removed":
      return named("ActorBindingRemoved", {
        actor: event.actor,
        capid: event.capabilityId,
        instance_name: event.binding,
      });
    case "link_changed":
      return named("LinkChanged", {
        state: event.state,
        server: event.server ?? null,
        reason: event.reason ?? null,
      });
  }
}

/** Wraps a named event from `host` as a CloudEvent. */
export function cloudEvent(host: string, event: NamedEvent): LatticeCloudEvent {
  return {
    specversion: "1.0",
    id: crypto.randomUUID(),
    type: `wasmbus.events.${snakeName(event.name)}`,
    source: host,
    time: new Date().toISOString(),
    datacontenttype: "application/json",
    data: JSON.stringify({ [event.name]: event.fields }),
  };
}

/**
 * Reads a CloudEvent published by a host; undefined for anything that is
 * not one (the subject is open to every publisher).
 */
export function readCloudEvent(
  payload: Uint8Array,
): (NamedEvent & { source: string }) | undefined {
  try {
    const event = JSON.parse(new TextDecoder().decode(payload));
    if (typeof event?.source !== "string" || typeof event.data !== "string") {
      return undefined;
    }
    const data = JSON.parse(event.data);
    const [name] = Object.keys(data ?? {});
    if (!name || typeof data[name] !== "object" || data[name] === null) {
      return undefined;
    }
    return { name, fields: data[name], source: event.source };
  } catch {
    return undefined;
  }
}

/** `ActorStarted` → `actor_started`. */
export function snakeName(name: string): string {
  return name.replace(/(?<!^)([A-Z])/g, "_$1").toLowerCase();
}

function named(name: string, fields: Record<string, unknown>): NamedEvent {
  return { name, fields };
}
