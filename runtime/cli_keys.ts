/**
 * `trellis keys gen KIND`: a fresh key pair, printed or kept in a seed
 * file.
 *
 * @module
 */
import { writeSeedFile } from "./cli_files.ts";
import { type CliIo, EXIT_OK } from "./cli_io.ts";
import { generateKeyPair } from "./ed25519.ts";
import { parseFlags, UsageError } from "./flags.ts";
import type { KeyKind } from "./nkeys.ts";

/** The kinds of key `keys gen` makes, and what each is for. */
export const GENERATED_KINDS: readonly KeyKind[] = [
  "account",
  "module",
  "service",
  "server",
];

const GEN_USAGE = "Usage: trellis keys gen account|module|service|server " +
  "[--json] [-o SEEDFILE [--force]]";

/** Runs `trellis keys …`; `args` follow the word `keys`. */
export async function runKeys(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "gen") {
    throw new UsageError(`Unknown keys command "${action ?? ""}"`);
  }
  return await generate(rest, io);
}

async function generate(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(
    args,
    { json: "boolean", output: "string", force: "boolean" },
    { o: "output" },
  );
  const [kind, extra] = flags.positionals;
  if (kind === undefined || extra !== undefined) {
    throw new UsageError(GEN_USAGE);
  }
  if (!GENERATED_KINDS.includes(kind as KeyKind)) {
    throw new UsageError(
      `Unknown key kind "${kind}": expected ${GENERATED_KINDS.join(", ")}`,
    );
  }
  const output = flags.strings.output;
  if (flags.booleans.has("force") && output === undefined) {
    throw new UsageError(`Flag "--force" needs "-o SEEDFILE"`);
  }

  const pair = await generateKeyPair(kind as KeyKind);
  if (output !== undefined) {
    await writeSeedFile(output, pair.seed, flags.booleans.has("force"));
  }

  const seed = output === undefined ? pair.seed : undefined;
  if (flags.booleans.has("json")) {
    const shown = { kind: pair.kind, publicKey: pair.publicKey, seed };
    io.out(JSON.stringify(shown, null, 2));
  } else if (seed === undefined) {
    io.out(pair.publicKey);
  } else {
    io.out(`public  ${pair.publicKey}`);
    io.out(`seed    ${seed}`);
  }
  return EXIT_OK;
}
