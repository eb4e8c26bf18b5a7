/**
 * Starts again what a host's state file records: providers, then actors
 * from the module cache, then bindings. It needs no network and no
 * manifest. What cannot come back (a module missing from the cache, a
 * port taken) is reported and the rest still starts: a device comes up
 * with as much as it can.
 *
 * @module
 */
import type { Host } from "./host.ts";
import type {
  HostState,
  RecordedManifest,
  RecordedProvider,
} from "./host_state.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { ProviderCatalog } from "./manifest_apply.ts";
import {
  type AppliedManifest,
  type AppliedProvider,
  bindingKey,
  emptyAppliedManifest,
} from "./manifest_state.ts";
import type { ModuleCache } from "./module_cache.ts";
import type { ProviderFactory } from "./provider.ts";
import { ProviderModules } from "./provider_modules.ts";
import { messageOf } from "./wapc_instance.ts";

/** What {@link restoreHostState} needs. */
export interface RestoreOptions {
  catalog: ProviderCatalog;
  cache: ModuleCache;
  logger?: Logger;
}

/** What came back. */
export interface RestoreResult {
  /** The recorded manifest record, with its providers' factories. */
  applied?: AppliedManifest;
  /** The digest of the manifest text last applied. */
  digest?: string;
  /** One message per thing that could not start again. */
  failures: string[];
}

/** Starts on `host` what `state` records. */
export async function restoreHostState(
  host: Host,
  state: HostState,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const logger = options.logger ?? silentLogger;
  const factories = new FactoryLookup(options.catalog);
  const failures: string[] = [];
  const attempt = async (step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (error) {
      failures.push(messageOf(error));
      logger.error("cannot restore", { error: messageOf(error) });
    }
  };

  for (const provider of state.providers) {
    if (host.hasProvider(provider.capabilityId, provider.binding)) continue;
    await attempt(async () =>
      host.startProvider(await factories.get(provider), provider.binding)
    );
  }
  for (const actor of state.actors) {
    if (host.actor(actor.key)) continue;
    await attempt(async () =>
      host.startActor(await options.cache.get(actor.hash), {
        instances: actor.instances,
        source: actor.name ?? actor.key,
        // A damaged value is left out: the host's limit applies.
        ...(isCount(actor.queueLimit) ? { queueLimit: actor.queueLimit } : {}),
      })
    );
  }
  const bound = new Set(
    host.bindings().map((binding) =>
      `${binding.actor} ${binding.capabilityId} ${binding.binding}`
    ),
  );
  for (const binding of state.bindings) {
    const id = `${binding.actor} ${binding.capabilityId} ${binding.binding}`;
    if (bound.has(id)) continue;
    await attempt(() =>
      host.bind(
        binding.actor,
        binding.capabilityId,
        binding.binding,
        binding.values,
      )
    );
  }

  const manifest = state.manifest;
  return {
    applied: manifest && await appliedOf(manifest, factories),
    digest: manifest?.digest,
    failures,
  };
}

async function appliedOf(
  manifest: RecordedManifest,
  factories: FactoryLookup,
): Promise<AppliedManifest> {
  const applied = emptyAppliedManifest(manifest.path, manifest.labels);
  for (const actor of manifest.actors) applied.actors.set(actor.key, actor);
  const providers = async (
    entries: RecordedManifest["capabilities"],
    into: Map<string, AppliedProvider>,
  ) => {
    for (const { key, provider } of entries) {
      into.set(key, { ...provider, factory: await factories.get(provider) });
    }
  };
  await providers(manifest.capabilities, applied.capabilities);
  await providers(manifest.implicit, applied.implicit);
  for (const binding of manifest.bindings) {
    applied.bindings.set(bindingKey(binding), binding);
  }
  return applied;
}

// Built-in providers by id, provider modules by path, each loaded once.
class FactoryLookup {
  readonly #catalog: ProviderCatalog;
  readonly #modules: ProviderModules;

  constructor(catalog: ProviderCatalog) {
    this.#catalog = catalog;
    this.#modules = new ProviderModules(catalog.wasm);
  }

  async get(provider: RecordedProvider): Promise<ProviderFactory> {
    const { capabilityId, binding, path } = provider;
    if (path) {
      const kind = path.endsWith(".wasm") ? "wasm" : "plugin";
      return await this.#modules.load({ kind, path, binding, line: 0 });
    }
    const factory = this.#catalog.builtin(capabilityId);
    if (!factory) {
      throw new Error(
        `Cannot restore provider ${capabilityId} "${binding}": not built in`,
      );
    }
    return factory;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) &&
    value >= 1;
}
