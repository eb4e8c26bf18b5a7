/**
 * State changes a host reports to whoever listens: typed events, not log
 * lines.
 *
 * @module
 */

/** Something that happened on a host. */
export type HostEvent =
  | { type: "actor_starting"; actor: string }
  | { type: "actor_started"; actor: string; name?: string; instances: number }
  | { type: "actor_stopped"; actor: string }
  | { type: "actor_updating"; actor: string }
  | { type: "actor_update_complete"; actor: string; revision?: number }
  | { type: "actor_update_rolled_back"; actor: string; reason: string }
  | { type: "actor_scaled"; actor: string; instances: number }
  | { type: "actor_queue_limit_changed"; actor: string; queueLimit: number }
  | { type: "provider_loaded"; capabilityId: string; binding: string }
  | { type: "provider_removed"; capabilityId: string; binding: string }
  | {
    type: "binding_created";
    actor: string;
    capabilityId: string;
    binding: string;
  }
  | {
    type: "binding_removed";
    actor: string;
    capabilityId: string;
    binding: string;
  }
  | {
    type: "link_changed";
    state: "up" | "down";
    server?: string;
    reason?: string;
  };

/** A listener of host events. */
export type HostEventListener = (event: HostEvent) => void;

/** Delivers events to listeners; a throwing listener harms no other. */
export class HostEvents {
  readonly #listeners = new Set<HostEventListener>();

  /** Adds a listener; the returned function removes it. */
  on(listener: HostEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Sends an event to every listener. */
  emit(event: HostEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the host goes on.
      }
    }
  }
}
