/**
 * `trellis claims sign IN.wasm -o OUT.wasm …`: embeds fresh claims,
 * signed by an account seed, for a module seed.
 *
 * @module
 */
import { readClaims } from "./claims.ts";
import { signModule, type SignOptions } from "./claims_sign.ts";
import { fileProblem, readSeedFile, writeReplacing } from "./cli_files.ts";
import { type CliIo, EXIT_OK } from "./cli_io.ts";
import { type ParsedFlags, parseDuration, parseFlags } from "./flags.ts";
import { UsageError } from "./flags.ts";
import { messageOf } from "./wapc_instance.ts";

const SIGN_FLAGS = {
  output: "string",
  issuer: "string",
  subject: "string",
  name: "string",
  cap: "list",
  tag: "list",
  rev: "string",
  ver: "string",
  "expires-in": "string",
  "not-before": "string",
  provider: "boolean",
  json: "boolean",
} as const;

/** The mode of a signed module written by `claims sign`. */
const MODULE_FILE_MODE = 0o644;

/** Runs `trellis claims sign`; `args` follow the word `sign`. */
export async function signCommand(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, SIGN_FLAGS, { o: "output" });
  const { input, output, issuerFile, subjectFile, claims } = readSignFlags(
    flags,
  );

  const provider = claims.provider === true;
  const issuer = await readSeedFile(issuerFile, "issuer", ["account"]);
  const subject = await readSeedFile(
    subjectFile,
    "subject",
    provider ? ["module", "service"] : ["module"],
  );
  const bytes = await Deno.readFile(input).catch((error) => {
    throw new Error(`Cannot read "${input}": ${fileProblem(error)}`);
  });

  let signed: Uint8Array;
  try {
    signed = await signModule(bytes, { ...claims, issuer, subject });
  } catch (error) {
    throw new Error(`Cannot sign "${input}": ${messageOf(error)}`, {
      cause: error,
    });
  }
  await writeReplacing(output, signed, MODULE_FILE_MODE).catch((error) => {
    throw new Error(`Cannot write "${output}": ${fileProblem(error)}`);
  });

  const { hash } = readClaims(signed);
  if (flags.booleans.has("json")) {
    const result = { module: subject.publicKey, hash, output };
    io.out(JSON.stringify(result, null, 2));
  } else {
    io.out(`module     ${subject.publicKey}`);
    io.out(`hash       ${hash}`);
  }
  return EXIT_OK;
}

type ClaimFields = Omit<SignOptions, "issuer" | "subject">;

interface SignRequest {
  input: string;
  output: string;
  issuerFile: string;
  subjectFile: string;
  claims: ClaimFields;
}

function readSignFlags(flags: ParsedFlags): SignRequest {
  const [input, extra] = flags.positionals;
  if (input === undefined) {
    throw new UsageError("Missing the module to sign (IN.wasm)");
  }
  if (extra !== undefined) {
    throw new UsageError(`Unexpected argument "${extra}"`);
  }
  const required = (flag: string) => {
    const value = flags.strings[flag];
    if (value === undefined || value.trim() === "") {
      throw new UsageError(`Missing flag "--${flag}"`);
    }
    return value;
  };
  const seconds = (flag: string) =>
    flags.strings[flag] === undefined
      ? undefined
      : parseDuration(flags.strings[flag], `--${flag}`) / 1000;

  if (flags.strings.output === undefined) {
    throw new UsageError("Missing the output file (-o OUT.wasm)");
  }
  return {
    input,
    output: flags.strings.output,
    issuerFile: required("issuer"),
    subjectFile: required("subject"),
    claims: {
      name: required("name"),
      caps: flags.lists.cap ?? [],
      tags: flags.lists.tag ?? [],
      rev: revision(flags.strings.rev),
      ver: flags.strings.ver,
      provider: flags.booleans.has("provider"),
      expiresInSeconds: seconds("expires-in"),
      notBeforeSeconds: seconds("not-before"),
    },
  };
}

function revision(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(
      `Invalid --rev "${text}": expected a whole number such as 3`,
    );
  }
  return Number(text);
}
