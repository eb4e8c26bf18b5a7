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
import type { HostRecorder } from "./host_record.ts";
import { restoreHostState } from "./host_restore.ts";
import type { HostState } from "./host_state.ts";
import { type Logger, silentLogger } from "./logger.ts";
import { type ProviderCatalog, startManifest } from "./manifest_apply.ts";
import { reloadManifest } from "./manifest_reload.ts";
import {
  type AppliedManifest,
  emptyAppliedManifest,
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
    emptyAppliedManifest(manifest.path, manifest.labels);
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
