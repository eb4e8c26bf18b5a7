/**
 * Starting what a manifest lists on a host: capabilities, then actors,
 * then bindings. A failure names the manifest, its line and the check.
 *
 * @module
 */
import type { Host } from "./host.ts";
import type { Manifest, ManifestCapability } from "./manifest.ts";
import { loadPluginProvider } from "./plugin_provider.ts";
import type { ProviderFactory } from "./provider.ts";
import { messageOf } from "./wapc_instance.ts";
import { loadWasmProvider, type WasmProviderOptions } from "./wasm_provider.ts";

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

type ModuleCapability = Exclude<ManifestCapability, { kind: "builtin" }>;

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
  const at = (line: number) => `${manifest.path} line ${line}`;
  const modules = new ModuleCache(catalog);

  for (const capability of manifest.capabilities) {
    if (capability.kind !== "builtin") {
      try {
        await host.startProvider(
          await modules.load(capability),
          capability.binding,
        );
      } catch (error) {
        throw new Error(
          `Cannot load capability "${capability.path}" ` +
            `(${at(capability.line)}): ${reasonOf(error, capability.path)}`,
          { cause: error },
        );
      }
      continue;
    }
    const factory = catalog.builtin(capability.id);
    if (!factory) {
      throw new Error(
        `Cannot load capability "${capability.id}" (${at(capability.line)})` +
          ": no built-in provider has that id",
      );
    }
    if (!host.hasProvider(capability.id, capability.binding)) {
      await host.startProvider(factory, capability.binding);
    }
  }

  for (const actor of manifest.actors) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(actor.path);
    } catch (error) {
      throw new Error(
        `Cannot start actor "${actor.path}" (${at(actor.line)}): ` +
          messageOf(error),
        { cause: error },
      );
    }
    await host.startActor(bytes, {
      instances: actor.instances,
      source: actor.path,
    });
  }

  for (const binding of manifest.bindings) {
    try {
      if (!host.hasProvider(binding.capability, binding.binding)) {
        const factory = modules.byCapability(binding.capability) ??
          catalog.builtin(binding.capability);
        if (!factory) throw new Error("no provider with that id is loaded");
        await host.startProvider(factory, binding.binding);
      }
      await host.bind(
        binding.actor,
        binding.capability,
        binding.binding,
        binding.values,
      );
    } catch (error) {
      throw new Error(
        `Cannot bind actor "${binding.actor}" to "${binding.capability}" ` +
          `(${at(binding.line)}): ${messageOf(error)}`,
        { cause: error },
      );
    }
  }
}

/** Provider modules loaded so far, by path and by declared capability. */
class ModuleCache {
  readonly #catalog: ProviderCatalog;
  readonly #byPath = new Map<string, ProviderFactory>();
  readonly #byCapability = new Map<string, ProviderFactory>();

  constructor(catalog: ProviderCatalog) {
    this.#catalog = catalog;
  }

  async load(capability: ModuleCapability): Promise<ProviderFactory> {
    const factory = this.#byPath.get(capability.path) ??
      await this.#import(capability);
    this.#byPath.set(capability.path, factory);
    this.#byCapability.set(factory.capabilityId, factory);
    return factory;
  }

  byCapability(capabilityId: string): ProviderFactory | undefined {
    return this.#byCapability.get(capabilityId);
  }

  async #import(capability: ModuleCapability): Promise<ProviderFactory> {
    if (capability.kind === "plugin") {
      return await loadPluginProvider(capability.path);
    }
    const bytes = await Deno.readFile(capability.path);
    return await loadWasmProvider(bytes, {
      ...this.#catalog.wasm,
      source: capability.path,
    });
  }
}

/** The message of a loader's error without its "Cannot load" prefix. */
function reasonOf(error: unknown, path: string): string {
  const message = messageOf(error);
  const prefix = `Cannot load provider "${path}": `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
