/**
 * The smaller parts of `trellis up`: its logger, the `--admin` address and
 * the link section of the admin endpoint.
 *
 * @module
 */
import type { LatticeLink } from "./cli_lattice.ts";
import type { CliIo } from "./cli_io.ts";
import {
  createLogger,
  type LogFormat,
  parseLogLevel,
} from "./console_logger.ts";
import { UsageError } from "./flags.ts";
import type { LinkEvent, UpstreamEvent } from "./link.ts";
import type { Logger } from "./logger.ts";
import { messageOf } from "./wapc_instance.ts";

/** The logger `--log-level` and `--log-format` describe, on stderr. */
export function buildLogger(
  strings: Record<string, string>,
  io: CliIo,
): Logger {
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

/** The TCP address of `--admin HOST:PORT`, if given. */
export function adminAddress(
  text: string | undefined,
): { hostname: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^([^:]+):(\d+)$/.exec(text);
  if (!match) {
    throw new UsageError(`Invalid --admin "${text}": expected HOST:PORT`);
  }
  return { hostname: match[1], port: Number(match[2]) };
}

/**
 * The link's state for the admin endpoint, with when it last changed, and
 * whether the cloud beyond it is reachable.
 */
export function linkSection(link: LatticeLink): () => unknown {
  let last: LinkEvent | undefined;
  let since = performance.now();
  let upstream: UpstreamEvent | undefined;
  link.bus.onLink((event) => {
    last = event;
    since = performance.now();
  });
  link.bus.onUpstream?.((event) => upstream = event);
  return () => ({
    state: link.bus.state,
    server: last?.state === "up" ? last.server : undefined,
    reason: last?.state === "down" ? last.reason : undefined,
    for_ms: Math.round(performance.now() - since),
    upstream: link.bus.upstream ?? link.bus.state,
    upstream_reason: upstream?.state === "up" ? undefined : upstream?.reason,
  });
}
