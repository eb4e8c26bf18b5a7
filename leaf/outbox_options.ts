/**
 * How an outbox is bounded, committed and drained: the options of
 * `Outbox.open`, their defaults and their checks.
 *
 * @module
 */
import type { Logger } from "../runtime/logger.ts";

/**
 * What happens to a new message when the outbox is full (by its byte
 * bound or because the disk is): `reject` refuses it with an
 * `OutboxFullError` the publisher sees; `drop-oldest` discards the oldest
 * messages not yet handed to the link to make room.
 */
export type OutboxFullPolicy = "reject" | "drop-oldest";

/**
 * SQLite's `synchronous` setting. `normal` survives a crash of the process
 * (kill -9) but may lose the last commits on a power cut; `full` also
 * survives a power cut, at the cost of one fsync per commit.
 */
export type OutboxSync = "normal" | "full";

/** The clocks an outbox reads; tests pass their own. */
export interface OutboxClockSource {
  /** Wall-clock time in epoch milliseconds, like `Date.now`. */
  wall(): number;
  /** A monotonic time in milliseconds, like `performance.now`. */
  monotonic(): number;
}

/** Options of `Outbox.open`; every one has a default. */
export interface OutboxOptions {
  /** Bytes of messages kept at most (payload, subject, headers, id). */
  maxBytes?: number;
  /** Age after which a message not yet confirmed is dropped, in ms. */
  maxAgeMs?: number;
  /**
   * The largest message accepted (payload, subject and headers); 1 MiB,
   * NATS's default `max_payload`, by default. A message the hub refuses
   * for its size would be retried until it expires.
   */
  maxMessageBytes?: number;
  /** What to do with a new message when the outbox is full. */
  whenFull?: OutboxFullPolicy;
  /**
   * A hard limit on the database file, enforced by SQLite (reaching it
   * looks like a full disk). Unlimited by default.
   */
  maxFileBytes?: number;
  /** SQLite's durability setting; `normal` by default. */
  sync?: OutboxSync;
  /**
   * How long an enqueue waits for others to share its commit, in ms; 0
   * (the default) commits on the next turn of the event loop, which
   * already gathers every enqueue made meanwhile.
   */
  commitDelayMs?: number;
  /** Messages that make a commit happen at once, without waiting. */
  commitBatch?: number;
  /** Messages sent and not yet confirmed, at most. */
  window?: number;
  /** Wait before the first retry after a failed send, in ms. */
  retryDelayMs?: number;
  /** Longest wait between retries, in ms (the wait doubles up to it). */
  maxRetryDelayMs?: number;
  /** How often a `progress` event reports a draining backlog, in ms. */
  progressIntervalMs?: number;
  /** How often expired messages are looked for, in ms. */
  sweepIntervalMs?: number;
  /** Where failures the outbox survives are written. */
  logger?: Logger;
  /** The clocks to read; the system's by default. */
  clock?: OutboxClockSource;
}

/** Every option with its value, after defaults. */
export type ResolvedOutboxOptions =
  & Required<Omit<OutboxOptions, "maxFileBytes" | "logger" | "clock">>
  & Pick<OutboxOptions, "maxFileBytes" | "logger" | "clock">;

const MIB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The defaults: 256 MiB, 7 days, reject when full, 256 in flight. */
export const OUTBOX_DEFAULTS: Readonly<
  Required<Omit<OutboxOptions, "maxFileBytes" | "logger" | "clock">>
> = {
  maxBytes: 256 * MIB,
  maxAgeMs: 7 * DAY_MS,
  maxMessageBytes: MIB,
  whenFull: "reject",
  sync: "normal",
  commitDelayMs: 0,
  commitBatch: 1024,
  window: 256,
  retryDelayMs: 1000,
  maxRetryDelayMs: 30_000,
  progressIntervalMs: 1000,
  sweepIntervalMs: 60_000,
};

const POLICIES: readonly OutboxFullPolicy[] = ["reject", "drop-oldest"];
const SYNCS: readonly OutboxSync[] = ["normal", "full"];

/**
 * Fills in defaults and checks values. Throws a TypeError for an unknown
 * policy or sync setting and a RangeError for a number out of range, each
 * naming the outbox `path`.
 */
export function resolveOutboxOptions(
  path: string,
  options: OutboxOptions = {},
): ResolvedOutboxOptions {
  const resolved = { ...OUTBOX_DEFAULTS, ...withoutUndefined(options) };
  const action = `Cannot open outbox "${path}"`;
  if (!POLICIES.includes(resolved.whenFull)) {
    throw new TypeError(
      `${action}: whenFull "${resolved.whenFull}" is not one of ` +
        POLICIES.join(", "),
    );
  }
  if (!SYNCS.includes(resolved.sync)) {
    throw new TypeError(
      `${action}: sync "${resolved.sync}" is not one of ${SYNCS.join(", ")}`,
    );
  }
  const positive = [
    "maxBytes",
    "maxAgeMs",
    "maxMessageBytes",
    "commitBatch",
    "window",
    "retryDelayMs",
    "maxRetryDelayMs",
    "progressIntervalMs",
    "sweepIntervalMs",
  ] as const;
  for (const name of positive) assertPositive(action, name, resolved[name]);
  if (resolved.maxFileBytes !== undefined) {
    assertPositive(action, "maxFileBytes", resolved.maxFileBytes);
  }
  if (!(resolved.commitDelayMs >= 0)) {
    throw new RangeError(
      `${action}: commitDelayMs must be zero or more, not ` +
        resolved.commitDelayMs,
    );
  }
  return resolved;
}

function assertPositive(action: string, name: string, value: number): void {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `${action}: ${name} must be a positive number, not ${value}`,
    );
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
