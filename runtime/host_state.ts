/**
 * What a host runs, kept in its data directory (`state.json`) so that it
 * comes back as it was after a restart or a power cut, with or without a
 * network and a manifest. The file carries a schema version: an older
 * file is migrated when read, a newer one (written by a later trellis) is
 * refused with a clear error rather than misread, so a rolled-back binary
 * cannot damage it.
 *
 * @module
 */
import { join } from "node:path";
import type { AppliedActor } from "./manifest_state.ts";
import type { ManifestBinding } from "./manifest.ts";
import { writeDurably } from "./module_cache.ts";

/** The schema this build writes. */
export const STATE_SCHEMA = 1;

/** File name of the state inside the data directory. */
export const STATE_FILE = "state.json";

/** An actor the host runs; its module is in the module cache. */
export interface RecordedActor {
  key: string;
  name?: string;
  /** Module hash of its claims: the cache file's name. */
  hash: string;
  instances: number;
  /** Its own queue limit, when it has one. */
  queueLimit?: number;
}

/** A provider instance: built in, or loaded from `path`. */
export interface RecordedProvider {
  capabilityId: string;
  binding: string;
  path?: string;
}

/** A binding of one of the host's actors to a provider. */
export interface RecordedBinding {
  actor: string;
  capabilityId: string;
  binding: string;
  values: Record<string, string>;
}

/** A manifest's applied record, in a form JSON holds. */
export interface RecordedManifest {
  path: string;
  /** SHA-256 of the manifest text last applied. */
  digest: string;
  labels: Record<string, string>;
  actors: AppliedActor[];
  /** `capabilities` entries, each with its key in the applied record. */
  capabilities: { key: string; provider: RecordedProvider }[];
  implicit: { key: string; provider: RecordedProvider }[];
  bindings: ManifestBinding[];
}

/** The whole state file. */
export interface HostState {
  schema: number;
  /** The trellis version that wrote it, for people. */
  writer: string;
  actors: RecordedActor[];
  providers: RecordedProvider[];
  bindings: RecordedBinding[];
  manifest?: RecordedManifest;
}

/** The state file of a data directory. */
export function statePath(dataDir: string): string {
  return join(dataDir, STATE_FILE);
}

/**
 * Reads the state of `dataDir`; undefined when there is none yet. Throws
 * when the file is damaged or was written by a newer schema.
 */
export async function readHostState(
  dataDir: string,
): Promise<HostState | undefined> {
  const path = statePath(dataDir);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`Cannot read host state "${path}": ${error}`, {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `Cannot read host state "${path}": not JSON (${
        (error as Error).message
      }); move it away to start empty`,
      { cause: error },
    );
  }
  return migrate(raw, path);
}

/** Writes `state` so that a crash leaves the old file or the new one. */
export async function writeHostState(
  dataDir: string,
  state: HostState,
): Promise<void> {
  await Deno.mkdir(dataDir, { recursive: true });
  const text = JSON.stringify(state, null, 2) + "\n";
  await writeDurably(statePath(dataDir), new TextEncoder().encode(text));
}

/**
 * Brings a parsed state file up to {@linkcode STATE_SCHEMA}. Each schema
 * change adds a step here; a file from a later schema is refused.
 */
export function migrate(raw: unknown, path = STATE_FILE): HostState {
  const fail = (reason: string) =>
    new Error(`Cannot read host state "${path}": ${reason}`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw fail("not an object");
  }
  const record = raw as Record<string, unknown>;
  const schema = record.schema;
  if (typeof schema !== "number" || !Number.isInteger(schema)) {
    throw fail("no schema version");
  }
  if (schema > STATE_SCHEMA) {
    throw fail(
      `schema ${schema} was written by a newer trellis ` +
        `(${record.writer ?? "unknown"}); this one reads up to ` +
        `${STATE_SCHEMA}: upgrade trellis, or move the file away to ` +
        "start empty",
    );
  }
  if (schema < 1) throw fail(`unknown schema ${schema}`);
  const state = record as unknown as HostState;
  for (const key of ["actors", "providers", "bindings"] as const) {
    if (!Array.isArray(state[key])) throw fail(`"${key}" is not a list`);
  }
  return state;
}
