/**
 * Signing keys kept on disk as nkeys seed files (`*.nk`, mode 0600), so
 * that an account and the modules it signs keep their identities from one
 * run to the next.
 *
 * @module
 */
import { dirname } from "node:path";
import {
  generateKeyPair,
  type KeyPair,
  keyPairFromSeed,
} from "../runtime/ed25519.ts";
import { describeKind, type KeyKind } from "../runtime/nkeys.ts";

/**
 * Loads the key pair whose seed is in `path`, or creates a fresh one of
 * `kind` there (directory 0700, file 0600) when the file does not exist.
 *
 * @throws {TypeError} when the file holds no seed or a seed of another
 * kind; the message names the file.
 */
export async function loadOrCreateKey(
  path: string,
  kind: KeyKind,
): Promise<KeyPair> {
  const existing = await readSeed(path);
  if (existing !== undefined) return await keyFromSeed(path, existing, kind);

  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const pair = await generateKeyPair(kind);
  try {
    await Deno.writeTextFile(path, pair.seed + "\n", {
      mode: 0o600,
      createNew: true,
    });
  } catch (error) {
    // Another run created it first: use that one.
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    return await keyFromSeed(path, (await readSeed(path)) ?? "", kind);
  }
  await Deno.chmod(path, 0o600);
  return pair;
}

async function readSeed(path: string): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function keyFromSeed(
  path: string,
  seed: string,
  kind: KeyKind,
): Promise<KeyPair> {
  let pair: KeyPair;
  try {
    pair = await keyPairFromSeed(seed);
  } catch (error) {
    throw new TypeError(
      `Cannot load key "${path}": ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (pair.kind !== kind) {
    throw new TypeError(
      `Cannot load key "${path}": expected ${describeKind(kind)}, got ${
        describeKind(pair.kind)
      }`,
    );
  }
  return pair;
}
