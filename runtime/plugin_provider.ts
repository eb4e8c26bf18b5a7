/**
 * Loading a TypeScript or JavaScript provider plug-in: a module, named by
 * its path, that exports a {@linkcode ProviderFactory} as `provider` or as
 * its default export. The contract is described in `docs/providers.md`.
 *
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ProviderFactory } from "./provider.ts";
import { messageOf } from "./wapc_instance.ts";

/**
 * Imports the module at `path` (`.ts`, `.js` or `.mjs`; relative paths
 * are resolved against the working directory) and returns its provider
 * factory. Rejects with an error naming the file when the module cannot be
 * imported or exports no factory.
 *
 * @example
 * ```ts
 * const factory = await loadPluginProvider("/srv/providers/clock.ts");
 * await host.startProvider(factory);
 * ```
 */
export async function loadPluginProvider(
  path: string,
): Promise<ProviderFactory> {
  const what = `Cannot load provider "${path}"`;
  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw new Error(`${what}: ${summary(messageOf(error))}`, {
      cause: error,
    });
  }

  const [name, candidate] = "provider" in exports
    ? ["provider", exports.provider]
    : ["default", exports.default];
  if (candidate === undefined) {
    throw new TypeError(
      `${what}: it exports no "provider" (a ProviderFactory)`,
    );
  }
  const problem = factoryProblem(candidate);
  if (problem !== undefined) {
    throw new TypeError(
      `${what}: its "${name}" export is not a ProviderFactory (${problem})`,
    );
  }
  return candidate as ProviderFactory;
}

/** What keeps `value` from being a factory, or undefined if nothing. */
function factoryProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== "object") {
    return `got ${value === null ? "null" : `a ${typeof value}`}`;
  }
  const { capabilityId, create } = value as Record<string, unknown>;
  if (typeof capabilityId !== "string" || capabilityId.trim() === "") {
    return 'no text "capabilityId"';
  }
  if (typeof create !== "function") return 'no "create" function';
  return undefined;
}

/**
 * The first line of an import error, without a trailing period, with the
 * place a syntax error points at (`at file:///…:2:21`) when there is one.
 */
function summary(message: string): string {
  const reason = message.split("\n", 1)[0].trim().replace(/\.$/, "");
  const place = /^\s*at (file:\/\/\S+?)(:\d+:\d+)$/m.exec(message);
  return place ? `${reason} at ${fileURLToPath(place[1])}${place[2]}` : reason;
}
