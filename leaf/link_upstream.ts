/**
 * The upstream state of a link bus: down while the link is down; while it
 * is up, what a probe of the server's own link says, or simply up when
 * there is no probe (the server is the hub, or nobody can tell).
 *
 * @module
 */
import type {
  LinkState,
  UpstreamEvent,
  UpstreamState,
} from "../runtime/link.ts";
import type { UpstreamProbe } from "./upstream_probe.ts";

const LINK_DOWN: UpstreamEvent = { state: "down", reason: "the link is down" };

/** Follows a link and an optional probe; tells each change of the two. */
export class LinkUpstream {
  readonly #probe?: UpstreamProbe;
  readonly #offProbe: () => void;
  readonly #listeners = new Set<(event: UpstreamEvent) => void>();
  #link: LinkState = "down";
  #event: UpstreamEvent = LINK_DOWN;

  /** Starts with the link down. */
  constructor(probe?: UpstreamProbe) {
    this.#probe = probe;
    this.#offProbe = probe?.onChange(() => this.#update()) ?? (() => {});
  }

  /** The upstream's state now. */
  get state(): UpstreamState {
    return this.#event.state;
  }

  /** The last change, with its server or reason. */
  get event(): UpstreamEvent {
    return this.#event;
  }

  /** Adds a listener of changes; returns its remover. */
  on(listener: (event: UpstreamEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The link went up or down; a probe checks again when it comes up. */
  linkChanged(state: LinkState): void {
    this.#link = state;
    if (state === "up") this.#probe?.refresh();
    this.#update();
  }

  /** Stops the probe and forgets the listeners. */
  close(): void {
    this.#offProbe();
    this.#probe?.close();
    this.#listeners.clear();
  }

  // Until a probe has answered once, the state stays as it was.
  #update(): void {
    const previous = this.#event;
    const probed = this.#probe ? this.#probe.last : { state: "up" as const };
    const next = this.#link === "down"
      ? LINK_DOWN
      : probed ?? { state: previous.state, reason: "checking the upstream" };
    if (next.state === previous.state && next.server === previous.server) {
      return;
    }
    this.#event = next;
    for (const listener of this.#listeners) {
      try {
        listener(next);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}
