/**
 * What a host runs because of a manifest: the record a reload compares the
 * next manifest with. It holds what was actually applied, so an entry that
 * failed to start is absent and is tried again at the next reload.
 *
 * @module
 */
import type { ManifestBinding, ManifestCapability } from "./manifest.ts";
import type { ProviderFactory } from "./provider.ts";

/** An actor started from a manifest entry. */
export interface AppliedActor {
  /** The module's public key (`sub` of its claims). */
  key: string;
  /** The name in its claims, for messages. */
  name?: string;
  /** The module file it was last started or updated from. */
  path: string;
  /** The module hash of its claims. */
  hash: string;
  /** Instances in its pool. */
  instances: number;
  /** Its own queue limit, when the entry set one. */
  queueLimit?: number;
}

/** A provider instance a manifest started or listed. */
export interface AppliedProvider {
  /** The capability id the provider serves. */
  capabilityId: string;
  /** Its binding name. */
  binding: string;
  /** What made it. */
  factory: ProviderFactory;
}

/** What a manifest made a host run, as keyed records. */
export interface AppliedManifest {
  /** Absolute path of the manifest. */
  path: string;
  /** The labels the host was started with. */
  labels: Record<string, string>;
  /** Actors by module key. */
  actors: Map<string, AppliedActor>;
  /** Providers of `capabilities` entries, by {@linkcode capabilityKey}. */
  capabilities: Map<string, AppliedProvider>;
  /**
   * Providers started only because a binding needed them, by
   * {@linkcode providerKey}.
   */
  implicit: Map<string, AppliedProvider>;
  /** Bindings by {@linkcode bindingKey}. */
  bindings: Map<string, ManifestBinding>;
}

/** A record of nothing applied yet. */
export function emptyAppliedManifest(
  path: string,
  labels: Record<string, string> = {},
): AppliedManifest {
  return {
    path,
    labels,
    actors: new Map(),
    capabilities: new Map(),
    implicit: new Map(),
    bindings: new Map(),
  };
}

/** A copy whose maps can change without touching `applied`. */
export function copyAppliedManifest(
  applied: AppliedManifest,
): AppliedManifest {
  return {
    path: applied.path,
    labels: { ...applied.labels },
    actors: new Map(applied.actors),
    capabilities: new Map(applied.capabilities),
    implicit: new Map(applied.implicit),
    bindings: new Map(applied.bindings),
  };
}

/** Matches `capabilities` entries: by id or path, and binding name. */
export function capabilityKey(capability: ManifestCapability): string {
  const source = capability.kind === "builtin"
    ? capability.id
    : capability.path;
  return `${capability.kind}\u0000${source}\u0000${capability.binding}`;
}

/** Identifies a provider instance on a host. */
export function providerKey(capabilityId: string, binding: string): string {
  return `${capabilityId}\u0000${binding}`;
}

/** Matches bindings: by actor, capability id and binding name. */
export function bindingKey(binding: ManifestBinding): string {
  return `${binding.actor}\u0000${binding.capability}\u0000${binding.binding}`;
}

/** Whether two sets of binding values hold the same pairs. */
export function sameValues(
  a: Record<string, string>,
  b: Record<string, string>,
): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

/**
 * `{ queueLimit }` when an actor has a queue limit of its own, else
 * nothing: records and state files carry the key only when it applies.
 */
export function queueLimitField(
  queueLimit: number | undefined,
): { queueLimit?: number } {
  return queueLimit === undefined ? {} : { queueLimit };
}
