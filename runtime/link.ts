/**
 * The link between a host and the rest of its lattice, as the runtime sees
 * it: a bus that keeps working offline and says whether it reaches other
 * hosts. `leaf/` implements it over NATS; the runtime only reads its state.
 *
 * @module
 */
import type { Bus } from "./bus.ts";

/** Whether the host reaches the lattice now. */
export type LinkState = "up" | "down";

/** A change of the link's state. */
export interface LinkEvent {
  state: LinkState;
  /** The server reached, when up. */
  server?: string;
  /** Why the link is down, when known. */
  reason?: string;
}

/**
 * Whether the cloud beyond the server the host is linked to can be
 * reached: `unknown` when the link is up but nothing can tell (the
 * server's monitoring endpoint does not answer).
 */
export type UpstreamState = "up" | "down" | "unknown";

/** A change of the upstream's state. */
export interface UpstreamEvent {
  state: UpstreamState;
  /** The cloud server reached, when up and known. */
  server?: string;
  /** Why it is down or unknown, when known. */
  reason?: string;
}

/** A bus that works offline and joins the lattice whenever it can. */
export interface LinkedBus extends Bus {
  /** `up` while other hosts can be reached. */
  readonly state: LinkState;
  /** Adds a listener of link changes; returns its remover. */
  onLink(listener: (event: LinkEvent) => void): () => void;
  /**
   * Whether the cloud is reachable: on a device linked to a local leaf
   * node, the leaf's own link to the hub. Without it, the link's state.
   */
  readonly upstream?: UpstreamState;
  /** Adds a listener of upstream changes; returns its remover. */
  onUpstream?(listener: (event: UpstreamEvent) => void): () => void;
}

/** A call needed another host while the link was down. */
export class LatticeUnreachableError extends Error {
  override name = "LatticeUnreachableError";
}
