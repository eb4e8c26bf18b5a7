/**
 * Applying a new version of a manifest to a running host: only what
 * changed, live. Actors are matched by module identity (`sub`), so a new
 * path holding a new build of the same actor is a live update.
 *
 * @module
 */
import type { VerifyOptions } from "./claims.ts";
import type { Host } from "./host.ts";
import type { Manifest } from "./manifest.ts";
import type { ProviderCatalog } from "./manifest_apply.ts";
import { diffManifest } from "./manifest_diff.ts";
import { ReloadRun } from "./manifest_reload_run.ts";
import { resolveManifest } from "./manifest_resolve.ts";
import type { AppliedManifest } from "./manifest_state.ts";

/** How a reload finds providers and checks modules. */
export interface ReloadOptions {
  /** Where providers come from, as for `applyManifest`. */
  catalog: ProviderCatalog;
  /** How actor modules are verified; give the host's allowed issuers. */
  verify?: VerifyOptions;
}

/** How many entries a reload changed, by kind. */
export interface ReloadSummary {
  actorsStarted: number;
  actorsStopped: number;
  actorsUpdated: number;
  actorsScaled: number;
  /** Actors whose queue limit changed. */
  actorsRequeued: number;
  providersStarted: number;
  providersStopped: number;
  bindingsAdded: number;
  bindingsRemoved: number;
  bindingsChanged: number;
  /** Labels differ from those the host started with (not applied). */
  labelsChanged: boolean;
  /** Changes that failed; each is in `failures`. */
  failed: number;
}

/** A change that could not be applied; the rest of the reload went on. */
export interface ReloadFailure {
  /** The line of the entry in the new manifest, when it has one. */
  line?: number;
  error: Error;
}

/** The outcome of a reload. */
export interface ReloadResult {
  /** What the host now runs for the manifest. */
  applied: AppliedManifest;
  summary: ReloadSummary;
  failures: ReloadFailure[];
}

/**
 * Applies the difference between what `applied` records and `manifest`.
 * Every module is read and verified first: when one cannot be, or two
 * entries share an identity, this rejects and nothing has changed. After
 * that a failed change (a live update rolled back, a port in use) is
 * recorded in the result and the other changes still apply. Actors whose
 * identity, module and instance count are unchanged are not touched.
 */
export async function reloadManifest(
  host: Host,
  applied: AppliedManifest,
  manifest: Manifest,
  options: ReloadOptions,
): Promise<ReloadResult> {
  const next = await resolveManifest(
    applied,
    manifest,
    options.catalog,
    options.verify,
  );
  const diff = diffManifest(applied, next);
  const run = new ReloadRun(host, applied, next, options.catalog);
  await run.unbind(diff);
  await run.stopActors(diff);
  await run.stopProviders(diff);
  await run.startProviders(diff);
  await run.updateActors(diff);
  await run.startActors(diff);
  await run.bind(diff);
  return run.result(diff);
}
