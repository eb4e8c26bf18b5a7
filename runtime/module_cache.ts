/**
 * Actor modules kept in the data directory, by the module hash of their
 * claims, so that a host can start them again with no network and no
 * manifest: `<data-dir>/modules/<hash>.wasm`. Files are written to a
 * temporary name, flushed and renamed, so a power cut leaves either the
 * whole module or none.
 *
 * @module
 */
import { join } from "node:path";

/** The signed module files of a data directory. */
export class ModuleCache {
  /** Where the files are. */
  readonly dir: string;

  /** The cache of the data directory `dataDir`. */
  constructor(dataDir: string) {
    this.dir = join(dataDir, "modules");
  }

  /** The path a module with `hash` is kept at. */
  pathOf(hash: string): string {
    if (!/^[0-9A-Fa-f]{64}$/.test(hash)) {
      throw new TypeError(`Invalid module hash "${hash}"`);
    }
    return join(this.dir, `${hash.toUpperCase()}.wasm`);
  }

  /** Keeps `bytes` as the module with `hash`, unless already kept. */
  async put(hash: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(hash);
    if (await this.has(hash)) return;
    await Deno.mkdir(this.dir, { recursive: true });
    await writeDurably(path, bytes);
  }

  /** Whether a module with `hash` is kept. */
  async has(hash: string): Promise<boolean> {
    try {
      await Deno.stat(this.pathOf(hash));
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  /** The bytes of the module with `hash`; rejects when it is not kept. */
  async get(hash: string): Promise<Uint8Array> {
    try {
      return await Deno.readFile(this.pathOf(hash));
    } catch (error) {
      throw new Error(
        `Cannot read cached module ${hash}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/** Writes `bytes` to `path` so that a crash leaves the old file or this. */
export async function writeDurably(
  path: string,
  bytes: Uint8Array,
  mode = 0o644,
): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  const file = await Deno.open(temporary, {
    write: true,
    create: true,
    truncate: true,
    mode,
  });
  try {
    let written = 0;
    while (written < bytes.length) {
      written += await file.write(bytes.subarray(written));
    }
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(temporary, path);
}
