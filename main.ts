/**
 * The trellis command line and binary entry. Results and the ready line go
 * to standard output, logs to standard error.
 *
 * Exit codes: 0 ok, 1 failure, 2 usage.
 *
 * @module
 */
import { join } from "node:path";
import { builtinProviders } from "./providers/builtin.ts";
import { extrasProvider } from "./providers/extras.ts";
import { describeClaims, readClaims, verifyModule } from "./runtime/claims.ts";
import {
  createLogger,
  type LogFormat,
  parseLogLevel,
} from "./runtime/console_logger.ts";
import {
  parseBytes,
  parseDuration,
  parseFlags,
  parsePairs,
  UsageError,
} from "./runtime/flags.ts";
import { Host } from "./runtime/host.ts";
import { loadHostKey } from "./runtime/host_key.ts";
import { applyManifest } from "./runtime/manifest_apply.ts";
import { loadManifest } from "./runtime/manifest.ts";
import { messageOf } from "./runtime/wapc_instance.ts";

/** The version this build reports. */
export const VERSION = "0.1.0";

const USAGE = `trellis ${VERSION}: signed WebAssembly actors at the edge

Usage:
  trellis up [--manifest FILE] [--data-dir DIR] [--label k=v]...
             [--allow-issuer KEY]... [--deadline D] [--max-memory M]
             [--log-level L] [--log-format json|text]
  trellis claims inspect FILE.wasm [--json]
  trellis --version
`;

const encoder = new TextEncoder();

function out(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text + "\n"));
}

function err(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text + "\n"));
}

function defaultDataDir(): string {
  const base = Deno.env.get("XDG_DATA_HOME") ??
    join(Deno.env.get("HOME") ?? ".", ".local", "share");
  return join(base, "trellis");
}

async function up(args: string[]): Promise<number> {
  const flags = parseFlags(args, {
    manifest: "string",
    "data-dir": "string",
    label: "list",
    "allow-issuer": "list",
    deadline: "string",
    "max-memory": "string",
    "log-level": "string",
    "log-format": "string",
  });
  if (flags.positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${flags.positionals[0]}"`);
  }
  const format = (flags.strings["log-format"] ??
    (Deno.stderr.isTerminal() ? "text" : "json")) as LogFormat;
  if (format !== "json" && format !== "text") {
    throw new UsageError(`Invalid --log-format "${format}": json or text`);
  }
  let level;
  try {
    level = parseLogLevel(flags.strings["log-level"] ?? "info");
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  const logger = createLogger({
    level,
    format,
    write: (line) => Deno.stderr.writeSync(encoder.encode(line)),
  });
  const labels = parsePairs(flags.lists.label, "--label");
  const deadlineMs = parseDuration(
    flags.strings.deadline ?? "10s",
    "--deadline",
  );
  const maxMemoryBytes = parseBytes(
    flags.strings["max-memory"] ?? "64MiB",
    "--max-memory",
  );
  const dataDir = flags.strings["data-dir"] ?? defaultDataDir();
  const manifestPath = flags.strings.manifest;
  const manifest = manifestPath ? await loadManifest(manifestPath) : undefined;

  const hostKey = await loadHostKey(dataDir);
  const host = new Host({
    id: hostKey.publicKey,
    dataDir,
    logger,
    deadlineMs,
    maxMemoryBytes,
    allowedIssuers: flags.lists["allow-issuer"] ?? [],
    labels: { ...manifest?.labels, ...labels },
    autoProviders: [extrasProvider],
  });
  host.events.on((event) =>
    logger.info(event.type.replaceAll("_", " "), event)
  );

  const stopped = waitForSignal();
  try {
    if (manifest) {
      await applyManifest(host, manifest, {
        builtin: (id) => builtinProviders.get(id),
      });
    }
  } catch (error) {
    err(messageOf(error));
    await host.stop().catch(() => {});
    return 1;
  }

  out(
    `trellis ready host=${host.id} actors=${host.actors().length} ` +
      `bindings=${host.bindings().length}`,
  );
  const signal = await stopped;
  logger.info("stopping", { signal });
  await host.stop();
  return 0;
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => resolve(signal));
    }
  });
}

async function claims(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== "inspect") {
    throw new UsageError(`Unknown claims command "${action ?? ""}"`);
  }
  const flags = parseFlags(rest, { json: "boolean" });
  const [file] = flags.positionals;
  if (!file || flags.positionals.length > 1) {
    throw new UsageError("Usage: trellis claims inspect FILE.wasm [--json]");
  }
  const bytes = await Deno.readFile(file).catch((error) => {
    throw new Error(`Cannot read "${file}": ${messageOf(error)}`);
  });
  const decoded = readClaims(bytes);
  let problem: string | undefined;
  await verifyModule(bytes).catch((error) => problem = messageOf(error));
  if (flags.booleans.has("json")) {
    const { token: _token, ...fields } = decoded;
    out(JSON.stringify({ ...fields, valid: !problem, problem }, null, 2));
  } else {
    out(describeClaims(decoded));
    out(problem ? `invalid: ${problem}` : "valid: signature, hash and times");
  }
  return problem ? 1 : 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "up":
        return await up(rest);
      case "claims":
        return await claims(rest);
      case "--version":
      case "version":
        out(`trellis ${VERSION}`);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    err(messageOf(error));
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
