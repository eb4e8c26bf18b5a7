/**
 * Files the CLI reads and writes: seed files (one nkeys seed `S…` as
 * text, as `trellis keys gen -o` writes them, readable by the owner only)
 * and outputs replaced atomically. Errors name the file, never a seed.
 *
 * @module
 */
import { type KeyPair, keyPairFromSeed } from "./ed25519.ts";
import { describeKind, type KeyKind } from "./nkeys.ts";
import { messageOf } from "./wapc_instance.ts";

/** Reads the key pair in a seed file; `kinds` lists the acceptable kinds. */
export async function readSeedFile(
  path: string,
  role: string,
  kinds: readonly KeyKind[],
): Promise<KeyPair> {
  const action = `Cannot read ${role} seed file "${path}"`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`${action}: ${fileProblem(error)}`, { cause: error });
  }

  let pair: KeyPair;
  try {
    pair = await keyPairFromSeed(text.trim());
  } catch (error) {
    const reason = messageOf(error).replace(/^Cannot decode seed: /, "");
    throw new SyntaxError(`${action}: not a seed (${reason})`, {
      cause: error,
    });
  }

  if (!kinds.includes(pair.kind)) {
    const wanted = kinds.map(describeKind).join(" or ");
    throw new TypeError(
      `Cannot use ${role} seed file "${path}": expected ${wanted}, got ` +
        describeKind(pair.kind),
    );
  }
  return pair;
}

/**
 * Writes `seed` to a new file readable by the owner only (0600). An
 * existing file is refused unless `force` is set, in which case it is
 * replaced atomically.
 */
export async function writeSeedFile(
  path: string,
  seed: string,
  force = false,
): Promise<void> {
  try {
    if (force) {
      await writeReplacing(path, new TextEncoder().encode(seed + "\n"), 0o600);
    } else {
      await Deno.writeTextFile(path, seed + "\n", {
        createNew: true,
        mode: 0o600,
      });
      await Deno.chmod(path, 0o600);
    }
  } catch (error) {
    const reason = error instanceof Deno.errors.AlreadyExists
      ? "file exists (use --force to replace it)"
      : fileProblem(error);
    throw new Error(`Cannot write seed file "${path}": ${reason}`, {
      cause: error,
    });
  }
}

/**
 * Writes `bytes` to `path` through a temporary file beside it and a
 * rename, so readers never see a half-written file; the result has
 * exactly `mode`.
 */
export async function writeReplacing(
  path: string,
  bytes: Uint8Array,
  mode: number,
): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(temporary, bytes, { createNew: true, mode });
    await Deno.chmod(temporary, mode);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/** A file-system error as a short phrase without the OS error code. */
export function fileProblem(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) {
    return "permission denied";
  }
  if (error instanceof Deno.errors.IsADirectory) return "is a directory";
  return messageOf(error);
}
