/**
 * Reading what a manifest names before anything changes on the host: each
 * actor module and its verified claims (its identity), and the provider of
 * each capability entry.
 *
 * @module
 */
import {
  type ActorClaims,
  verifyModule,
  type VerifyOptions,
} from "./claims.ts";
import {
  type Manifest,
  type ManifestActor,
  type ManifestCapability,
  ManifestError,
} from "./manifest.ts";
import type { ProviderCatalog } from "./manifest_apply.ts";
import { type AppliedManifest, capabilityKey } from "./manifest_state.ts";
import type { ProviderFactory } from "./provider.ts";
import { loadFailureReason, ProviderModules } from "./provider_modules.ts";
import { messageOf } from "./wapc_instance.ts";

/** An actor entry with its module read and its claims verified. */
export interface ResolvedActor {
  entry: ManifestActor;
  /** The module's public key: what entries are matched by. */
  key: string;
  claims: ActorClaims;
  bytes: Uint8Array;
}

/** A capability entry with the provider factory it stands for. */
export interface ResolvedCapability {
  entry: ManifestCapability;
  /** {@linkcode capabilityKey} of the entry. */
  key: string;
  capabilityId: string;
  factory: ProviderFactory;
}

/** A manifest whose actors and providers are known. */
export interface ResolvedManifest {
  manifest: Manifest;
  actors: ResolvedActor[];
  capabilities: ResolvedCapability[];
}

/**
 * Reads and verifies every actor module of `manifest` and finds the
 * provider of every capability entry: entries `applied` already runs keep
 * their factory, new provider modules are loaded. Throws, having changed
 * nothing on any host, when a module cannot be read or verified, a
 * built-in id is unknown, or two entries have the same identity.
 */
export async function resolveManifest(
  applied: AppliedManifest,
  manifest: Manifest,
  catalog: ProviderCatalog,
  verify: VerifyOptions = {},
): Promise<ResolvedManifest> {
  const actors: ResolvedActor[] = [];
  for (const entry of manifest.actors) {
    actors.push(await resolveActor(manifest, entry, verify));
  }
  checkIdentities(manifest, actors);

  const modules = new ProviderModules(catalog.wasm);
  const capabilities: ResolvedCapability[] = [];
  for (const entry of manifest.capabilities) {
    const key = capabilityKey(entry);
    const factory = applied.capabilities.get(key)?.factory ??
      await findFactory(manifest, entry, catalog, modules);
    if (entry.kind !== "builtin") modules.remember(entry.path, factory);
    capabilities.push({
      entry,
      key,
      capabilityId: factory.capabilityId,
      factory,
    });
  }
  return { manifest, actors, capabilities };
}

async function resolveActor(
  manifest: Manifest,
  entry: ManifestActor,
  verify: VerifyOptions,
): Promise<ResolvedActor> {
  try {
    const bytes = await Deno.readFile(entry.path);
    const claims = await verifyModule(bytes, verify);
    if (claims.provider) {
      throw new TypeError("it is a provider, not an actor");
    }
    return { entry, key: claims.subject, claims, bytes };
  } catch (error) {
    throw new Error(
      `Cannot reload manifest "${manifest.path}": actor "${entry.path}" ` +
        `(line ${entry.line}): ${messageOf(error)}`,
      { cause: error },
    );
  }
}

async function findFactory(
  manifest: Manifest,
  entry: ManifestCapability,
  catalog: ProviderCatalog,
  modules: ProviderModules,
): Promise<ProviderFactory> {
  const what = `Cannot reload manifest "${manifest.path}": capability`;
  if (entry.kind === "builtin") {
    const factory = catalog.builtin(entry.id);
    if (factory) return factory;
    throw new Error(
      `${what} "${entry.id}" (line ${entry.line}): ` +
        "no built-in provider has that id",
    );
  }
  try {
    return await modules.load(entry);
  } catch (error) {
    throw new Error(
      `${what} "${entry.path}" (line ${entry.line}): ` +
        loadFailureReason(error, entry.path),
      { cause: error },
    );
  }
}

// One host runs one actor per identity, so two entries whose modules have
// the same subject cannot both apply.
function checkIdentities(manifest: Manifest, actors: ResolvedActor[]): void {
  const seen = new Map<string, ResolvedActor>();
  const issues = [];
  for (const [index, actor] of actors.entries()) {
    const first = seen.get(actor.key);
    if (!first) {
      seen.set(actor.key, actor);
      continue;
    }
    const firstIndex = actors.indexOf(first);
    issues.push({
      line: actor.entry.line,
      key: `actors[${index}]`,
      message: `"actors[${index}]" has the module identity "${actor.key}" ` +
        `of "actors[${firstIndex}]" (line ${first.entry.line}); ` +
        "one host runs one actor per identity",
    });
  }
  if (issues.length > 0) throw new ManifestError(manifest.path, issues);
}
