/**
 * How `trellis up` brings a host to what it should run: on first start the
 * manifest, if any; later the state recorded in the data directory, which
 * wins over the manifest unless the manifest's text changed since it was
 * last applied, in which case the difference is applied as a reload.
 *
 * @module
 */
import type { VerifyOptions } from "./claims.ts";
import type { Host } from "./host.ts";
import { type HostRecorder, userValues } from "./host_record.ts";
import { restoreHostState } from "./host_restore.ts";
import type { HostState } from "./host_state.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { type ProviderCatalog, startManifest } from "./manifest_apply.ts";
import { reloadManifest } from "./manifest_reload.ts";
import { resolveManifest } from "./manifest_resolve.ts";
import {
  type AppliedManifest,
  bindingKey,
  emptyAppliedManifest,
  queueLimitField,
} from "./manifest_state.ts";
import type { Manifest } from "./manifest.ts";
import type { ModuleCache } from "./module_cache.ts";

/** What {@link bringUp} starts from. */
export interface StartupOptions {
  /** The recorded state, when the data directory has one. */
  state?: HostState;
  manifest?: Manifest;
  catalog: ProviderCatalog;
  cache: ModuleCache;
  verify?: VerifyOptions;
  recorder: HostRecorder;
  logger?: Logger;
}

/**
 * Starts what the host should run and returns the manifest's applied
 * record (undefined without a manifest). Rejects when the manifest cannot
 * be applied at all; a recorded item that cannot start again is logged.
 */
export async function bringUp(
  host: Host,
  options: StartupOptions,
): Promise<AppliedManifest | undefined> {
  const { state, manifest, catalog, recorder } = options;
  const logger = options.logger ?? silentLogger;
  const digest = manifest?.digest ?? "";
  if (!state) {
    if (!manifest) return undefined;
    const applied = await startManifest(host, manifest, catalog);
    await recorder.setManifest(applied, digest);
    return applied;
  }

  const restored = await restoreHostState(host, state, {
    catalog,
    cache: options.cache,
    logger,
  });
  logger.info("state restored", {
    actors: host.actors().length,
    bindings: host.bindings().length,
    failures: restored.failures.length,
  });
  if (!manifest) return undefined;
  if (
    restored.applied && restored.digest === digest &&
    restored.applied.path === manifest.path
  ) {
    return restored.applied;
  }

  const baseline = restored.applied ??
    await runningBaseline(host, manifest, options);
  const result = await reloadManifest(host, baseline, manifest, {
    catalog,
    verify: options.verify,
  });
  for (const failure of result.failures) {
    logger.error("manifest change failed", {
      manifest: manifest.path,
      ...(failure.line === undefined ? {} : { line: failure.line }),
      error: failure.error.message,
    });
  }
  logger.info("manifest changed since last applied", {
    manifest: manifest.path,
    ...result.summary,
  });
  await recorder.setManifest(result.applied, digest);
  return result.applied;
}

/**
 * What of a manifest already runs, when the state has no record of a
 * manifest (the host ran without one): those entries count as applied, so
 * the first manifest changes what differs and starts nothing twice.
 */
async function runningBaseline(
  host: Host,
  manifest: Manifest,
  options: StartupOptions,
): Promise<AppliedManifest> {
  const baseline = emptyAppliedManifest(manifest.path, manifest.labels);
  const resolved = await resolveManifest(
    baseline,
    manifest,
    options.catalog,
    options.verify,
  );
  for (const { key, entry, claims } of resolved.actors) {
    const running = host.actor(key);
    if (!running) continue;
    baseline.actors.set(key, {
      key,
      name: claims.name,
      path: entry.path,
      hash: running.claims.hash,
      instances: running.instances,
      ...queueLimitField(host.queueLimitOf(key)),
    });
  }
  for (const capability of resolved.capabilities) {
    const { binding } = capability.entry;
    if (!host.hasProvider(capability.capabilityId, binding)) continue;
    baseline.capabilities.set(capability.key, {
      capabilityId: capability.capabilityId,
      binding,
      factory: capability.factory,
    });
  }
  const id = (actor: string, capabilityId: string, binding: string) =>
    `${actor} ${capabilityId} ${binding}`;
  const bound = new Map(
    host.bindings().map((binding) => [
      id(binding.actor, binding.capabilityId, binding.binding),
      binding,
    ]),
  );
  for (const binding of manifest.bindings) {
    const running = bound.get(
      id(binding.actor, binding.capability, binding.binding),
    );
    if (!running) continue;
    baseline.bindings.set(bindingKey(binding), {
      ...binding,
      values: userValues(running.values),
    });
  }
  return baseline;
}
