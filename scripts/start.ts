/**
 * `deno task start`: builds and signs the example actors, writes the demo
 * manifest and runs `trellis up` on it, so that a fresh clone serves echo
 * and counter over HTTP.
 *
 * ```sh
 * deno task start [--port N] [--host H] [--data-dir DIR] [--state-dir DIR]
 * ```
 *
 * Echo listens on port N (default 8080, or `TRELLIS_DEMO_PORT`) and
 * counter on N + 1, both on H (default `127.0.0.1`, or
 * `TRELLIS_DEMO_HOST`). Keys, signed modules and the manifest live in the
 * state directory (default `.cache/demo`), the host's data (its key, the
 * key-value store) in the data directory (default `STATE/data`).
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
import { prepareDemo } from "./prepare_demo.ts";

/** What the demo is started with. */
export interface StartOptions {
  stateDir: string;
  dataDir: string;
  host: string;
  /** Echo's port; counter's is the next one. */
  port: number;
}

const repoDir = fileURLToPath(new URL("../", import.meta.url));
const encoder = new TextEncoder();

const USAGE = "Usage: deno task start [--port N] [--host H] " +
  "[--data-dir DIR] [--state-dir DIR]";

/**
 * Reads the flags, falling back on `TRELLIS_DEMO_PORT` and
 * `TRELLIS_DEMO_HOST` from `env` and then on the defaults.
 *
 * @throws {UsageError} for an unknown flag, a stray argument, a port
 * outside 1-65534 or a host name with characters an address cannot have.
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

  const stateDir = resolve(
    flags.strings["state-dir"] ?? join(repoDir, ".cache", "demo"),
  );
  return {
    stateDir,
    dataDir: resolve(flags.strings["data-dir"] ?? join(stateDir, "data")),
    host: readHost(flags.strings.host ?? env("TRELLIS_DEMO_HOST")),
    port: readPort(flags.strings.port ?? env("TRELLIS_DEMO_PORT")),
  };
}

function readPort(text: string | undefined): number {
  if (text === undefined) return 8080;
  const port = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65534)) {
    throw new UsageError(
      `Invalid port "${text}": expected a number from 1 to 65534 ` +
        `(counter takes the next one)`,
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
  const echo = baseUrl(options.host, options.port);
  const counter = baseUrl(options.host, options.port + 1);
  const curlEcho = `curl '${echo}/hello?x=1'`;
  const curlCounter = `curl ${counter}/visits`;
  const width = Math.max(curlEcho.length, curlCounter.length) + 2;
  return [
    `demo: once "trellis ready" shows, try:`,
    `  ${curlEcho.padEnd(width)}# echo: your request as JSON`,
    `  ${curlCounter.padEnd(width)}# counter: run it twice`,
    `Ctrl-C stops the host; the count survives a restart. Manifest: ` +
    displayPath(join(options.stateDir, "manifest.yaml")),
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
 * Prepares the demo, prints what to try and runs the host until it exits,
 * passing SIGINT and SIGTERM on to it. Returns the host's exit code.
 */
export async function start(
  options: StartOptions,
  logger: Logger,
): Promise<number> {
  logger.info("preparing demo", { dir: options.stateDir });
  const demo = await prepareDemo({ ...options, logger });

  for (const line of tryLines(options)) out(line);
  const host = spawnHost(demo.manifestPath, options.dataDir);
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

if (import.meta.main) Deno.exit(await main(Deno.args));
