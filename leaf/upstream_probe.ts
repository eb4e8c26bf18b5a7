/**
 * Whether a device's leaf node reaches its hub, read from the leaf's
 * monitoring endpoint. The host's own link to the leaf says nothing about
 * the hub: the leaf answers on 127.0.0.1 while the uplink is down.
 *
 * Every second the probe reads `GET /leafz`, which lists the leaf
 * connections the server has, and (once, then while none is found)
 * `GET /varz`, whose `leaf.remotes` lists the remotes it dials: the hub is
 * reachable while a connection of a remote's local account exists. A
 * server with no remotes is not a leaf of anything, and a monitor that
 * does not answer tells nothing: both are `unknown`.
 *
 * @module
 */
import type { UpstreamEvent, UpstreamState } from "../runtime/link.ts";
import { type Logger, silentLogger } from "../runtime/logger.ts";
import { messageOf } from "../runtime/wapc_instance.ts";

/** Something that tells whether the cloud beyond the link is reachable. */
export interface UpstreamProbe {
  /** What the last check found; undefined until the first one ends. */
  readonly last?: UpstreamEvent;
  /** Adds a listener of changes of state or server; returns its remover. */
  onChange(listener: (event: UpstreamEvent) => void): () => void;
  /** Checks now instead of at the next poll. */
  refresh(): void;
  /** Stops polling. */
  close(): void;
}

/** Options of {@link LeafMonitorProbe}. */
export interface LeafMonitorProbeOptions {
  /** The monitoring endpoint, such as `http://127.0.0.1:8222`. */
  url: string;
  /** Time between the end of a check and the next, in ms (1000). */
  intervalMs?: number;
  /** How long one request may take, in ms (800). */
  timeoutMs?: number;
  logger?: Logger;
}

/** One leaf connection in `/leafz`. */
interface LeafConnection {
  account?: string;
  ip?: string;
  port?: number;
}

/** Polls a leaf node's monitoring endpoint for its link to the hub. */
export class LeafMonitorProbe implements UpstreamProbe {
  readonly #base: string;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  readonly #listeners = new Set<(event: UpstreamEvent) => void>();
  #last?: UpstreamEvent;
  /** Local accounts of the leaf's remotes, once read. */
  #remotes?: Set<string>;
  #timer?: ReturnType<typeof setTimeout>;
  #checking = false;
  #again = false;
  #closed = false;

  /** A probe that checks at once and then every `intervalMs`. */
  constructor(options: LeafMonitorProbeOptions) {
    this.#base = monitorBase(options.url);
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 800;
    this.#logger = options.logger ?? silentLogger;
    this.refresh();
  }

  get last(): UpstreamEvent | undefined {
    return this.#last;
  }

  /** What the last check found; `unknown` before the first. */
  get state(): UpstreamState {
    return this.#last?.state ?? "unknown";
  }

  onChange(listener: (event: UpstreamEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  refresh(): void {
    if (this.#closed) return;
    if (this.#checking) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    void this.#poll();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
  }

  /** Reads the endpoint once and tells what it found. */
  async check(): Promise<UpstreamEvent> {
    try {
      const leafs = await this.#leafConnections();
      let link = leafs.find((leaf) => this.#remotes?.has(leaf.account ?? ""));
      if (link === undefined) {
        // Read the remotes again: the server may have been reconfigured.
        this.#remotes = await this.#remoteAccounts();
        link = leafs.find((leaf) => this.#remotes?.has(leaf.account ?? ""));
      }
      if (this.#remotes?.size === 0) {
        return { state: "unknown", reason: "the server has no leaf remotes" };
      }
      return link === undefined
        ? { state: "down", reason: "the leaf node has no link to the hub" }
        : { state: "up", server: `${link.ip}:${link.port}` };
    } catch (error) {
      this.#remotes = undefined;
      return { state: "unknown", reason: messageOf(error) };
    }
  }

  async #poll(): Promise<void> {
    this.#checking = true;
    const found = await this.check();
    this.#checking = false;
    if (this.#closed) return;
    this.#record(found);
    if (this.#again) {
      this.#again = false;
      return void this.#poll();
    }
    this.#timer = setTimeout(() => void this.#poll(), this.#intervalMs);
  }

  #record(found: UpstreamEvent): void {
    const last = this.#last;
    this.#last = found;
    if (found.state === last?.state && found.server === last.server) return;
    this.#logger.debug("leaf monitor read", { ...found, url: this.#base });
    for (const listener of this.#listeners) {
      try {
        listener(found);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  async #leafConnections(): Promise<LeafConnection[]> {
    const leafz = await this.#get("leafz") as { leafs?: unknown };
    return Array.isArray(leafz.leafs) ? leafz.leafs as LeafConnection[] : [];
  }

  async #remoteAccounts(): Promise<Set<string>> {
    const varz = await this.#get("varz") as {
      leaf?: { remotes?: { local_account?: string }[] };
    };
    const remotes = varz.leaf?.remotes ?? [];
    return new Set(remotes.map((remote) => remote.local_account ?? "$G"));
  }

  async #get(path: string): Promise<Record<string, unknown>> {
    const url = `${this.#base}/${path}`;
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      const body = await response.json();
      if (typeof body !== "object" || body === null) {
        throw new TypeError("not a JSON object");
      }
      return body as Record<string, unknown>;
    } catch (error) {
      throw new Error(`Cannot read "${url}": ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
}

/**
 * Checks a monitoring URL (`http://HOST:PORT`, a path allowed) and returns
 * it without a trailing slash. Throws a TypeError naming the URL.
 */
export function monitorBase(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Reported below.
  }
  const plain = parsed && !parsed.search && !parsed.hash &&
    !parsed.username && ["http:", "https:"].includes(parsed.protocol);
  if (!parsed || !plain) {
    throw new TypeError(
      `Invalid leaf monitor "${url}": expected http://HOST:PORT`,
    );
  }
  return parsed.href.replace(/\/+$/, "");
}
