/**
 * The flags of `trellis up` that mark subjects upstream and bound the
 * outbox that keeps them until the cloud confirms them.
 *
 * @module
 */
import {
  parseBytes,
  type ParsedFlags,
  parseDuration,
  UsageError,
} from "./flags.ts";
import type { UpstreamConfig } from "./upstream.ts";

/** The flags `up` takes for the outbox. */
export const UPSTREAM_FLAGS = {
  upstream: "list",
  "outbox-max-bytes": "string",
  "outbox-max-age": "string",
  "outbox-when-full": "string",
  "outbox-sync": "string",
} as const;

/** Reads the outbox flags; undefined when no subject is marked upstream. */
export function parseUpstreamFlags(
  flags: ParsedFlags,
): UpstreamConfig | undefined {
  const { strings } = flags;
  const subjects = flags.lists.upstream ?? [];
  if (subjects.length === 0) {
    const stray = Object.keys(UPSTREAM_FLAGS)
      .find((name) => name !== "upstream" && strings[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --upstream`);
    return undefined;
  }
  const whenFull = strings["outbox-when-full"];
  if (whenFull !== undefined && !["reject", "drop-oldest"].includes(whenFull)) {
    throw new UsageError(
      `Invalid --outbox-when-full "${whenFull}": reject or drop-oldest`,
    );
  }
  const sync = strings["outbox-sync"];
  if (sync !== undefined && !["normal", "full"].includes(sync)) {
    throw new UsageError(`Invalid --outbox-sync "${sync}": normal or full`);
  }
  const maxBytes = strings["outbox-max-bytes"];
  const maxAge = strings["outbox-max-age"];
  return {
    subjects,
    ...(maxBytes
      ? { maxBytes: parseBytes(maxBytes, "--outbox-max-bytes") }
      : {}),
    ...(maxAge ? { maxAgeMs: parseDuration(maxAge, "--outbox-max-age") } : {}),
    ...(whenFull ? { whenFull: whenFull as UpstreamConfig["whenFull"] } : {}),
    ...(sync ? { sync: sync as UpstreamConfig["sync"] } : {}),
  };
}
