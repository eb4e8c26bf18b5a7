/**
 * `trellis claims inspect FILE.wasm` and the dispatch of `trellis claims`.
 *
 * @module
 */
import {
  ClaimsError,
  describeClaims,
  readClaims,
  verifyModule,
} from "./claims.ts";
import type { ActorClaims } from "./claims.ts";
import { signCommand } from "./cli_claims_sign.ts";
import { fileProblem } from "./cli_files.ts";
import { type CliIo, EXIT_FAILURE, EXIT_OK } from "./cli_io.ts";
import { parseFlags, UsageError } from "./flags.ts";
import { messageOf } from "./wapc_instance.ts";

/** Runs `trellis claims …`; `args` follow the word `claims`. */
export async function runClaims(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case "inspect":
      return await inspectCommand(rest, io);
    case "sign":
      return await signCommand(rest, io);
    default:
      throw new UsageError(`Unknown claims command "${action ?? ""}"`);
  }
}

/**
 * Prints a module's claims and whether they verify (signature, hash,
 * times); exits 1 when they do not, or when the file has none.
 */
async function inspectCommand(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, { json: "boolean" });
  const [file, extra] = flags.positionals;
  if (file === undefined || extra !== undefined) {
    throw new UsageError("Usage: trellis claims inspect FILE.wasm [--json]");
  }

  const bytes = await Deno.readFile(file).catch((error) => {
    throw new Error(`Cannot read "${file}": ${fileProblem(error)}`);
  });
  const claims = readFileClaims(bytes, file);
  let problem: ClaimsError | undefined;
  await verifyModule(bytes).catch((error) => {
    if (!(error instanceof ClaimsError)) throw error;
    problem = error;
  });

  if (flags.booleans.has("json")) {
    const { token: _token, ...fields } = claims;
    const verdict = problem === undefined
      ? { valid: true }
      : { valid: false, check: problem.check, problem: problem.message };
    io.out(JSON.stringify({ ...fields, ...verdict }, null, 2));
  } else {
    io.out(describeClaims(claims));
    io.out(
      problem === undefined
        ? "valid: signature, hash and times"
        : `invalid: ${problem.message}`,
    );
  }
  return problem === undefined ? EXIT_OK : EXIT_FAILURE;
}

function readFileClaims(bytes: Uint8Array, file: string): ActorClaims {
  try {
    return readClaims(bytes);
  } catch (error) {
    const reason = messageOf(error).replace(/^Cannot read claims: /, "");
    throw new Error(`Cannot read claims of "${file}": ${reason}`, {
      cause: error,
    });
  }
}
