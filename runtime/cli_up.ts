/**
 * `trellis up`: runs a host, optionally starting what a manifest lists,
 * until SIGINT or SIGTERM. The ready line goes to standard output, logs to
 * standard error.
 *
 * @module
 */
import { join } from "node:path";
import { builtinProviders } from "../providers/builtin.ts";
import { extrasProvider } from "../providers/extras.ts";
import { type CliIo, EXIT_FAILURE, EXIT_OK } from "./cli_io.ts";
import {
  createLogger,
  type LogFormat,
  parseLogLevel,
} from "./console_logger.ts";
import {
  parseBytes,
  parseDuration,
  parseFlags,
  parsePairs,
  UsageError,
} from "./flags.ts";
import { Host } from "./host.ts";
import { loadHostKey } from "./host_key.ts";
import type { Logger } from "./logger.ts";
import { applyManifest } from "./manifest_apply.ts";
import { loadManifest } from "./manifest.ts";
import { messageOf } from "./wapc_instance.ts";

const UP_FLAGS = {
  manifest: "string",
  "data-dir": "string",
  label: "list",
  "allow-issuer": "list",
  deadline: "string",
  "max-memory": "string",
  "log-level": "string",
  "log-format": "string",
} as const;

/** Where `up` keeps its state without `--data-dir`. */
export function defaultDataDir(): string {
  const base = Deno.env.get("XDG_DATA_HOME") ??
    join(Deno.env.get("HOME") ?? ".", ".local", "share");
  return join(base, "trellis");
}

/** Runs `trellis up`; `args` follow the word `up`. */
export async function runUp(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, UP_FLAGS);
  if (flags.positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${flags.positionals[0]}"`);
  }
  const logger = buildLogger(flags.strings, io);
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
    // Stop first so that the reason is the last line a reader sees.
    await host.stop().catch(() => {});
    io.err(messageOf(error));
    return EXIT_FAILURE;
  }

  io.out(
    `trellis ready host=${host.id} actors=${host.actors().length} ` +
      `bindings=${host.bindings().length}`,
  );
  const signal = await stopped;
  logger.info("stopping", { signal });
  await host.stop();
  return EXIT_OK;
}

function buildLogger(strings: Record<string, string>, io: CliIo): Logger {
  const format = (strings["log-format"] ??
    (io.errIsTerminal ? "text" : "json")) as LogFormat;
  if (format !== "json" && format !== "text") {
    throw new UsageError(`Invalid --log-format "${format}": json or text`);
  }
  let level;
  try {
    level = parseLogLevel(strings["log-level"] ?? "info");
  } catch (error) {
    throw new UsageError(messageOf(error));
  }
  return createLogger({
    level,
    format,
    write: (line) => io.err(line.replace(/\n$/, "")),
  });
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => resolve(signal));
    }
  });
}
