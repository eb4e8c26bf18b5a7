/**
 * Starting what a manifest lists on a host: capabilities, then actors,
 * then bindings. A failure names the manifest, its line and the check.
 *
 * @module
 */
import type { Host } from "./host.ts";
import type { Manifest } from "./manifest.ts";
import {
  type AppliedManifest,
  bindingKey,
  capabilityKey,
  emptyAppliedManifest,
  providerKey,
  queueLimitField,
} from "./manifest_state.ts";
import type { ProviderFactory } from "./provider.ts";
import { loadFailureReason, ProviderModules } from "./provider_modules.ts";
import { messageOf } from "./wapc_instance.ts";
import type { WasmProviderOptions } from "./wasm_provider.ts";

/** Where the host finds providers. */
export interface ProviderCatalog {
  /** The built-in provider with a capability id, if there is one. */
  builtin(capabilityId: string): ProviderFactory | undefined;
  /**
   * How portable (wasm) providers are checked and run. Give the host's
   * allowed issuers, deadline and memory ceiling here: without them any
   * issuer is accepted and the defaults of `loadWasmProvider` apply.
   */
  wasm?: Omit<WasmProviderOptions, "source">;
}

/**
 * Starts every capability, actor and binding of a manifest. Provider
 * modules are loaded by path: `.ts`, `.js` and `.mjs` files as plug-ins
 * (`loadPluginProvider`), `.wasm` files as portable providers
 * (`loadWasmProvider`); their capability id is the one they declare, and
 * a module listed under several binding names is loaded once.
 */
export async function applyManifest(
  host: Host,
  manifest: Manifest,
  catalog: ProviderCatalog,
): Promise<void> {
  await startManifest(host, manifest, catalog);
}

/**
 * Does what {@linkcode applyManifest} does and returns the record of what
 * it started, for a later reload to compare with.
 */
export async function startManifest(
  host: Host,
  manifest: Manifest,
  catalog: ProviderCatalog,
): Promise<AppliedManifest> {
  const applied = emptyAppliedManifest(manifest.path, manifest.labels);
  const modules = new ProviderModules(catalog.wasm);
  await startCapabilities(host, manifest, catalog, modules, applied);
  await startActors(host, manifest, applied);
  await startBindings(host, manifest, catalog, modules, applied);
  return applied;
}

const at = (manifest: Manifest, line: number) =>
  `${manifest.path} line ${line}`;

async function startCapabilities(
  host: Host,
  manifest: Manifest,
  catalog: ProviderCatalog,
  modules: ProviderModules,
  applied: AppliedManifest,
): Promise<void> {
  for (const capability of manifest.capabilities) {
    let factory: ProviderFactory | undefined;
    if (capability.kind !== "builtin") {
      try {
        factory = await modules.load(capability);
        await host.startProvider(factory, capability.binding);
      } catch (error) {
        throw new Error(
          `Cannot load capability "${capability.path}" ` +
            `(${at(manifest, capability.line)}): ` +
            loadFailureReason(error, capability.path),
          { cause: error },
        );
      }
    } else {
      factory = catalog.builtin(capability.id);
      if (!factory) {
        throw new Error(
          `Cannot load capability "${capability.id}" ` +
            `(${at(manifest, capability.line)}): ` +
            "no built-in provider has that id",
        );
      }
      if (!host.hasProvider(capability.id, capability.binding)) {
        await host.startProvider(factory, capability.binding);
      }
    }
    applied.capabilities.set(capabilityKey(capability), {
      capabilityId: factory.capabilityId,
      binding: capability.binding,
      factory,
    });
  }
}

async function startActors(
  host: Host,
  manifest: Manifest,
  applied: AppliedManifest,
): Promise<void> {
  for (const actor of manifest.actors) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(actor.path);
    } catch (error) {
      throw new Error(
        `Cannot start actor "${actor.path}" (${at(manifest, actor.line)}): ` +
          messageOf(error),
        { cause: error },
      );
    }
    const claims = await host.startActor(bytes, {
      instances: actor.instances,
      queueLimit: actor.queueLimit,
      source: actor.path,
    });
    applied.actors.set(claims.subject, {
      key: claims.subject,
      name: claims.name,
      path: actor.path,
      hash: claims.hash,
      instances: actor.instances,
      ...queueLimitField(actor.queueLimit),
    });
  }
}

async function startBindings(
  host: Host,
  manifest: Manifest,
  catalog: ProviderCatalog,
  modules: ProviderModules,
  applied: AppliedManifest,
): Promise<void> {
  for (const binding of manifest.bindings) {
    try {
      if (!host.hasProvider(binding.capability, binding.binding)) {
        const factory = modules.byCapability(binding.capability) ??
          catalog.builtin(binding.capability);
        if (!factory) throw new Error("no provider with that id is loaded");
        await host.startProvider(factory, binding.binding);
        applied.implicit.set(
          providerKey(binding.capability, binding.binding),
          {
            capabilityId: binding.capability,
            binding: binding.binding,
            factory,
          },
        );
      }
      await host.bind(
        binding.actor,
        binding.capability,
        binding.binding,
        binding.values,
      );
      applied.bindings.set(bindingKey(binding), binding);
    } catch (error) {
      throw new Error(
        `Cannot bind actor "${binding.actor}" to "${binding.capability}" ` +
          `(${at(manifest, binding.line)}): ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
}
