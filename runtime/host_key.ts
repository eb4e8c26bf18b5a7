/**
 * The host's identity: a server key pair kept in the data directory,
 * created on first start with permissions 0600.
 *
 * @module
 */
import { join } from "node:path";
import { generateKeyPair, type KeyPair, keyPairFromSeed } from "./ed25519.ts";

/** File name of the host's seed inside the data directory. */
export const HOST_SEED_FILE = "host.nk";

/** Loads the host's server key, creating it on first start. */
export async function loadHostKey(dataDir: string): Promise<KeyPair> {
  const path = join(dataDir, HOST_SEED_FILE);
  let seed: string;
  try {
    seed = (await Deno.readTextFile(path)).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new Error(`Cannot read host key "${path}": ${error}`, {
        cause: error,
      });
    }
    await Deno.mkdir(dataDir, { recursive: true });
    const pair = await generateKeyPair("server");
    const temporary = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(temporary, pair.seed + "\n", { mode: 0o600 });
    await Deno.rename(temporary, path);
    return pair;
  }
  try {
    const pair = await keyPairFromSeed(seed);
    if (pair.kind !== "server") throw new TypeError("not a server seed");
    return pair;
  } catch (error) {
    throw new Error(
      `Cannot read host key "${path}": ${(error as Error).message}`,
      { cause: error },
    );
  }
}
