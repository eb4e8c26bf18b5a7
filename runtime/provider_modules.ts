/**
 * Provider modules a manifest names by path, each loaded once: `.ts`,
 * `.js` and `.mjs` files as plug-ins, `.wasm` files as portable providers.
 *
 * @module
 */
import type { ManifestCapability } from "./manifest.ts";
import { loadPluginProvider } from "./plugin_provider.ts";
import type { ProviderFactory } from "./provider.ts";
import { messageOf } from "./wapc_instance.ts";
import { loadWasmProvider, type WasmProviderOptions } from "./wasm_provider.ts";

/** A `capabilities` entry naming a provider module. */
export type ModuleCapability = Exclude<ManifestCapability, { kind: "builtin" }>;

/** Provider modules loaded so far, by path and by declared capability. */
export class ProviderModules {
  readonly #wasm?: Omit<WasmProviderOptions, "source">;
  readonly #byPath = new Map<string, ProviderFactory>();
  readonly #byCapability = new Map<string, ProviderFactory>();

  /** `wasm` says how portable providers are checked and run. */
  constructor(wasm?: Omit<WasmProviderOptions, "source">) {
    this.#wasm = wasm;
  }

  /** The factory of a module, loading it the first time. */
  async load(capability: ModuleCapability): Promise<ProviderFactory> {
    const factory = this.#byPath.get(capability.path) ??
      await this.#import(capability);
    this.remember(capability.path, factory);
    return factory;
  }

  /** Records a factory loaded elsewhere, so it is not loaded again. */
  remember(path: string, factory: ProviderFactory): void {
    this.#byPath.set(path, factory);
    this.#byCapability.set(factory.capabilityId, factory);
  }

  /** A loaded module's factory by the capability id it declares. */
  byCapability(capabilityId: string): ProviderFactory | undefined {
    return this.#byCapability.get(capabilityId);
  }

  async #import(capability: ModuleCapability): Promise<ProviderFactory> {
    const { path } = capability;
    const factory = capability.kind === "plugin"
      ? await loadPluginProvider(path)
      : await loadWasmProvider(await Deno.readFile(path), {
        ...this.#wasm,
        source: path,
      });
    // Remembered, so that a restart can load the same file again.
    return {
      capabilityId: factory.capabilityId,
      path,
      create: (context) => factory.create(context),
    };
  }
}

/** The message of a loader's error without its "Cannot load" prefix. */
export function loadFailureReason(error: unknown, path: string): string {
  const message = messageOf(error);
  const prefix = `Cannot load provider "${path}": `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
