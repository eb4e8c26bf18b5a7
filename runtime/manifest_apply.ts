/**
 * Starting what a manifest lists on a host: capabilities, then actors,
 * then bindings. A failure names the manifest, its line and the check.
 *
 * @module
 */
import type { Host } from "./host.ts";
import type { Manifest } from "./manifest.ts";
import type { ProviderFactory } from "./provider.ts";
import { messageOf } from "./wapc_instance.ts";

/** Where the host finds providers by capability id. */
export interface ProviderCatalog {
  builtin(capabilityId: string): ProviderFactory | undefined;
}

/** Starts every capability, actor and binding of a manifest. */
export async function applyManifest(
  host: Host,
  manifest: Manifest,
  catalog: ProviderCatalog,
): Promise<void> {
  const at = (line: number) => `${manifest.path} line ${line}`;

  for (const capability of manifest.capabilities) {
    if (capability.kind !== "builtin") {
      // TODO(#3): load TypeScript plug-ins and portable wasm providers.
      throw new Error(
        `Cannot load capability "${capability.path}" (${at(capability.line)})` +
          ": provider modules are not supported yet",
      );
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
        const factory = catalog.builtin(binding.capability);
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
