/**
 * Auctions (spec §5): a caller asks every host which could run an actor
 * or a provider under label constraints; each host that could answers
 * with a bid, and the caller picks one. A host bids when every constraint
 * label equals its own and it does not already run what is asked for.
 *
 * @module
 */
import { asString, asStringMap } from "./codec.ts";
import type { Host } from "./host.ts";
import { latticeLabels } from "./lattice_inventory.ts";

/** What an actor auction asks: where `actor_id` could run. */
export interface ActorAuction {
  /** The actor's key, when known; hosts running it do not bid. */
  actor?: string;
  constraints: Record<string, string>;
}

/** What a provider auction asks. */
export interface ProviderAuction {
  capabilityId: string;
  binding: string;
  constraints: Record<string, string>;
}

/** A host's bid: waSCC's `host_id`, and what it carries already. */
export interface Bid {
  host_id: string;
  labels: Record<string, string>;
  /** Actors it runs. */
  actors: number;
  /** Instances of all its actors together. */
  instances: number;
}

/** Reads an actor auction's JSON body. */
export function readActorAuction(body: Record<string, unknown>): ActorAuction {
  const actor = asString(body.actor_id, "actor_id");
  return {
    ...(actor ? { actor } : {}),
    constraints: asStringMap(body.constraints, "constraints"),
  };
}

/** Reads a provider auction's JSON body. */
export function readProviderAuction(
  body: Record<string, unknown>,
): ProviderAuction {
  const capabilityId = asString(body.capability_id, "capability_id");
  if (capabilityId === "") {
    throw new TypeError(
      'Cannot read auction: field "capability_id" is missing',
    );
  }
  return {
    capabilityId,
    binding: asString(body.binding_name, "binding_name", "default") ||
      "default",
    constraints: asStringMap(body.constraints, "constraints"),
  };
}

/** Whether every constraint names a label with exactly that value. */
export function satisfies(
  labels: Record<string, string>,
  constraints: Record<string, string>,
): boolean {
  return Object.entries(constraints).every(([key, value]) =>
    Object.hasOwn(labels, key) && labels[key] === value
  );
}

/** The bid of `host` in an actor auction, or undefined when it passes. */
export function actorBid(host: Host, auction: ActorAuction): Bid | undefined {
  if (auction.actor && host.actor(auction.actor)) return undefined;
  return bidIfSatisfied(host, auction.constraints);
}

/**
 * The bid of `host` in a provider auction; `available` says whether the
 * host can start that capability at all.
 */
export function providerBid(
  host: Host,
  auction: ProviderAuction,
  available: boolean,
): Bid | undefined {
  if (!available || host.hasProvider(auction.capabilityId, auction.binding)) {
    return undefined;
  }
  return bidIfSatisfied(host, auction.constraints);
}

/** Orders bids least loaded first: fewest instances, actors, host id. */
export function compareBids(a: Bid, b: Bid): number {
  return a.instances - b.instances || a.actors - b.actors ||
    a.host_id.localeCompare(b.host_id);
}

/** The least loaded bid. */
export function pickBid(bids: readonly Bid[]): Bid | undefined {
  return bids.toSorted(compareBids)[0];
}

function bidIfSatisfied(
  host: Host,
  constraints: Record<string, string>,
): Bid | undefined {
  const labels = latticeLabels(host);
  if (!satisfies(labels, constraints)) return undefined;
  const actors = host.actors();
  return {
    host_id: host.id,
    labels,
    actors: actors.length,
    instances: actors.reduce(
      (sum, claims) => sum + (host.actor(claims.subject)?.instances ?? 0),
      0,
    ),
  };
}
