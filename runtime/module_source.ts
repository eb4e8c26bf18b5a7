/**
 * Where a control command's module comes from: a file on the host, or
 * the lattice's module store (a JetStream object store, reached through
 * `leaf/`), named by the module's hash as its claims compute it. A module
 * from the store is checked against that hash before anything else reads
 * it, and kept in the data directory's module cache, so a host that has
 * it never needs the store for it again.
 *
 * @module
 */
import type { LinkConfig } from "./cli_lattice.ts";
import { moduleHash } from "./claims.ts";
import { type Logger, silentLogger } from "./logger.ts";
import type { ModuleCache } from "./module_cache.ts";
import { messageOf } from "./wapc_instance.ts";

/** Fetches the module with a hash from the lattice's module store. */
export type ModuleFetch = (hash: string) => Promise<Uint8Array>;

/** A host's way into the module store, open until closed. */
export interface ModuleStoreLink {
  fetch: ModuleFetch;
  /** Puts a module in the store, unless it is there already. */
  put(hash: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the module store of the lattice `namespace` names (the binary
 * supplies it; `leaf/` holds the NATS one). It returns at once and dials
 * on the first fetch.
 */
export type ModuleStoreConnector = (
  link: LinkConfig,
  namespace: string | undefined,
  logger: Logger,
) => ModuleStoreLink;

/** A module named by a command: a file path, or a hash in the store. */
export type ModuleRef =
  | { kind: "file"; path: string }
  | { kind: "store"; hash: string };

/** How a reference to the store starts. */
export const STORE_REF_PREFIX = "sha256:";

const HASH = /^[0-9A-Fa-f]{64}$/;

/**
 * Reads `sha256:<64 hex digits>` as a module in the store, anything else
 * as a path on the host. Throws a TypeError for an empty reference or a
 * malformed hash.
 */
export function parseModuleRef(text: string): ModuleRef {
  if (text.trim() === "") {
    throw new TypeError("Invalid module reference: it is empty");
  }
  if (!text.startsWith(STORE_REF_PREFIX)) return { kind: "file", path: text };
  const hash = text.slice(STORE_REF_PREFIX.length);
  if (!HASH.test(hash)) {
    throw new TypeError(
      `Invalid module reference "${text}": expected sha256: and 64 hex ` +
        "digits",
    );
  }
  return { kind: "store", hash: hash.toUpperCase() };
}

/** The text form of a reference, as `parseModuleRef` reads it. */
export function formatModuleRef(ref: ModuleRef): string {
  return ref.kind === "file" ? ref.path : `${STORE_REF_PREFIX}${ref.hash}`;
}

/** A module's bytes, its hash, and where they were found. */
export interface LoadedModule {
  bytes: Uint8Array;
  hash: string;
  from: "file" | "cache" | "store";
}

/** Options of a {@link ModuleSource}. */
export interface ModuleSourceOptions {
  cache: ModuleCache;
  /** The store; without one, only files and cached modules load. */
  fetch?: ModuleFetch;
  logger?: Logger;
}

/** Loads the modules commands name. */
export class ModuleSource {
  readonly #cache: ModuleCache;
  readonly #fetch?: ModuleFetch;
  readonly #logger: Logger;
  readonly #fetching = new Map<string, Promise<Uint8Array>>();

  constructor(options: ModuleSourceOptions) {
    this.#cache = options.cache;
    this.#fetch = options.fetch;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The bytes `ref` names; rejects with an error naming the reference. */
  async load(ref: ModuleRef): Promise<LoadedModule> {
    try {
      return ref.kind === "file"
        ? await this.#readFile(ref.path)
        : await this.#fromStore(ref.hash);
    } catch (error) {
      throw new Error(
        `Cannot load module "${formatModuleRef(ref)}": ${messageOf(error)}`,
        { cause: error },
      );
    }
  }

  async #readFile(path: string): Promise<LoadedModule> {
    const bytes = await Deno.readFile(path);
    return { bytes, hash: await hashOf(bytes), from: "file" };
  }

  async #fromStore(hash: string): Promise<LoadedModule> {
    const cached = await this.#cached(hash);
    if (cached) return { bytes: cached, hash, from: "cache" };
    if (!this.#fetch) throw new Error("not cached, and no module store");
    let fetching = this.#fetching.get(hash);
    if (!fetching) {
      fetching = this.#fetchChecked(this.#fetch, hash);
      this.#fetching.set(hash, fetching);
      fetching.finally(() => this.#fetching.delete(hash)).catch(() => {});
    }
    return { bytes: await fetching, hash, from: "store" };
  }

  // A cached file that no longer matches its name is ignored, and fetched
  // again: the cache is a copy, never the authority.
  async #cached(hash: string): Promise<Uint8Array | undefined> {
    if (!await this.#cache.has(hash)) return undefined;
    const bytes = await this.#cache.get(hash);
    if (await hashOf(bytes) === hash) return bytes;
    this.#logger.warn("cached module does not match its hash", { hash });
    return undefined;
  }

  async #fetchChecked(fetch: ModuleFetch, hash: string) {
    const started = performance.now();
    const bytes = await fetch(hash);
    const actual = await hashOf(bytes);
    if (actual !== hash) {
      throw new Error(`the store's module has hash "${actual}"`);
    }
    await this.#cache.put(hash, bytes);
    this.#logger.info("module fetched", {
      hash,
      bytes: bytes.length,
      ms: Math.round(performance.now() - started),
    });
    return bytes;
  }
}

/** A module's hash as its claims compute it; a TypeError for non-wasm. */
export async function hashOf(bytes: Uint8Array): Promise<string> {
  try {
    return await moduleHash(bytes);
  } catch (error) {
    throw new TypeError(`not a WebAssembly module (${messageOf(error)})`, {
      cause: error,
    });
  }
}
