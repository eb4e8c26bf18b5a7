/**
 * `deno task start`: builds and signs the field station example, writes
 * its manifest and runs `trellis up` on it, so that a fresh clone serves a
 * page of simulated sensor readings, their window statistics and alarms.
 *
 * ```sh
 * deno task start [--port N] [--host H] [--data-dir DIR] [--state-dir DIR]
 * ```
 *
 * The page is served on port N (default 8080, or `TRELLIS_START_PORT`) of
 * H (default `127.0.0.1`, or `TRELLIS_START_HOST`). Keys, the signed
 * module and the manifest live in the state directory (default
 * `.cache/field_station`), the host's data (its key, the key-value store)
 * in the data directory (default `STATE/data`). `DEVICE` in the
 * environment names the device (default `field-1`).
 *
 * Progress goes to standard error, what to try to standard output; the
 * host inherits both. SIGINT and SIGTERM are passed on to the host, and
 * the script exits with the host's exit code (2 for bad usage).
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../runtime/console_logger.ts";
import { parseFlags, UsageError } from "../runtime/flags.ts";
import type { Logger } from "../runtime/logger.ts";
import {
  DEFAULT_STATE_DIR,
  prepareFieldStation,
} from "./prepare_field_station.ts";

/** What the field station is started with. */
export interface StartOptions {
  stateDir: string;
  dataDir: string;
  /** Address the page is served on. */
  host: string;
  /** Port the page is served on. */
  port: number;
}

const repoDir = fileURLToPath(new URL("../", import.meta.url));
const encoder = new TextEncoder();

const USAGE = "Usage: deno task start [--port N] [--host H] " +
  "[--data-dir DIR] [--state-dir DIR]";

/**
 * Reads the flags, falling back on `TRELLIS_START_PORT` and
 * `TRELLIS_START_HOST` from `env` and then on the defaults.
 *
 * @throws {UsageError} for an unknown flag, a stray argument, a port
 * outside 1-65535 or a host name with characters an address cannot have.
 */
export function parseStartArguments(
  args: readonly string[],
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): StartOptions {
  const flags = parseFlags(args, {
    port: "string",
    host: "string",
    "data-dir": "string",
    "state-dir": "string",
  });
  if (flags.positionals.length > 0) {
    throw new UsageError(`Unexpected argument "${flags.positionals[0]}"`);
  }

  const stateDir = resolve(flags.strings["state-dir"] ?? DEFAULT_STATE_DIR);
  return {
    stateDir,
    dataDir: resolve(flags.strings["data-dir"] ?? join(stateDir, "data")),
    host: readHost(flags.strings.host ?? env("TRELLIS_START_HOST")),
    port: readPort(flags.strings.port ?? env("TRELLIS_START_PORT")),
  };
}

function readPort(text: string | undefined): number {
  if (text === undefined) return 8080;
  const port = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `Invalid port "${text}": expected a number from 1 to 65535`,
    );
  }
  return port;
}

function readHost(text: string | undefined): string {
  if (text === undefined) return "127.0.0.1";
  if (!/^[A-Za-z0-9.:_-]+$/.test(text)) {
    throw new UsageError(
      `Invalid host "${text}": expected a host name or an IP address`,
    );
  }
  return text;
}

/** The lines telling a newcomer what to try once the host is ready. */
export function tryLines(options: StartOptions): string[] {
  const base = baseUrl(options.host, options.port);
  const thresholds = `${base}/thresholds/temperature`;
  return [
    `field station: once "trellis ready" shows, open ${base}/ or try:`,
    `  curl ${base}/readings.json`,
    `  curl -X PUT -d '{"low":30,"high":40}' ${thresholds}`,
    `  curl -X DELETE ${thresholds}`,
    "The page: three simulated units, their readings, windows and alarms.",
    "The PUT moves the limits above the readings: alarms (kept across " +
    "restarts); the DELETE restores 0-30 °C.",
    "Summaries go to telemetry.<device> (DEVICE, default field-1). " +
    "Ctrl-C stops the host.",
    `Manifest: ${displayPath(join(options.stateDir, "manifest.yaml"))}`,
  ];
}

function displayPath(path: string): string {
  const relativePath = relative(Deno.cwd(), path);
  return relativePath.startsWith("..") ? path : relativePath;
}

// A listener on every address is reached through the loopback one.
function baseUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0"
    ? "127.0.0.1"
    : host === "::"
    ? "::1"
    : host;
  const name = reachable.includes(":") ? `[${reachable}]` : reachable;
  return `http://${name}:${port}`;
}

/**
 * Prepares the field station, prints what to try and runs the host until
 * it exits, passing SIGINT and SIGTERM on to it. Returns the host's exit
 * code.
 */
export async function start(
  options: StartOptions,
  logger: Logger,
): Promise<number> {
  logger.info("preparing field station", { dir: options.stateDir });
  const station = await prepareFieldStation({ ...options, logger });

  for (const line of tryLines(options)) out(line);
  const host = spawnHost(station.manifestPath, options.dataDir);
  const stopForwarding = forwardSignals(host);
  const status = await host.status;
  stopForwarding();
  return status.code;
}

function spawnHost(manifestPath: string, dataDir: string): Deno.ChildProcess {
  const args = ["run", "-A", "--config", join(repoDir, "deno.json")];
  args.push(join(repoDir, "main.ts"), "up", "--manifest", manifestPath);
  args.push("--data-dir", dataDir, "--standalone");
  return new Deno.Command(Deno.execPath(), {
    args,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
}

// Returns a function that stops forwarding.
function forwardSignals(child: Deno.ChildProcess): () => void {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const listeners = signals.map((signal) => {
    const listener = () => {
      try {
        child.kill(signal);
      } catch {
        // The child has exited already; its status says how.
      }
    };
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) {
      Deno.removeSignalListener(signal, listener);
    }
  };
}

function out(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text + "\n"));
}

function err(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text + "\n"));
}

async function main(args: string[]): Promise<number> {
  let options: StartOptions;
  try {
    options = parseStartArguments(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`${error.message}\n\n${USAGE}`);
    return 2;
  }

  const logger = createLogger({
    level: "info",
    format: Deno.stderr.isTerminal() ? "text" : "json",
    write: (line) => Deno.stderr.writeSync(encoder.encode(line)),
  });
  try {
    return await start(options, logger);
  } catch (error) {
    err(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

// `deno task start -- --port 9000` passes the `--` on; it means nothing here.
const args = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;
if (import.meta.main) Deno.exit(await main(args));
