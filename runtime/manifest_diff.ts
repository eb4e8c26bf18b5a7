/**
 * The difference between what a host runs for a manifest and what the
 * next version of the manifest asks for. Actors are matched by module
 * identity, not by path; capabilities by id or path and binding name;
 * bindings by actor, capability and binding name.
 *
 * @module
 */
import type { ManifestBinding } from "./manifest.ts";
import type {
  ResolvedActor,
  ResolvedCapability,
  ResolvedManifest,
} from "./manifest_resolve.ts";
import {
  type AppliedActor,
  type AppliedManifest,
  type AppliedProvider,
  bindingKey,
  providerKey,
  sameValues,
} from "./manifest_state.ts";

/** What a reload changes, entry by entry. */
export interface ManifestDiff {
  /** Actors whose identity is new. */
  startActors: ResolvedActor[];
  /** Actors whose identity is gone. */
  stopActors: AppliedActor[];
  /** Actors of the same identity with another module hash. */
  updateActors: ResolvedActor[];
  /** Actors of the same identity with another instance count. */
  scaleActors: ResolvedActor[];
  /** Actors of the same identity with another queue limit. */
  requeueActors: ResolvedActor[];
  /** Actors of the same identity and module hash (the path may differ). */
  unchangedActors: ResolvedActor[];
  /** Capability entries that are new. */
  startProviders: ResolvedCapability[];
  /** Providers the manifest started that nothing asks for any more. */
  stopProviders: AppliedProvider[];
  /** Bindings that are new. */
  addBindings: ManifestBinding[];
  /** Bindings that are gone. */
  removeBindings: ManifestBinding[];
  /**
   * Bindings whose values changed, or whose provider is replaced: unbound,
   * then bound again.
   */
  changeBindings: ManifestBinding[];
  /** Whether the labels differ; they apply at the next start only. */
  labelsChanged: boolean;
}

/** Compares what `applied` records with the resolved next manifest. */
export function diffManifest(
  applied: AppliedManifest,
  next: ResolvedManifest,
): ManifestDiff {
  const { replaced, ...providers } = diffProviders(applied, next);
  return {
    ...diffActors(applied, next.actors),
    ...providers,
    ...diffBindings(applied, next.manifest.bindings, replaced),
    labelsChanged: !sameValues(applied.labels, next.manifest.labels),
  };
}

/** Whether a diff changes nothing on the host. */
export function isEmptyDiff(diff: ManifestDiff): boolean {
  return [
    diff.startActors,
    diff.stopActors,
    diff.updateActors,
    diff.scaleActors,
    diff.requeueActors,
    diff.startProviders,
    diff.stopProviders,
    diff.addBindings,
    diff.removeBindings,
    diff.changeBindings,
  ].every((list) => list.length === 0);
}

function diffActors(applied: AppliedManifest, actors: ResolvedActor[]) {
  const wanted = new Set(actors.map((actor) => actor.key));
  const startActors: ResolvedActor[] = [];
  const updateActors: ResolvedActor[] = [];
  const scaleActors: ResolvedActor[] = [];
  const requeueActors: ResolvedActor[] = [];
  const unchangedActors: ResolvedActor[] = [];
  for (const actor of actors) {
    const running = applied.actors.get(actor.key);
    if (!running) {
      startActors.push(actor);
      continue;
    }
    if (running.hash !== actor.claims.hash) updateActors.push(actor);
    if (running.instances !== actor.entry.instances) scaleActors.push(actor);
    if (running.queueLimit !== actor.entry.queueLimit) {
      requeueActors.push(actor);
    }
    if (running.hash === actor.claims.hash) unchangedActors.push(actor);
  }
  const stopActors = [...applied.actors.values()]
    .filter((actor) => !wanted.has(actor.key));
  return {
    startActors,
    stopActors,
    updateActors,
    scaleActors,
    requeueActors,
    unchangedActors,
  };
}

// A provider the manifest started stays while a capability entry or a
// binding still names it, unless a new entry names another module for it:
// then it is replaced, and its bindings are bound again to the new one.
// A capability entry is new when its id or path or binding name is.
function diffProviders(applied: AppliedManifest, next: ResolvedManifest) {
  const wanted = new Map<string, ResolvedCapability>();
  for (const capability of next.capabilities) {
    wanted.set(
      providerKey(capability.capabilityId, capability.entry.binding),
      capability,
    );
  }
  const needed = new Set([
    ...wanted.keys(),
    ...next.manifest.bindings.map((binding) =>
      providerKey(binding.capability, binding.binding)
    ),
  ]);
  const owned = new Map<string, AppliedProvider>(applied.implicit);
  for (const provider of applied.capabilities.values()) {
    owned.set(providerKey(provider.capabilityId, provider.binding), provider);
  }

  const replaced = new Set<string>();
  for (const [key, provider] of owned) {
    const factory = wanted.get(key)?.factory;
    if (factory !== undefined && factory !== provider.factory) {
      replaced.add(key);
    }
  }
  return {
    startProviders: next.capabilities.filter((capability) =>
      !applied.capabilities.has(capability.key)
    ),
    stopProviders: [...owned]
      .filter(([key]) => !needed.has(key) || replaced.has(key))
      .map(([, provider]) => provider),
    replaced,
  };
}

function diffBindings(
  applied: AppliedManifest,
  bindings: ManifestBinding[],
  replaced: Set<string>,
) {
  const addBindings: ManifestBinding[] = [];
  const changeBindings: ManifestBinding[] = [];
  const wanted = new Set<string>();
  for (const binding of bindings) {
    const key = bindingKey(binding);
    wanted.add(key);
    const bound = applied.bindings.get(key);
    const provider = providerKey(binding.capability, binding.binding);
    if (!bound) addBindings.push(binding);
    else if (
      !sameValues(bound.values, binding.values) || replaced.has(provider)
    ) {
      changeBindings.push(binding);
    }
  }
  const removeBindings = [...applied.bindings]
    .filter(([key]) => !wanted.has(key))
    .map(([, binding]) => binding);
  return { addBindings, removeBindings, changeBindings };
}
