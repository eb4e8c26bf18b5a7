/**
 * Messages bound for the cloud: what actors publish to subjects marked
 * upstream (`--upstream SUBJECT`) is kept on disk until the cloud has
 * confirmed it. The runtime sees only this contract; `leaf/` keeps the
 * outbox that fills it.
 *
 * @module
 */
import type { BusHeadersInit } from "./bus.ts";
import type { LinkedBus } from "./link.ts";
import type { Logger } from "./logger.ts";

/** Where the messaging provider sends what is marked upstream. */
export interface Upstream {
  /** Whether a message published to `subject` goes upstream. */
  matches(subject: string): boolean;
  /**
   * Keeps a message until the cloud confirms it; resolves once it is on
   * disk. Rejects when the outbox is full and its policy refuses it.
   */
  enqueue(
    subject: string,
    payload: Uint8Array,
    headers?: BusHeadersInit,
  ): Promise<void>;
  /** Depth, bytes, oldest age, drops and sending state, for people. */
  status(): unknown;
  /** Stops sending and closes the store. */
  close(): Promise<void>;
}

/** What `--upstream` and the `--outbox-*` flags say. */
export interface UpstreamConfig {
  /** Subject patterns marked upstream (`*` and `>` allowed). */
  subjects: string[];
  /** Bytes kept at most. */
  maxBytes?: number;
  /** Age after which an unsent message is dropped, in ms. */
  maxAgeMs?: number;
  /** What a full outbox does with a new message. */
  whenFull?: "reject" | "drop-oldest";
  /** SQLite durability: `full` syncs every commit to disk. */
  sync?: "normal" | "full";
}

/** Opens the outbox for `config`; the binary supplies it from `leaf/`. */
export type UpstreamOpener = (
  config: UpstreamConfig,
  context: { dataDir: string; link?: LinkedBus; logger: Logger },
) => Upstream;
